package dev.quantize.monitor.history;

import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.Map;

/** Deterministic hand-built windows: every value is a function of (window index, name), so tests can recompute it. */
final class Records {
    static final int LAYERS = 20;
    static final int INPUTS = 10;

    private Records() {
    }

    static WindowRecord window(String model, int i) {
        Map<String, Map<String, Double>> layers = new LinkedHashMap<>();
        for (int l = 0; l < LAYERS; l++) {
            layers.put("layer" + l, Map.of("sqnr_db", 30.0 + i + l / 100.0, "saturation", l / 1000.0 + i));
        }
        Map<String, Map<String, Double>> inputs = new LinkedHashMap<>();
        for (int f = 0; f < INPUTS; f++) {
            inputs.put("f" + f, Map.of("psi", i * 0.01 + f, "ks", i * 0.001 + f));
        }
        return new WindowRecord(model, String.format("w%05d", i), Instant.ofEpochMilli(1_700_000_000_000L + i * 60_000L),
                1000 + i, Map.of("agreement", 1.0 - i * 1e-4, "sqnr_db", 40.0 - i * 0.5, "auc_delta", i * 1e-3),
                layers, inputs, i % 3 == 0 ? "healthy" : "warn", "{\"window\":" + i + "}");
    }
}
