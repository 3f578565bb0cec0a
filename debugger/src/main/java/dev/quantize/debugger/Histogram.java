package dev.quantize.debugger;

/**
 * Counts of two value sets (reference and quantized) over the same equal-width bins, so their shapes
 * can be compared side by side. {@code edges} has {@code bins + 1} entries.
 */
public record Histogram(double[] edges, long[] reference, long[] quantized) {

    static Histogram of(float[] reference, float[] quantized, int bins) {
        double lo = Double.POSITIVE_INFINITY;
        double hi = Double.NEGATIVE_INFINITY;
        for (float[] a : new float[][] {reference, quantized}) {
            for (float v : a) {
                if (Float.isFinite(v)) {
                    lo = Math.min(lo, v);
                    hi = Math.max(hi, v);
                }
            }
        }
        if (!(lo <= hi)) {
            lo = 0;
            hi = 0;
        }
        if (hi == lo) {
            hi = lo + 1; // a constant tensor: one bin holds everything
        }
        double[] edges = new double[bins + 1];
        for (int i = 0; i <= bins; i++) {
            edges[i] = lo + (hi - lo) * i / bins;
        }
        return new Histogram(edges, count(reference, lo, hi, bins), count(quantized, lo, hi, bins));
    }

    private static long[] count(float[] a, double lo, double hi, int bins) {
        long[] c = new long[bins];
        for (float v : a) {
            if (Float.isFinite(v)) {
                int b = (int) Math.floor((v - lo) / (hi - lo) * bins);
                c[Math.min(bins - 1, Math.max(0, b))]++;
            }
        }
        return c;
    }
}
