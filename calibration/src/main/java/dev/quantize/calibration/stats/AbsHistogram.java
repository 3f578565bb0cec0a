package dev.quantize.calibration.stats;

import com.fasterxml.jackson.annotation.JsonAutoDetect;
import com.fasterxml.jackson.annotation.JsonPropertyOrder;
import java.io.Serializable;

/**
 * A histogram of |x| over {@code [0, range]} with equal-width bins (2048 by default): bin
 * {@code floor(|x| * bins / range)}, the value {@code range} itself in the last bin. The range is
 * fixed before any value is added (the absmax of pass 1), so histograms of different partitions
 * built with the same range merge exactly by adding counts. Non-finite values are not counted
 * (RunningStats counts them). A value above the range can only come from data pass 1 did not see;
 * it is counted in the last bin and in {@link #overflow()} so the mismatch stays visible.
 * A range of 0 (all zeros) puts every value in bin 0.
 */
@JsonAutoDetect(fieldVisibility = JsonAutoDetect.Visibility.ANY, getterVisibility = JsonAutoDetect.Visibility.NONE,
        isGetterVisibility = JsonAutoDetect.Visibility.NONE)
@JsonPropertyOrder({"range", "overflow", "counts"})
public final class AbsHistogram implements Serializable {
    public static final int DEFAULT_BINS = 2048;
    private static final long serialVersionUID = 1L;

    private double range;
    private long overflow;
    private long[] counts;

    /** For Jackson. */
    private AbsHistogram() {
    }

    public AbsHistogram(double range, int bins) {
        if (!(range >= 0) || Double.isInfinite(range)) {
            throw new IllegalArgumentException("histogram range must be finite and non-negative, not " + range);
        }
        if (bins < 1) {
            throw new IllegalArgumentException("histogram needs at least one bin, not " + bins);
        }
        this.range = range;
        this.counts = new long[bins];
    }

    /** Adds channel {@code channel} of {@code v} (channel 0 of a tensor without channel axis is all of it). */
    public void add(TensorValues v, int channel) {
        int bins = counts.length;
        double scale = range > 0 ? bins / range : 0;
        int channels = v.channels();
        int inner = v.inner();
        for (int o = 0, outer = v.outer(); o < outer; o++) {
            int base = (o * channels + channel) * inner;
            for (int i = 0; i < inner; i++) {
                double a = Math.abs(v.get(base + i));
                if (a < Double.POSITIVE_INFINITY) {    // false for NaN and infinities
                    add(a, scale, bins);
                }
            }
        }
    }

    /** Adds every element of {@code v}, whatever its channels. */
    public void addAll(TensorValues v) {
        int bins = counts.length;
        double scale = range > 0 ? bins / range : 0;
        for (int i = 0, n = v.size(); i < n; i++) {
            double a = Math.abs(v.get(i));
            if (a < Double.POSITIVE_INFINITY) {
                add(a, scale, bins);
            }
        }
    }

    private void add(double a, double scale, int bins) {
        if (a > range) {
            overflow++;
        }
        int b = (int) (a * scale);
        counts[b < bins ? b : bins - 1]++;
    }

    /** Adds {@code other}'s counts into this; both must have the same range and bins. */
    public void merge(AbsHistogram other) {
        if (other.range != range || other.counts.length != counts.length) {
            throw new IllegalArgumentException("histograms over [0, " + range + "] in " + counts.length + " bins and [0, "
                    + other.range + "] in " + other.counts.length + " bins cannot be merged exactly: pass-2 partials must "
                    + "all be built from one HistogramPlan (the merged pass-1 statistics)");
        }
        for (int i = 0; i < counts.length; i++) {
            counts[i] += other.counts[i];
        }
        overflow += other.overflow;
    }

    public AbsHistogram copy() {
        AbsHistogram h = new AbsHistogram(range, counts.length);
        h.merge(this);
        return h;
    }

    public void validate(String where) {
        if (counts == null || counts.length == 0) {
            throw new IllegalArgumentException(where + ": histogram has no bins");
        }
        if (!(range >= 0) || Double.isInfinite(range)) {
            throw new IllegalArgumentException(where + ": histogram range " + range + " is not finite and non-negative");
        }
        long total = 0;
        for (long c : counts) {
            if (c < 0) {
                throw new IllegalArgumentException(where + ": negative histogram count");
            }
            total += c;
        }
        if (overflow < 0 || overflow > total) {
            throw new IllegalArgumentException(where + ": overflow count " + overflow + " outside [0, " + total + "]");
        }
    }

    public double range() {
        return range;
    }

    public int bins() {
        return counts.length;
    }

    public double binWidth() {
        return range / counts.length;
    }

    public long count(int bin) {
        return counts[bin];
    }

    /** A copy of the counts. */
    public long[] counts() {
        return counts.clone();
    }

    public long total() {
        long t = 0;
        for (long c : counts) {
            t += c;
        }
        return t;
    }

    /** Values that fell above the range (counted in the last bin). */
    public long overflow() {
        return overflow;
    }
}
