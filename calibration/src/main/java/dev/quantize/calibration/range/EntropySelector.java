package dev.quantize.calibration.range;

import dev.quantize.calibration.stats.AbsHistogram;

/**
 * The entropy (KL-divergence) threshold of TensorRT's INT8 calibration, on an |x| histogram.
 *
 * <p>For every candidate bin count {@code i} from {@code levels} (128 for 8 bits) to the number of
 * bins: the reference distribution P is the first {@code i} bins with all counts above them folded
 * into bin {@code i-1} (what clipping at the threshold does); the candidate Q is the same first
 * {@code i} bins (outliers not folded) merged into {@code levels} groups (bin {@code j} belongs to
 * group {@code floor(j * levels / i)}) and expanded back, each group's total spread evenly over its
 * non-empty bins, empty bins staying empty. Both are normalised and {@code KL(P || Q)} is computed,
 * infinite where P has mass and Q none. The smallest divergence wins (the first on ties) and the
 * threshold is {@code (i + 0.5) * binWidth}, capped at the histogram's range.
 */
public final class EntropySelector {
    /** Quantization levels of the magnitude in 8-bit symmetric quantization. */
    public static final int DEFAULT_LEVELS = 128;

    private EntropySelector() {
    }

    public static double threshold(AbsHistogram h, int levels) {
        int best = bestBinCount(h, levels);
        return best < 0 ? 0 : Math.min(h.range(), (best + 0.5) * h.binWidth());
    }

    /** The winning bin count {@code i}, or -1 for an empty histogram. */
    static int bestBinCount(AbsHistogram h, int levels) {
        if (levels < 1) {
            throw new IllegalArgumentException("levels must be positive, not " + levels);
        }
        int bins = h.bins();
        long[] counts = h.counts();
        long total = 0;
        for (long c : counts) {
            total += c;
        }
        if (total == 0) {
            return -1;
        }
        if (bins <= levels) {
            return bins;
        }
        long[] prefix = new long[bins + 1];
        for (int j = 0; j < bins; j++) {
            prefix[j + 1] = prefix[j] + counts[j];
        }
        double[] q = new double[bins];
        double bestDivergence = Double.POSITIVE_INFINITY;
        int best = bins;
        for (int i = levels; i <= bins; i++) {
            double kl = divergence(counts, i, total, prefix[i], levels, q);
            if (kl < bestDivergence) {
                bestDivergence = kl;
                best = i;
            }
        }
        return best;
    }

    /** KL(P || Q) for the first {@code i} bins; {@code q} is scratch space. */
    static double divergence(long[] counts, int i, long total, long kept, int levels, double[] q) {
        if (kept == 0) {
            return Double.POSITIVE_INFINITY;
        }
        // Q: each group's total spread evenly over its non-empty bins.
        int start = 0;
        for (int g = 0; g < levels; g++) {
            int end = start;
            long sum = 0;
            int nonEmpty = 0;
            while (end < i && (long) end * levels / i == g) {
                sum += counts[end];
                nonEmpty += counts[end] > 0 ? 1 : 0;
                end++;
            }
            double each = nonEmpty == 0 ? 0 : (double) sum / nonEmpty;
            for (int j = start; j < end; j++) {
                q[j] = counts[j] > 0 ? each : 0;
            }
            start = end;
        }
        long outliers = total - kept;
        double kl = 0;
        for (int j = 0; j < i; j++) {
            double pj = counts[j] + (j == i - 1 ? outliers : 0);
            if (pj == 0) {
                continue;
            }
            if (q[j] == 0) {
                return Double.POSITIVE_INFINITY;
            }
            double p = pj / total;
            kl += p * Math.log(p / (q[j] / kept));
        }
        return kl;
    }
}
