package dev.quantize.calibration;

import com.fasterxml.jackson.annotation.JsonAutoDetect;
import com.fasterxml.jackson.annotation.JsonPropertyOrder;
import dev.quantize.calibration.range.EntropySelector;
import dev.quantize.calibration.range.MseSelector;
import dev.quantize.calibration.range.PercentileSelector;
import dev.quantize.calibration.stats.AbsHistogram;
import dev.quantize.calibration.stats.RunningStats;
import java.io.Serializable;
import java.util.ArrayList;
import java.util.List;

/**
 * Everything calibration knows about one tensor: its kind, the channel axis, the pass-1
 * {@link RunningStats} and the pass-2 |x| histograms (per tensor and, when asked, per channel).
 *
 * <p>Activations: pass-1 partials merge by adding; pass-2 histograms exist only in pass-2 partials
 * and merge by adding counts over the same range. An empty side is the identity, so
 * {@code merge(pass-1 partials) merge merge(pass-2 partials)} is the complete statistics.
 * Weights are computed whole from the initializer in every pass-1 partial, so partials hold the same
 * weight statistics and merging keeps one copy (refusing weights that differ: partials of different
 * models).
 *
 * <p>Ranges from a histogram are symmetric thresholds T on |x|, clipped to the observed values:
 * {@code [max(min, -T), min(max, T)]}, so a non-negative tensor (a ReLU output) gets {@code [min, T]}.
 * This instance is mutable while a pass fills it; the merge methods return new instances.
 */
@JsonAutoDetect(fieldVisibility = JsonAutoDetect.Visibility.ANY, getterVisibility = JsonAutoDetect.Visibility.NONE,
        isGetterVisibility = JsonAutoDetect.Visibility.NONE)
@JsonPropertyOrder({"kind", "channelAxis", "stats", "histogram", "channelHistograms"})
public final class TensorStats implements Serializable {
    private static final long serialVersionUID = 1L;

    /** What the tensor is to the model. */
    public enum Kind {
        /** A value computed from the data: observed batch by batch. */
        ACTIVATION,
        /** An initializer: computed once from the tensor, no data pass. */
        WEIGHT
    }

    private Kind kind;
    /** -1 for none (rank below 2); set by the first observation. */
    private int channelAxis = -1;
    private RunningStats stats = new RunningStats();
    private AbsHistogram histogram;
    private AbsHistogram[] channelHistograms;

    /** For Jackson. */
    private TensorStats() {
    }

    public TensorStats(Kind kind) {
        this.kind = kind;
    }

    public Kind kind() {
        return kind;
    }

    public int channelAxis() {
        return channelAxis;
    }

    public RunningStats stats() {
        return stats;
    }

    /** The pass-2 histogram, or null before pass 2. */
    public AbsHistogram histogram() {
        return histogram;
    }

    /** Per-channel histograms, or null when not collected. */
    public AbsHistogram channelHistogram(int c) {
        return channelHistograms == null ? null : channelHistograms[c];
    }

    public boolean hasChannelHistograms() {
        return channelHistograms != null;
    }

    void setChannelAxis(int axis, String name) {
        if (stats.count() + stats.nanCount() + stats.infCount() > 0 || histogram != null) {
            if (axis != channelAxis) {
                throw new IllegalArgumentException("tensor '" + name + "' changed rank between batches (channel axis "
                        + channelAxis + " then " + axis + ")");
            }
        }
        channelAxis = axis;
    }

    void setHistograms(AbsHistogram tensor, AbsHistogram[] channels) {
        this.histogram = tensor;
        this.channelHistograms = channels;
    }

    AbsHistogram[] channelHistograms() {
        return channelHistograms;
    }

