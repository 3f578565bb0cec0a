package dev.quantize.quantizer.search;

import dev.quantize.core.metrics.ClassificationMetrics;
import dev.quantize.core.metrics.ErrorStats;
import java.util.EnumMap;
import java.util.Map;

/** The metrics of a model's outputs over a split, for its task; shared by the search and `quantize eval`. */
public final class TaskMetrics {
    private TaskMetrics() {
    }

    /** The task: no labels, one output per row (a probability), or several (class scores). */
    public static Task taskOf(float[] labels, int outputsPerRow) {
        return labels == null ? Task.NONE : outputsPerRow == 1 ? Task.BINARY : Task.MULTICLASS;
    }

    /**
     * The metrics of {@code out} (rows x outputsPerRow, row-major). {@code reference} (the FP32
     * outputs of the same rows) adds SQNR and cosine; it may be null.
     */
    public static Map<Metric, Double> compute(Task task, float[] out, float[] labels, int outputsPerRow, float[] reference) {
        Map<Metric, Double> m = new EnumMap<>(Metric.class);
        if (reference != null) {
            ErrorStats e = ErrorStats.of(reference, out);
            m.put(Metric.SQNR, e.sqnrDb());
            m.put(Metric.COSINE, e.cosine());
        }
        if (task == Task.BINARY) {
            m.put(Metric.AUC, ClassificationMetrics.auc(out, labels));
            m.put(Metric.NE, ClassificationMetrics.normalizedEntropy(out, labels));
            m.put(Metric.CALIBRATION_ERROR, Math.abs(ClassificationMetrics.calibration(out, labels) - 1));
        } else if (task == Task.MULTICLASS) {
            long[] y = new long[labels.length];
            for (int i = 0; i < y.length; i++) {
                y[i] = (long) labels[i];
            }
            m.put(Metric.ACCURACY, ClassificationMetrics.accuracy(out, outputsPerRow, y));
        }
        return m;
    }
}
