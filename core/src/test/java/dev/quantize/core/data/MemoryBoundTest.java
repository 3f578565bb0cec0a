package dev.quantize.core.data;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.quantize.core.tensor.DataType;
import dev.quantize.core.tensor.Tensor;
import java.lang.management.ManagementFactory;
import java.lang.management.MemoryMXBean;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Streaming a 200 MB .npy must not hold the file on the heap. Measured as retained heap (used after a
 * full GC, sampled while the reader is open and mid-way through the file): a reader that loaded the
 * file would retain >= 200 MB there, a streaming one about one batch (1 MB here) plus its read buffer.
 * The bound of 64 MB leaves room for JIT, class loading and GC imprecision while staying far below
 * the file size. No timing is involved.
 */
class MemoryBoundTest {
    private static final int COLS = 64;
    private static final int ROWS = 819_200; // 819,200 x 64 x 4 bytes = 200 MiB of data
    private static final int WRITE_ROWS = 8_192;

    @TempDir
    Path tmp;

    /** Element (row, col) of the generated array: small integers, exact in float32 and easy to sum. */
    private static float value(long row, int col) {
        return (float) ((row * 31 + col) % 1000);
    }

    private static long retainedHeap(MemoryMXBean mem) {
        System.gc();
        return mem.getHeapMemoryUsage().getUsed();
    }

    @Test
    void streamingA200MbNpyRetainsFarLessThanTheFile() throws Exception {
        Path dir = Files.createDirectories(tmp.resolve("big"));
        Path file = dir.resolve("features.npy");
        double expectedSum = 0;
        try (NpyWriter w = NpyWriter.create(file, DataType.FLOAT32, new int[] {COLS})) {
            float[] block = new float[WRITE_ROWS * COLS];
            for (int start = 0; start < ROWS; start += WRITE_ROWS) {
                for (int r = 0; r < WRITE_ROWS; r++) {
                    for (int c = 0; c < COLS; c++) {
                        block[r * COLS + c] = value(start + r, c);
                        expectedSum += block[r * COLS + c];
                    }
                }
                w.append(Tensor.ofFloats(new int[] {WRITE_ROWS, COLS}, block));
            }
            w.commit();
        }
        long fileSize = Files.size(file);
        assertTrue(fileSize >= 200L << 20, "file is " + fileSize + " bytes");

        MemoryMXBean mem = ManagementFactory.getMemoryMXBean();
        long baseline = retainedHeap(mem);
        long worst = Long.MIN_VALUE;
        double sum = 0;
        long rows = 0;
        try (Dataset ds = Datasets.open(dir); BatchReader r = ds.batches(4096)) {
            int batches = 0;
            while (r.hasNext()) {
                Batch b = r.next();
                for (float v : b.column("features").floats()) {
                    sum += v;
                }
                rows += b.rows();
                if (++batches % 40 == 0) {
                    worst = Math.max(worst, retainedHeap(mem) - baseline);
                }
            }
        }
        assertEquals(ROWS, rows);
        assertEquals(expectedSum, sum, 0.0); // integer-valued floats: the double sums are exact
        System.out.printf("MemoryBoundTest: file %d MB, worst retained heap growth while streaming %.2f MB%n",
                fileSize >> 20, worst / 1048576.0);
        assertTrue(worst < 64L << 20, "retained heap grew by " + (worst >> 20) + " MB while streaming a "
                + (fileSize >> 20) + " MB file");
    }
}
