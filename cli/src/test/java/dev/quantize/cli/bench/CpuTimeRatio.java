package dev.quantize.cli.bench;

import dev.quantize.core.exec.Executor;
import dev.quantize.core.graph.Model;
import dev.quantize.core.onnx.OnnxReader;
import dev.quantize.core.oracle.OnnxRuntimeOracle;
import dev.quantize.core.tensor.Tensor;
import java.lang.management.ManagementFactory;
import java.lang.management.ThreadMXBean;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.Locale;
import java.util.Map;

/**
 * The executor against ONNX Runtime on ONE thread each, timed by the calling thread's CPU time rather
 * than the wall clock (ORT with one intra-op thread runs on the caller). When the shared machine is
 * overloaded (load average far above the 2 cores), wall-clock ratios of 2-thread runs swing by 4x
 * between runs; CPU time of one thread is far steadier. Not a test and not the yardstick (that
 * is {@code bench executor}, 2 threads, wall clock): a companion figure for noisy machines. Timing is
 * printed, never asserted. Run after {@code mvn -o test-compile -pl cli} and a package:
 * <pre>
 * java --add-opens=java.base/java.nio=ALL-UNNAMED --add-modules=jdk.incubator.vector \
 *     -Dai.djl.offline=true -DOPT_OUT_TRACKING=true -cp cli/target/quantize.jar:cli/target/test-classes \
 *     dev.quantize.cli.bench.CpuTimeRatio BATCH ROUNDS MODEL_FOLDER...
 * </pre>
 */
public final class CpuTimeRatio {
    private static final ThreadMXBean CPU = ManagementFactory.getThreadMXBean();

    private CpuTimeRatio() {
    }

    public static void main(String[] args) throws Exception {
        int batch = Integer.parseInt(args[0]);
        int rounds = Integer.parseInt(args[1]);
        for (int i = 2; i < args.length; i++) {
            Path file = ExecutorBench.modelFile(Path.of(args[i]));
            Model model = OnnxReader.read(file);
            Executor executor = Executor.builder(model).threads(1).build();
            try (OnnxRuntimeOracle ort = OnnxRuntimeOracle.open(file, 1)) {
                Map<String, Tensor> feeds = ExecutorBench.evalBatch(file.toAbsolutePath().getParent().resolve("eval"),
                        model, batch);
                // Warm-up: 3 x 1 s of CPU per engine, alternated (the JIT needs CPU, not wall time).
                for (int w = 0; w < 3; w++) {
                    cpuPerCall(() -> executor.run(feeds), 1.0);
                    cpuPerCall(() -> ort.run(feeds), 1.0);
                }
                double[] ex = new double[rounds];
                double[] rt = new double[rounds];
                double[] ratio = new double[rounds];
                for (int r = 0; r < rounds; r++) {
                    ex[r] = cpuPerCall(() -> executor.run(feeds), 0.3);
                    rt[r] = cpuPerCall(() -> ort.run(feeds), 0.3);
                    ratio[r] = rt[r] / ex[r];
                }
                Arrays.sort(ex);
                Arrays.sort(rt);
                Arrays.sort(ratio);
                System.out.printf(Locale.ROOT, "%s batch %d, 1 thread: executor %.3f ms, ORT %.3f ms CPU per batch;"
                                + " ratio ORT/executor median %.2f (%.2f-%.2f over %d rounds)%n",
                        ExecutorBench.displayName(file), batch, ex[rounds / 2] * 1e3, rt[rounds / 2] * 1e3,
                        ratio[rounds / 2], ratio[0], ratio[rounds - 1], rounds);
            }
        }
    }

    /** CPU seconds per call of the calling thread over about {@code seconds} of its CPU time. */
    private static double cpuPerCall(Runnable call, double seconds) {
        long start = CPU.getCurrentThreadCpuTime();
        int calls = 0;
        while (CPU.getCurrentThreadCpuTime() - start < seconds * 1e9) {
            call.run();
            calls++;
        }
        return (CPU.getCurrentThreadCpuTime() - start) / 1e9 / calls;
    }
}