    /** A new instance holding this and {@code other}; {@code name} names the tensor in errors. */
    TensorStats merged(TensorStats other, String name) {
        if (kind != other.kind) {
            throw new IllegalArgumentException("tensor '" + name + "' is " + kind + " in one partial and " + other.kind
                    + " in the other");
        }
        if (kind == Kind.WEIGHT) {
            return mergedWeight(other, name);
        }
        boolean thisHasData = channelAxisKnown();
        boolean otherHasData = other.channelAxisKnown();
        if (thisHasData && otherHasData && channelAxis != other.channelAxis) {
            throw new IllegalArgumentException("tensor '" + name + "' has channel axis " + channelAxis + " in one partial and "
                    + other.channelAxis + " in the other");
        }
        TensorStats m = new TensorStats(kind);
        m.channelAxis = thisHasData ? channelAxis : other.channelAxis;
        m.stats = stats.copy();
        m.stats.merge(other.stats);
        m.histogram = mergeHistogram(histogram, other.histogram, name);
        if (channelHistograms != null || other.channelHistograms != null) {
            if (channelHistograms != null && other.channelHistograms != null
                    && channelHistograms.length != other.channelHistograms.length) {
                throw new IllegalArgumentException("tensor '" + name + "' has " + channelHistograms.length + " and "
                        + other.channelHistograms.length + " channel histograms");
            }
            int n = channelHistograms != null ? channelHistograms.length : other.channelHistograms.length;
            m.channelHistograms = new AbsHistogram[n];
            for (int c = 0; c < n; c++) {
                m.channelHistograms[c] = mergeHistogram(channelHistograms == null ? null : channelHistograms[c],
                        other.channelHistograms == null ? null : other.channelHistograms[c], name + "' channel '" + c);
            }
        }
        return m;
    }

    private boolean channelAxisKnown() {
        return stats.count() + stats.nanCount() + stats.infCount() > 0 || histogram != null;
    }

    private TensorStats mergedWeight(TensorStats other, String name) {
        RunningStats a = stats;
        RunningStats b = other.stats;
        boolean aEmpty = a.count() + a.nanCount() + a.infCount() == 0 && histogram == null;
        boolean bEmpty = b.count() + b.nanCount() + b.infCount() == 0 && other.histogram == null;
        if (aEmpty) {
            return other.copy();
        }
        if (bEmpty) {
            return copy();
        }
        if (a.count() != b.count() || a.min() != b.min() || a.max() != b.max() || a.sum() != b.sum()
                || channelAxis != other.channelAxis) {
            throw new IllegalArgumentException("weight '" + name + "' differs between the partials (count " + a.count()
                    + " vs " + b.count() + ", range [" + a.min() + ", " + a.max() + "] vs [" + b.min() + ", " + b.max()
                    + "]): were they computed on the same model?");
        }
        if (histogram != null && other.histogram != null
                && (histogram.range() != other.histogram.range() || histogram.bins() != other.histogram.bins())) {
            throw new IllegalArgumentException("weight '" + name + "' has histograms of " + histogram.bins() + " and "
                    + other.histogram.bins() + " bins over [0, " + histogram.range() + "] and [0, " + other.histogram.range()
                    + "]: the partials were calibrated with different settings");
        }
        return histogram != null || other.histogram == null ? copy() : other.copy();
    }

    private static AbsHistogram mergeHistogram(AbsHistogram a, AbsHistogram b, String name) {
        if (a == null) {
            return b == null ? null : b.copy();
        }
        AbsHistogram m = a.copy();
        if (b != null) {
            try {
                m.merge(b);
            } catch (IllegalArgumentException e) {
                throw new IllegalArgumentException("tensor '" + name + "': " + e.getMessage(), e);
            }
        }
        return m;
    }

    public TensorStats copy() {
        TensorStats t = new TensorStats(kind);
        t.channelAxis = channelAxis;
        t.stats = stats.copy();
        t.histogram = histogram == null ? null : histogram.copy();
        if (channelHistograms != null) {
            t.channelHistograms = new AbsHistogram[channelHistograms.length];
            for (int c = 0; c < channelHistograms.length; c++) {
                t.channelHistograms[c] = channelHistograms[c].copy();
            }
        }
        return t;
    }

