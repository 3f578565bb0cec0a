package dev.quantize.samples;

import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * What the generator measured for one sample: per split ("calib", "eval", "drift") the FP32 metrics
 * of the trained model, computed by the trainer's own forward pass.
 */
public record SampleReport(String name, String task, Map<String, Map<String, Double>> splits) {
    public SampleReport {
        Map<String, Map<String, Double>> copy = new LinkedHashMap<>();
        splits.forEach((k, v) -> copy.put(k, Collections.unmodifiableMap(new LinkedHashMap<>(v))));
        splits = Collections.unmodifiableMap(copy);
    }

    /** One metric of one split; throws naming what exists when absent. */
    public double metric(String split, String metric) {
        Map<String, Double> m = splits.get(split);
        if (m == null || !m.containsKey(metric)) {
            throw new IllegalArgumentException("sample " + name + " has no metric '" + metric + "' for split '" + split
                    + "' (splits: " + splits.keySet() + (m == null ? "" : ", metrics: " + m.keySet()) + ")");
        }
        return m.get(metric);
    }
}
