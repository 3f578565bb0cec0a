package dev.quantize.quantizer.search;

import java.util.Map;

/**
 * The metrics of a model's outputs over a split, for its task; shared by the search and `quantize eval`.
 * The arithmetic is {@link MetricsPartial}'s, which distributed runs merge.
 */
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
        if (outputsPerRow < 1) {
            throw new IllegalArgumentException("outputs per row must be at least 1, not " + outputsPerRow);
        }
        int rows = labels != null ? labels.length : out.length / outputsPerRow;
        return new MetricsPartial().add(out, labels, rows, reference).metrics(task);
    }
}
