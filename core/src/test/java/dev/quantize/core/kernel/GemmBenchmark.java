package dev.quantize.core.kernel;

import java.util.Locale;
import java.util.Random;

/**
 * Prints GEMM throughput (GFLOP/s, 2*M*N*K per call) for a few shapes, 1 and 2 threads, scalar and vector
 * inner loops. Not a test: timing is printed, never asserted. Run after {@code mvn test-compile}:
 * <pre>
 * java --add-modules=jdk.incubator.vector -cp core/target/classes:core/target/test-classes \
 *     dev.quantize.core.kernel.GemmBenchmark
 * </pre>
 */
public final class GemmBenchmark {
    private GemmBenchmark() {
    }

    public static void main(String[] args) {
        System.out.println("chosen implementation: " + Gemm.implementation());
        // {M, N, K, transB}: a square product, an MLP layer at batch 1024 (64 -> 256), batch-1 GEMV, and the
        // shapes of the sample models' Gemm nodes (weights stored (out, in), i.e. transB): 256 -> 10 at
        // batch 1024 and 64 -> 256 at batch 1.
        int[][] shapes = {{1024, 1024, 1024, 0}, {1024, 256, 64, 0}, {1, 256, 256, 0}, {256, 256, 256, 0},
            {1024, 10, 256, 1}, {1, 256, 64, 1}};
        if (args.length > 0 && args[0].equals("models")) {
            // The shared models' Gemm nodes at batch 1024 (transB weights), chosen kernels only.
            shapes = new int[][] {{1024, 64, 13, 1}, {1024, 32, 64, 1}, {1024, 16, 32, 1}, {1024, 64, 52, 1},
                {1024, 1, 32, 1}, {1024, 256, 64, 1}, {1024, 256, 256, 1}, {1024, 10, 256, 1}};
        }
        GemmKernels vector = GemmKernelsProvider.vectorOrNull();
        GemmKernels[] impls = vector == null || args.length > 0
                ? new GemmKernels[] {GemmKernelsProvider.chosen()}
                : new GemmKernels[] {GemmKernelsProvider.scalar(), vector};
        for (int[] s : shapes) {
            for (GemmKernels impl : impls) {
                for (int threads : new int[] {1, 2}) {
                    double gflops = measure(s[0], s[1], s[2], s[3] == 1, Parallelism.of(threads), impl);
                    System.out.printf(Locale.ROOT, "M=%4d N=%4d K=%4d%s  %-14s threads=%d  %7.1f GFLOP/s%n",
                            s[0], s[1], s[2], s[3] == 1 ? " transB" : "       ", impl.name(), threads, gflops);
                }
            }
        }
    }

    static double measure(int m, int n, int k, Parallelism par, GemmKernels impl) {
        return measure(m, n, k, false, par, impl);
    }

    static double measure(int m, int n, int k, boolean transB, Parallelism par, GemmKernels impl) {
        Random rnd = new Random(1);
        float[] a = new float[m * k];
        float[] b = new float[k * n];
        float[] c = new float[m * n];
        for (int i = 0; i < a.length; i++) {
            a[i] = rnd.nextFloat() - 0.5f;
        }
        for (int i = 0; i < b.length; i++) {
            b[i] = rnd.nextFloat() - 0.5f;
        }
        double flops = 2.0 * m * n * k;
        // Batches of ~4 GFLOP (a few tens of ms) for two seconds; the best batch counts, the first are warm-up.
        int reps = (int) Math.max(1, Math.min(1_000_000, 4e9 / flops));
        double best = 0;
        long deadline = System.nanoTime() + 1_000_000_000L;
        while (System.nanoTime() < deadline) {
            long t0 = System.nanoTime();
            for (int r = 0; r < reps; r++) {
                Gemm.gemm(false, transB, m, n, k, 1f, a, 0, k, b, 0, transB ? k : n, 0f, c, 0, n, par, impl);
            }
            double sec = (System.nanoTime() - t0) / 1e9;
            best = Math.max(best, flops * reps / sec / 1e9);
        }
        return best;
    }
}
