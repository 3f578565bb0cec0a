package dev.quantize.calibration.stats;

import com.fasterxml.jackson.annotation.JsonAutoDetect;
import com.fasterxml.jackson.annotation.JsonPropertyOrder;
import java.io.Serializable;
import java.util.Arrays;

/**
 * Pass-1 statistics of one tensor: a fixed-size partial that grows with nothing but the channel
 * count, so memory stays flat however many rows are observed.
 *
 * <p>Per tensor: the count of finite elements, NaN and infinity counts (non-finite values are
 * counted, never folded into min, max or sums), min, max, sum and sum of squares (in double), and
 * for the moving-average observer the number of batches with a finite value and the sums of the
 * batch minima and maxima. Per channel (when a channel axis is given): min, max and the same
 * batch sums and counts.
 *
 * <p><b>Moving average, mergeable variant.</b> PyTorch's MovingAverageMinMaxObserver keeps
 * {@code m += 0.01 * (batchMin - m)} starting from the first batch: an exponential average that
 * depends on batch order and cannot be merged exactly. Here the moving-average range is the plain
 * mean of the per-batch extrema ({@code sumBatchMin / batches}), kept as sum and count so that
 * merging is exact and associative (up to floating-point addition order of the sums). It differs
 * from PyTorch in weighting: every batch counts the same, where PyTorch gives the first batch weight
 * {@code 0.99^(n-1)} and later batches {@code 0.01 * 0.99^(n-k)}. Both still depend on how rows are
 * grouped into batches, so partitions must be split on batch boundaries for a merge to equal one run.
 *
 * <p>{@link #merge} is exact for counts, min and max, and associative up to rounding for the sums.
 * An empty instance (no channels yet) is the identity of merge.
 */
@JsonAutoDetect(fieldVisibility = JsonAutoDetect.Visibility.ANY, getterVisibility = JsonAutoDetect.Visibility.NONE,
        isGetterVisibility = JsonAutoDetect.Visibility.NONE)
@JsonPropertyOrder({"count", "nanCount", "infCount", "min", "max", "sum", "sumSquares", "batches", "sumBatchMin",
        "sumBatchMax", "channelMin", "channelMax", "channelBatches", "channelSumBatchMin", "channelSumBatchMax"})
public final class RunningStats implements Serializable {
    private static final long serialVersionUID = 1L;

    private long count;
    private long nanCount;
    private long infCount;
    private double min = Double.POSITIVE_INFINITY;
    private double max = Double.NEGATIVE_INFINITY;
    private double sum;
    private double sumSquares;
    private long batches;
    private double sumBatchMin;
    private double sumBatchMax;
    /** Null until the first batch with a channel axis fixes the channel count. */
    private double[] channelMin;
    private double[] channelMax;
    private long[] channelBatches;
    private double[] channelSumBatchMin;
    private double[] channelSumBatchMax;

    /** Adds one batch (or one weight tensor) to the statistics. */
    public void add(TensorValues v) {
        int channels = v.channels();
        boolean perChannel = v.hasChannelAxis();
        if (perChannel) {
            ensureChannels(channels);
        }
        double bMin = Double.POSITIVE_INFINITY;
        double bMax = Double.NEGATIVE_INFINITY;
        long finite = 0;
        double s = 0;
        double s2 = 0;
        int outer = v.outer();
        int inner = v.inner();
        for (int c = 0; c < channels; c++) {
            double cMin = Double.POSITIVE_INFINITY;
            double cMax = Double.NEGATIVE_INFINITY;
            for (int o = 0; o < outer; o++) {
                int base = (o * channels + c) * inner;
                for (int i = 0; i < inner; i++) {
                    double x = v.get(base + i);
                    if (Double.isNaN(x)) {
                        nanCount++;
                    } else if (Double.isInfinite(x)) {
                        infCount++;
                    } else {
                        finite++;
                        s += x;
                        s2 += x * x;
                        cMin = Math.min(cMin, x);
                        cMax = Math.max(cMax, x);
                    }
                }
            }
            bMin = Math.min(bMin, cMin);
            bMax = Math.max(bMax, cMax);
            if (perChannel && cMin <= cMax) {
                channelMin[c] = Math.min(channelMin[c], cMin);
                channelMax[c] = Math.max(channelMax[c], cMax);
                channelBatches[c]++;
                channelSumBatchMin[c] += cMin;
                channelSumBatchMax[c] += cMax;
            }
        }
        count += finite;
        sum += s;
        sumSquares += s2;
        if (finite > 0) {
            min = Math.min(min, bMin);
            max = Math.max(max, bMax);
            batches++;
            sumBatchMin += bMin;
            sumBatchMax += bMax;
        }
    }

    private void ensureChannels(int channels) {
        if (channelMin == null) {
            channelMin = new double[channels];
            channelMax = new double[channels];
            Arrays.fill(channelMin, Double.POSITIVE_INFINITY);
            Arrays.fill(channelMax, Double.NEGATIVE_INFINITY);
            channelBatches = new long[channels];
            channelSumBatchMin = new double[channels];
            channelSumBatchMax = new double[channels];
        } else if (channelMin.length != channels) {
            throw new IllegalArgumentException("channel count changed from " + channelMin.length + " to " + channels
                    + " between batches");
        }
    }

