package dev.quantize.monitor.history;

import java.time.Instant;
import java.util.Map;
import java.util.Objects;

/**
 * One monitoring window of one model: its summary metrics, per-layer metrics (layer -> name -> value),
 * per-input drift metrics (input -> name -> value), status and the full window report as JSON.
 * NaN values are allowed (e.g. an AUC on a one-class window) and round-trip through the store.
 */
public record WindowRecord(String model, String window, Instant startedAt, long rows,
                           Map<String, Double> metrics,
                           Map<String, Map<String, Double>> layers,
                           Map<String, Map<String, Double>> inputs,
                           String status, String reportJson) {

    public WindowRecord {
        Objects.requireNonNull(model, "model");
        Objects.requireNonNull(window, "window");
        Objects.requireNonNull(startedAt, "startedAt");
        Objects.requireNonNull(status, "status");
        metrics = Map.copyOf(metrics);
        layers = copyNested(layers);
        inputs = copyNested(inputs);
        reportJson = reportJson == null ? "" : reportJson;
        if (rows < 0) {
            throw new IllegalArgumentException("window " + window + ": rows must be >= 0, got " + rows);
        }
    }

    private static Map<String, Map<String, Double>> copyNested(Map<String, Map<String, Double>> m) {
        Map<String, Map<String, Double>> copy = new java.util.TreeMap<>();
        m.forEach((k, v) -> copy.put(k, Map.copyOf(v)));
        return Map.copyOf(copy);
    }
}
