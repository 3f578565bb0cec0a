package dev.quantize.cli.bench;

import java.util.Arrays;

/** Median wall time of a repeated action after warm-up: the only timing primitive the benchmarks use. */
public final class Stopwatch {
    private Stopwatch() {
    }

    /** Runs {@code action} {@code warmup} times, then {@code runs} times, and returns the median in seconds. */
    public static double median(Runnable action, int warmup, int runs) {
        for (int i = 0; i < warmup; i++) {
            action.run();
        }
        double[] t = new double[runs];
        for (int i = 0; i < runs; i++) {
            long s = System.nanoTime();
            action.run();
            t[i] = (System.nanoTime() - s) / 1e9;
        }
        Arrays.sort(t);
        return t[runs / 2];
    }
}
