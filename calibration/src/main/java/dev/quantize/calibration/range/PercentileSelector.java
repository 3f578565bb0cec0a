package dev.quantize.calibration.range;

import dev.quantize.calibration.stats.AbsHistogram;

/**
 * The percentile threshold: the value below which {@code p}% of the |x| counted in a histogram
 * fall, interpolated linearly within the bin where the cumulative count reaches {@code p}% (values
 * are taken as spread evenly over their bin). p = 100 gives the upper edge of the last non-empty bin.
 */
public final class PercentileSelector {
    /** The default, as in common INT8 toolchains: keep all but one in 100,000 values unclipped. */
    public static final double DEFAULT_PERCENTILE = 99.999;

    private PercentileSelector() {
    }

    public static double threshold(AbsHistogram h, double percentile) {
        if (!(percentile > 0 && percentile <= 100)) {
            throw new IllegalArgumentException("percentile must be in (0, 100], not " + percentile);
        }
        long total = h.total();
        if (total == 0) {
            return 0;
        }
        double target = percentile / 100 * total;
        double width = h.binWidth();
        long cumulative = 0;
        for (int i = 0; i < h.bins(); i++) {
            long c = h.count(i);
            if (c > 0 && cumulative + c >= target) {
                double fraction = Math.max(0, (target - cumulative) / c);
                return Math.min(h.range(), (i + fraction) * width);
            }
            cumulative += c;
        }
        return h.range();
    }
}
