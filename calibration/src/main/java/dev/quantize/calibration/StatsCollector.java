package dev.quantize.calibration;

import dev.quantize.calibration.stats.AbsHistogram;
import dev.quantize.calibration.stats.TensorValues;
import dev.quantize.core.exec.ExecutionListener;
import dev.quantize.core.exec.NodeContext;
import dev.quantize.core.tensor.Tensor;
import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The observer of one pass: an {@link ExecutionListener} that feeds the named values it sees to
 * their statistics, plus {@link #observe(String, Tensor)} for values no node produces (graph inputs,
 * which the caller passes from the feed). Each value is observed where it is produced, so once per
 * run however many nodes read it. In pass 1 ({@code plan == null}) it fills the running statistics;
 * in pass 2 only the histograms the plan describes. Observation is synchronized: one collector may
 * listen to an executor running on several threads. Memory: fixed per value, independent of rows.
 */
public final class StatsCollector implements ExecutionListener {
    private final Map<String, TensorStats> stats = new LinkedHashMap<>();
    private final HistogramPlan plan;

    /** Pass 1 over {@code values}. */
    public static StatsCollector pass1(Collection<String> values) {
        return new StatsCollector(values, null);
    }

    /** Pass 2 over the values of {@code plan}. */
    public static StatsCollector pass2(HistogramPlan plan) {
        return new StatsCollector(plan.tensors().keySet(), plan);
    }

    private StatsCollector(Collection<String> values, HistogramPlan plan) {
        this.plan = plan;
        for (String v : values) {
            stats.put(v, new TensorStats(TensorStats.Kind.ACTIVATION));
        }
    }

    /** Whether {@code value} is observed. */
    public boolean observes(String value) {
        return stats.containsKey(value);
    }

    @Override
    public void afterNode(NodeContext node, List<Tensor> inputs, List<Tensor> outputs) {
        List<String> names = node.node().outputs();
        for (int k = 0; k < names.size(); k++) {
            String name = names.get(k);
            if (!name.isEmpty() && stats.containsKey(name) && outputs.get(k) != null) {
                try {
                    observe(name, outputs.get(k));
                } catch (IllegalArgumentException e) {
                    throw new IllegalArgumentException("node '" + node.name() + "' output '" + name + "': " + e.getMessage(), e);
                }
            }
        }
    }

    /** Observes one batch of {@code value}. */
    public synchronized void observe(String value, Tensor t) {
        TensorStats s = stats.get(value);
        if (s == null) {
            throw new IllegalArgumentException("value '" + value + "' is not observed by this collector");
        }
        int axis = CalibrationTargets.activationAxis(t.rank());
        if (plan == null) {
            s.setChannelAxis(axis, value);
            s.stats().add(TensorValues.of(t, axis));
        } else {
            addToHistograms(value, s, t, axis);
        }
    }

    private void addToHistograms(String value, TensorStats s, Tensor t, int axis) {
        HistogramPlan.Entry e = plan.tensors().get(value);
        TensorValues v = TensorValues.of(t, axis);
        if (s.histogram() == null) {
            s.setChannelAxis(axis, value);
            AbsHistogram[] channels = null;
            if (e.channelRanges() != null) {
                channels = new AbsHistogram[e.channelRanges().length];
                for (int c = 0; c < channels.length; c++) {
                    channels[c] = new AbsHistogram(e.channelRanges()[c], plan.bins());
                }
            }
            s.setHistograms(new AbsHistogram(e.range(), plan.bins()), channels);
        } else {
            s.setChannelAxis(axis, value);
        }
        s.histogram().addAll(v);
        AbsHistogram[] channels = s.channelHistograms();
        if (channels != null) {
            if (v.channels() != channels.length) {
                throw new IllegalArgumentException("value '" + value + "' has " + v.channels() + " channels but the plan has "
                        + channels.length);
            }
            for (int c = 0; c < channels.length; c++) {
                channels[c].add(v, c);
            }
        }
    }

    /** A snapshot of what was collected, as a partial ({@code rows} rows seen in this pass). */
    public synchronized CalibrationStats partial(long rows) {
        Map<String, TensorStats> copy = new LinkedHashMap<>();
        stats.forEach((k, v) -> copy.put(k, v.copy()));
        return plan == null ? new CalibrationStats(rows, 0, copy)
                : new CalibrationStats(0, rows, copy);
    }
}
