package dev.quantize.calibration;

import java.io.Serializable;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * The pass-2 configuration, derived from the merged pass-1 statistics: for each activation the
 * histogram range (its absmax over all the data) and, when per-channel histograms are wanted, each
 * channel's absmax. Every pass-2 partial built from one plan bins identically, which is what makes
 * histograms merge exactly. Small, serializable and JSON-friendly so a driver can ship it to workers.
 */
public record HistogramPlan(int bins, Map<String, Entry> tensors) implements Serializable {
    /** One tensor's ranges; {@code channelRanges} is null without per-channel histograms. */
    public record Entry(double range, double[] channelRanges) implements Serializable {
    }

    public HistogramPlan {
        if (bins < 1) {
            throw new IllegalArgumentException("histogram plan needs at least one bin, not " + bins);
        }
        tensors = Collections.unmodifiableMap(new LinkedHashMap<>(tensors));
    }

    /**
     * The plan for {@code pass1}'s activations. Per-channel histograms are planned when
     * {@code perChannel} and the tensor has at most {@code maxChannels} channels (each costs
     * {@code bins * 8} bytes).
     */
    public static HistogramPlan from(CalibrationStats pass1, int bins, boolean perChannel, int maxChannels) {
        Map<String, Entry> m = new LinkedHashMap<>();
        for (Map.Entry<String, TensorStats> e : pass1.tensors().entrySet()) {
            TensorStats t = e.getValue();
            if (t.kind() != TensorStats.Kind.ACTIVATION) {
                continue;
            }
            double[] channels = null;
            int n = t.stats().channels();
            if (perChannel && n > 0 && n <= maxChannels) {
                channels = new double[n];
                for (int c = 0; c < n; c++) {
                    channels[c] = t.stats().channelAbsMax(c);
                }
            }
            m.put(e.getKey(), new Entry(t.stats().absMax(), channels));
        }
        return new HistogramPlan(bins, m);
    }
}
