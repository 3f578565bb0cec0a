package dev.quantize.quantizer.search;

import java.util.List;

/**
 * What the model's output means, and so which metrics judge it: a binary probability (CTR models:
 * AUC, normalized entropy, calibration; primary NE), multi-class scores (top-1 accuracy), or, without
 * labels, nothing but closeness to FP32 (SQNR and cosine; primary SQNR).
 */
public enum Task {
    BINARY(Metric.NE, List.of(Metric.NE, Metric.AUC, Metric.CALIBRATION_ERROR, Metric.SQNR, Metric.COSINE)),
    MULTICLASS(Metric.ACCURACY, List.of(Metric.ACCURACY, Metric.SQNR, Metric.COSINE)),
    NONE(Metric.SQNR, List.of(Metric.SQNR, Metric.COSINE));

    private final Metric primary;
    private final List<Metric> metrics;

    Task(Metric primary, List<Metric> metrics) {
        this.primary = primary;
        this.metrics = metrics;
    }

    public Metric primary() {
        return primary;
    }

    public List<Metric> metrics() {
        return metrics;
    }
}
