package dev.quantize.calibration.range;

import dev.quantize.calibration.stats.AbsHistogram;

/**
 * The threshold that minimises the estimated squared quantization error on an |x| histogram, in the
 * spirit of FBGEMM's L2 range selection, but symmetric: the candidates are the bin edges
 * {@code T = k * binWidth}, k = 1..bins, each defining a symmetric grid over {@code [-T, T]} with
 * step {@code T / (2^(bits-1) - 1)}. Every value is taken at its bin centre {@code c}. A value with
 * {@code c <= T} costs the rounding error of a uniform variable, {@code step^2 / 12}; a value above
 * costs its clipping error {@code (c - T)^2}. Suffix sums make each candidate O(1). The smallest
 * error wins (the smallest T on ties).
 */
public final class MseSelector {
    public static final int DEFAULT_BITS = 8;

    private MseSelector() {
    }

    public static double threshold(AbsHistogram h, int bits) {
        if (bits < 2 || bits > 31) {
            throw new IllegalArgumentException("bits must be in [2, 31], not " + bits);
        }
        int bins = h.bins();
        double w = h.binWidth();
        if (h.total() == 0 || w == 0) {
            return 0;
        }
        double levels = (1L << (bits - 1)) - 1;
        // Suffix sums over bins j >= k of h, h*c and h*c^2.
        double[] s0 = new double[bins + 1];
        double[] s1 = new double[bins + 1];
        double[] s2 = new double[bins + 1];
        for (int j = bins - 1; j >= 0; j--) {
            double c = (j + 0.5) * w;
            double n = h.count(j);
            s0[j] = s0[j + 1] + n;
            s1[j] = s1[j + 1] + n * c;
            s2[j] = s2[j + 1] + n * c * c;
        }
        double best = Double.POSITIVE_INFINITY;
        int bestK = bins;
        for (int k = 1; k <= bins; k++) {
            double t = k * w;
            double step = t / levels;
            double inside = s0[0] - s0[k];
            double clipping = Math.max(0, s2[k] - 2 * t * s1[k] + t * t * s0[k]);
            double error = inside * step * step / 12 + clipping;
            if (error < best) {
                best = error;
                bestK = k;
            }
        }
        return bestK * w;
    }
}
