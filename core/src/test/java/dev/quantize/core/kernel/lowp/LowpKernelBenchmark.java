package dev.quantize.core.kernel.lowp;

import dev.quantize.core.format.FormatRegistry;
import dev.quantize.core.format.IntFormat;
import dev.quantize.core.kernel.Gemm;
import dev.quantize.core.kernel.Parallelism;
import java.util.Locale;
import java.util.Random;

/**
 * Prints Int8Gemm (and its scalar kernels) against the FP32 Gemm on the sample models' shapes at batch 1024,
 * one thread, as ratios measured in the same run. Not a test; for tuning. Run after {@code mvn test-compile}:
 * <pre>
 * java --add-modules=jdk.incubator.vector -cp core/target/classes:core/target/test-classes \
 *     dev.quantize.core.kernel.lowp.LowpKernelBenchmark
 * </pre>
 * {@code quantize bench lowp} is the user-facing benchmark.
 */
public final class LowpKernelBenchmark {
    private LowpKernelBenchmark() {
    }

    public static void main(String[] args) {
        Int8Kernels kern = Int8KernelsProvider.chosen();
        float[] xs = new float[1 << 16];
        float[] qs = new float[1 << 16];
        for (int i = 0; i < xs.length; i++) {
            xs[i] = (float) Math.sin(i) * 4;
        }
        for (int round = 0; round < 3; round++) {
            double tq = time(() -> kern.quantize(xs.length, xs, 0, 0.03f, 3, -128, 127, qs, 0));
            System.out.printf(Locale.ROOT, "quantize: %.2f ns per value%n", tq / xs.length * 1e9);
        }
        int[][] shapes = {{1024, 256, 256}, {1024, 64, 256}, {1024, 256, 10}, {1024, 13, 64}, {1024, 64, 32}, {1024, 32, 16}};
        Random rnd = new Random(1);
        IntFormat act = (IntFormat) FormatRegistry.parse("int8_per_tensor");
        IntFormat wf = (IntFormat) FormatRegistry.parse("int8_per_channel");
        Parallelism par = Parallelism.single();
        for (int[] s : shapes) {
            int m = s[0];
            int k = s[1];
            int n = s[2];
            float[] x = new float[m * k];
            float[] w = new float[n * k];
            float[] b = new float[n];
            for (int i = 0; i < x.length; i++) {
                x[i] = (float) rnd.nextGaussian();
            }
            for (int i = 0; i < w.length; i++) {
                w[i] = (float) rnd.nextGaussian();
            }
            float[] y = new float[m * n];
            Gemm.PackedB pb = Gemm.prepack(true, k, n, w, 0, k);
            Int8Gemm.Weights iw = Int8Gemm.prepack(wf.encode(w, new int[] {n, k}, 0), true);
            Int8Gemm.Activation a = Int8Gemm.Activation.of(act, act.params(-3f, 3f));
            Runnable fp32 = () -> Gemm.gemm(false, true, m, n, k, 1f, x, 0, k, w, 0, k, pb, 0f, y, 0, n, par);
            Runnable int8 = () -> Int8Gemm.run(iw, x, m, a, b, false, y, par);
            for (int round = 0; round < 3; round++) {
                double tf = time(fp32);
                double ti = time(int8);
                System.out.printf(Locale.ROOT, "M=%d K=%d N=%d  fp32 %.1f GFLOP/s  int8 %.1f GOP/s  ratio %.2f%n", m, k, n,
                        2.0 * m * n * k / tf / 1e9, 2.0 * m * n * k / ti / 1e9, tf / ti);
            }
        }
    }

    private static double time(Runnable r) {
        for (int i = 0; i < 20; i++) {
            r.run();
        }
        double best = Double.MAX_VALUE;
        for (int rep = 0; rep < 15; rep++) {
            long t = System.nanoTime();
            r.run();
            best = Math.min(best, (System.nanoTime() - t) / 1e9);
        }
        return best;
    }
}