    /** The tensor's range by {@code selection}; {@code name} names it in errors. */
    public Range range(RangeSelection selection, String name) {
        if (stats.count() == 0) {
            throw new IllegalStateException("tensor '" + name + "' has no finite values observed, so it has no range");
        }
        return switch (selection.method()) {
            case MIN_MAX -> new Range(stats.min(), stats.max());
            case MOVING_AVERAGE_MIN_MAX -> new Range(stats.meanBatchMin(), stats.meanBatchMax());
            default -> {
                if (histogram == null) {
                    throw new IllegalStateException("tensor '" + name + "' has no histogram (pass 2 did not run), so "
                            + selection.label() + " cannot be computed");
                }
                yield clipped(threshold(histogram, selection), stats.min(), stats.max());
            }
        };
    }

    /** One range per channel by {@code selection}. */
    public List<Range> channelRanges(RangeSelection selection, String name) {
        int n = stats.channels();
        if (n == 0) {
            throw new IllegalStateException("tensor '" + name + "' has no channel statistics (rank below 2)");
        }
        if (selection.method().needsHistogram() && channelHistograms == null) {
            throw new IllegalStateException("tensor '" + name + "' has no per-channel histograms, so per-channel "
                    + selection.label() + " cannot be computed; calibrate with per-channel histograms on");
        }
        List<Range> out = new ArrayList<>(n);
        for (int c = 0; c < n; c++) {
            if (stats.channelBatches(c) == 0) {
                throw new IllegalStateException("tensor '" + name + "' channel " + c + " has no finite values observed");
            }
            double lo = stats.channelMin(c);
            double hi = stats.channelMax(c);
            out.add(switch (selection.method()) {
                case MIN_MAX -> new Range(lo, hi);
                case MOVING_AVERAGE_MIN_MAX -> new Range(stats.channelMeanBatchMin(c), stats.channelMeanBatchMax(c));
                default -> clipped(threshold(channelHistograms[c], selection), lo, hi);
            });
        }
        return out;
    }

    static double threshold(AbsHistogram h, RangeSelection s) {
        return switch (s.method()) {
            case PERCENTILE -> PercentileSelector.threshold(h, s.percentile());
            case ENTROPY -> EntropySelector.threshold(h, s.entropyLevels());
            case MSE -> MseSelector.threshold(h, s.mseBits());
            default -> throw new IllegalArgumentException(s.method() + " does not use a histogram");
        };
    }

    /** The symmetric threshold clipped to what was observed. */
    static Range clipped(double threshold, double min, double max) {
        double lo = Math.max(min, -threshold);
        double hi = Math.min(max, threshold);
        return lo <= hi ? new Range(lo, hi) : new Range(Math.min(lo, hi), Math.min(lo, hi));
    }

    void validate(String name) {
        if (kind == null) {
            throw new IllegalArgumentException("tensor '" + name + "': kind is missing");
        }
        if (stats == null) {
            throw new IllegalArgumentException("tensor '" + name + "': stats are missing");
        }
        if (channelAxis < -1) {
            throw new IllegalArgumentException("tensor '" + name + "': channel axis " + channelAxis + " is invalid");
        }
        stats.validate("tensor '" + name + "'");
        if (histogram != null) {
            histogram.validate("tensor '" + name + "' histogram");
        }
        if (channelHistograms != null) {
            if (channelHistograms.length == 0 || stats.channels() > 0 && channelHistograms.length != stats.channels()) {
                throw new IllegalArgumentException("tensor '" + name + "': " + channelHistograms.length
                        + " channel histograms for " + stats.channels() + " channels");
            }
            for (int c = 0; c < channelHistograms.length; c++) {
                if (channelHistograms[c] == null) {
                    throw new IllegalArgumentException("tensor '" + name + "': channel histogram " + c + " is missing");
                }
                channelHistograms[c].validate("tensor '" + name + "' channel " + c + " histogram");
            }
        }
    }
}