    /** Adds {@code other} into this (this changes; other does not). */
    public void merge(RunningStats other) {
        count += other.count;
        nanCount += other.nanCount;
        infCount += other.infCount;
        min = Math.min(min, other.min);
        max = Math.max(max, other.max);
        sum += other.sum;
        sumSquares += other.sumSquares;
        batches += other.batches;
        sumBatchMin += other.sumBatchMin;
        sumBatchMax += other.sumBatchMax;
        if (other.channelMin != null) {
            ensureChannels(other.channelMin.length);
            for (int c = 0; c < channelMin.length; c++) {
                channelMin[c] = Math.min(channelMin[c], other.channelMin[c]);
                channelMax[c] = Math.max(channelMax[c], other.channelMax[c]);
                channelBatches[c] += other.channelBatches[c];
                channelSumBatchMin[c] += other.channelSumBatchMin[c];
                channelSumBatchMax[c] += other.channelSumBatchMax[c];
            }
        }
    }

    public RunningStats copy() {
        RunningStats r = new RunningStats();
        r.merge(this);
        return r;
    }

    /** Checks a deserialized instance; {@code where} names it in the message. */
    public void validate(String where) {
        if (count < 0 || nanCount < 0 || infCount < 0 || batches < 0 || batches > 0 && count == 0) {
            throw new IllegalArgumentException(where + ": negative or inconsistent counts");
        }
        if (count > 0 && !(min <= max)) {
            throw new IllegalArgumentException(where + ": min " + min + " is above max " + max);
        }
        if (count > 0 && !(Double.isFinite(min) && Double.isFinite(max) && Double.isFinite(sum) && Double.isFinite(sumSquares)
                && Double.isFinite(sumBatchMin) && Double.isFinite(sumBatchMax))) {
            throw new IllegalArgumentException(where + ": statistics of finite values are not finite");
        }
        if (count == 0 && (min != Double.POSITIVE_INFINITY || max != Double.NEGATIVE_INFINITY)) {
            throw new IllegalArgumentException(where + ": no values counted but min/max are set");
        }
        boolean anyChannel = channelMin != null || channelMax != null || channelBatches != null || channelSumBatchMin != null
                || channelSumBatchMax != null;
        if (anyChannel) {
            if (channelMin == null || channelMax == null || channelBatches == null || channelSumBatchMin == null
                    || channelSumBatchMax == null) {
                throw new IllegalArgumentException(where + ": per-channel arrays are partly missing");
            }
            int n = channelMin.length;
            if (n == 0 || channelMax.length != n || channelBatches.length != n || channelSumBatchMin.length != n
                    || channelSumBatchMax.length != n) {
                throw new IllegalArgumentException(where + ": per-channel arrays differ in length");
            }
            for (int c = 0; c < n; c++) {
                if (channelBatches[c] < 0 || channelBatches[c] > 0 && !(channelMin[c] <= channelMax[c])) {
                    throw new IllegalArgumentException(where + ": channel " + c + " has min above max or a negative count");
                }
            }
        }
    }

    public long count() {
        return count;
    }

    public long nanCount() {
        return nanCount;
    }

    public long infCount() {
        return infCount;
    }

    /** +Infinity when nothing finite was seen. */
    public double min() {
        return min;
    }

    /** -Infinity when nothing finite was seen. */
    public double max() {
        return max;
    }

    public double absMax() {
        return count == 0 ? 0 : Math.max(Math.abs(min), Math.abs(max));
    }

    public double sum() {
        return sum;
    }

    public double sumSquares() {
        return sumSquares;
    }

    public double mean() {
        return count == 0 ? Double.NaN : sum / count;
    }

    /** Population standard deviation. */
    public double std() {
        if (count == 0) {
            return Double.NaN;
        }
        double m = sum / count;
        return Math.sqrt(Math.max(0, sumSquares / count - m * m));
    }

    public long batches() {
        return batches;
    }

    /** Mean of the batch minima (NaN without batches). */
    public double meanBatchMin() {
        return batches == 0 ? Double.NaN : sumBatchMin / batches;
    }

    public double meanBatchMax() {
        return batches == 0 ? Double.NaN : sumBatchMax / batches;
    }

    /** Channels, or 0 when no channel axis was observed. */
    public int channels() {
        return channelMin == null ? 0 : channelMin.length;
    }

    public double channelMin(int c) {
        return channelMin[c];
    }

    public double channelMax(int c) {
        return channelMax[c];
    }

    public double channelAbsMax(int c) {
        return channelBatches[c] == 0 ? 0 : Math.max(Math.abs(channelMin[c]), Math.abs(channelMax[c]));
    }

    public long channelBatches(int c) {
        return channelBatches[c];
    }

    public double channelMeanBatchMin(int c) {
        return channelBatches[c] == 0 ? Double.NaN : channelSumBatchMin[c] / channelBatches[c];
    }

    public double channelMeanBatchMax(int c) {
        return channelBatches[c] == 0 ? Double.NaN : channelSumBatchMax[c] / channelBatches[c];
    }
}
