package dev.quantize.calibration;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.quantize.core.exec.Executor;
import dev.quantize.core.graph.Model;
import java.lang.management.ManagementFactory;
import java.lang.management.MemoryMXBean;
import org.junit.jupiter.api.Test;

/**
 * Calibration streams: the heap retained while calibrating (sampled after a GC every few batches)
 * and after it does not grow when the rows grow tenfold. No timing assertions.
 */
class StreamingMemoryTest {
    private static final MemoryMXBean MEMORY = ManagementFactory.getMemoryMXBean();
    private static final long MB = 1 << 20;

    /** The peak retained heap during a run over {@code rows} rows, and the stats it produced. */
    private record Measure(long peakRetained, long afterRetained, CalibrationStats stats) {
    }

    private static long usedAfterGc() {
        for (int i = 0; i < 3; i++) {
            System.gc();
        }
        return MEMORY.getHeapMemoryUsage().getUsed();
    }

    private static Measure measure(Model model, long rows) {
        Executor ex = Executor.builder(model).threads(1).build();
        CalibrationConfig config = CalibrationConfig.defaults().withBatchSize(1000).withPerChannelHistograms(true);
        long[] peak = {0};
        long base = usedAfterGc();
        CalibrationStats s = CalibrationRunner.run(ex, SyntheticData.rows(0, rows), config, (pass, done, total) -> {
            if (done % 20_000 == 0) {
                peak[0] = Math.max(peak[0], usedAfterGc() - base);
            }
        });
        long after = usedAfterGc() - base;
        return new Measure(peak[0], after, s);
    }

    @Test
    void retainedHeapIsFlatWhenRowsGrowTenfold() {
        Model model = SyntheticData.model();
        measure(model, 20_000);   // warm-up: class loading and JIT
        Measure small = measure(model, 20_000);
        Measure large = measure(model, 200_000);
        assertEquals(200_000L * SyntheticData.FEATURES, large.stats().tensor("x").stats().count());
        System.out.printf("calibration retained heap: 20k rows peak %.2f MB after %.2f MB; 200k rows peak %.2f MB after %.2f MB%n",
                small.peakRetained() / (double) MB, small.afterRetained() / (double) MB,
                large.peakRetained() / (double) MB, large.afterRetained() / (double) MB);
        // 200k rows of 16 floats are 12.8 MB: anything proportional to the rows would show; the bound is generous.
        assertTrue(large.peakRetained() < small.peakRetained() + 4 * MB,
                "peak " + large.peakRetained() + " vs " + small.peakRetained());
        assertTrue(large.afterRetained() < small.afterRetained() + 2 * MB,
                "after " + large.afterRetained() + " vs " + small.afterRetained());
        // The statistics have a fixed shape: only the digits of their counts grow.
        double ratio = large.stats().toJson().length() / (double) small.stats().toJson().length();
        assertTrue(ratio < 1.5, "JSON grew " + ratio + "x");
    }
}
