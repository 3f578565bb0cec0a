package dev.quantize.cli.bench;

import dev.quantize.core.format.BdrFormat;
import dev.quantize.core.format.FormatRegistry;
import dev.quantize.core.format.MxFormat;
import dev.quantize.core.format.NumericFormat;
import dev.quantize.core.kernel.Parallelism;
import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;

/**
 * Quantize-dequantize throughput of the block formats on a (rows x cols) float32 tensor, blocks along
 * the last axis, against the yardstick of a plain array copy of the same tensor with the same
 * thread count, measured in the same run (the machines are noisy; only ratios are comparable).
 */
public final class FormatBench {
    /** One measurement: bandwidth counts the bytes read plus written (2 x 4 bytes per element). */
    public record Result(String format, String kernel, int threads, double seconds, double copySeconds) {
        public double gbPerSecond(long elements) {
            return 8.0 * elements / seconds / 1e9;
        }

        /** Fraction of copy bandwidth reached: copy time over quantize time. */
        public double ratioToCopy() {
            return copySeconds / seconds;
        }
    }

    public static final List<String> DEFAULT_FORMATS = List.of("mxfp8_e4m3", "mxfp8_e5m2", "mxfp6_e3m2", "mxfp6_e2m3",
            "mxfp4_e2m1", "mxint8", "mx9", "mx6", "mx4");

    private FormatBench() {
    }

    public static List<Result> run(List<String> formats, int rows, int cols, int[] threadCounts, int runs, Runnable onStep) {
        int n = rows * cols;
        int[] shape = {rows, cols};
        float[] src = new float[n];
        SplittableRandom r = new SplittableRandom(5);
        for (int i = 0; i < n; i++) {
            src[i] = (float) r.nextGaussian();
        }
        float[] dst = new float[n];
        List<Result> out = new ArrayList<>();
        for (int threads : threadCounts) {
            Parallelism par = Parallelism.of(threads);
            Runnable copy = () -> par.parallelFor(threads, (a, b) -> {
                for (int c = a; c < b; c++) {
                    int s = (int) ((long) n * c / threads);
                    int e = (int) ((long) n * (c + 1) / threads);
                    System.arraycopy(src, s, dst, s, e - s);
                }
            });
            for (String name : formats) {
                NumericFormat f = FormatRegistry.parse(name);
                double copySeconds = Stopwatch.median(copy, 5, runs);
                double seconds = Stopwatch.median(() -> f.quantizeDequantize(src, dst, shape, 1, par), 12, runs);
                String kernel = f instanceof MxFormat m ? m.implementation() : f instanceof BdrFormat b ? b.implementation() : "scalar";
                out.add(new Result(f.name(), kernel, threads, seconds, copySeconds));
                onStep.run();
            }
        }
        return out;
    }
}
