package dev.quantize.core.kernel;

import java.util.Locale;
import java.util.Random;

/**
 * Prints Conv throughput (GFLOP/s, 2 * multiply-adds) for a few typical layers, 1 and 2 threads, with the
 * GEMM inner loops chosen at start-up. Not a test. Run like {@link GemmBenchmark}.
 */
public final class ConvBenchmark {
    private ConvBenchmark() {
    }

    public static void main(String[] args) {
        System.out.println("GEMM implementation: " + Gemm.implementation());
        // {N, C, H, W, M, kernel, stride, pad, group}
        int[][] layers = {
            {1, 64, 56, 56, 64, 3, 1, 1, 1},
            {8, 64, 56, 56, 64, 3, 1, 1, 1},
            {1, 128, 28, 28, 256, 1, 1, 0, 1},
            {1, 128, 56, 56, 128, 3, 1, 1, 128},
            {1, 512, 7, 7, 512, 3, 1, 1, 1},
        };
        for (int[] l : layers) {
            for (int threads : new int[] {1, 2}) {
                System.out.printf(Locale.ROOT, "N=%d C=%3d %2dx%-2d M=%3d k=%d s=%d p=%d group=%3d threads=%d  %6.1f GFLOP/s%n",
                        l[0], l[1], l[2], l[3], l[4], l[5], l[6], l[7], l[8], threads,
                        measure(l, Parallelism.of(threads)));
            }
        }
    }

    private static double measure(int[] l, Parallelism par) {
        int n = l[0], c = l[1], h = l[2], w = l[3], m = l[4], k = l[5], s = l[6], p = l[7], g = l[8];
        int oh = Conv.outputSize(h, k, p, p, s, 1);
        int ow = Conv.outputSize(w, k, p, p, s, 1);
        Random rnd = new Random(1);
        float[] x = Check.random(rnd, n * c * h * w);
        float[] wt = Check.random(rnd, m * (c / g) * k * k);
        float[] bias = Check.random(rnd, m);
        float[] y = new float[n * m * oh * ow];
        double flops = 2.0 * n * m * oh * ow * (c / g) * k * k;
        int reps = (int) Math.max(1, Math.min(100_000, 2e9 / flops));
        double best = 0;
        long deadline = System.nanoTime() + 2_000_000_000L;
        while (System.nanoTime() < deadline) {
            long t0 = System.nanoTime();
            for (int r = 0; r < reps; r++) {
                Conv.conv(x, new int[] {n, c, h, w}, wt, new int[] {m, c / g, k, k}, bias, y,
                        new int[] {n, m, oh, ow}, new int[] {p, p, p, p}, new int[] {s, s}, new int[] {1, 1}, g, par);
            }
            best = Math.max(best, flops * reps / ((System.nanoTime() - t0) / 1e9) / 1e9);
        }
        return best;
    }
}
