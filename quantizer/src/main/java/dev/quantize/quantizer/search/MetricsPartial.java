package dev.quantize.quantizer.search;

import dev.quantize.core.metrics.BinaryMetrics;
import dev.quantize.core.metrics.ClassificationMetrics;
import dev.quantize.core.metrics.ErrorStats;
import java.io.Serializable;
import java.util.EnumMap;
import java.util.Map;

/**
 * The task metrics of a model's outputs as a mergeable partial: fed batch by batch (outputs, labels,
 * optionally the FP32 reference outputs of the same rows), merged across partitions, finished into
 * the metrics {@link TaskMetrics} reports. An empty partial is the identity of {@link #merge}. Counts,
 * accuracy and AUC merge exactly; log loss, calibration, SQNR and cosine are double sums (within a few
 * ulps of the one-stream value). {@link TaskMetrics#compute} is this partial over one batch, so one JVM
 * and a cluster run the same code.
 */
public final class MetricsPartial implements Serializable {
    private static final long serialVersionUID = 1L;

    private long rows;
    private int outputsPerRow; // 0 until rows arrive
    private Boolean labelled;
    private Boolean referenced;
    private final BinaryMetrics binary = new BinaryMetrics();
    private long correct;
    private final ErrorStats error = new ErrorStats();

    /**
     * Adds {@code rows} rows: {@code out} is (rows, outputsPerRow) row-major; {@code labels} (one per
     * row, or null without labels) and {@code reference} (same shape as {@code out}, or null) must be
     * given for every batch or for none.
     */
    public MetricsPartial add(float[] out, float[] labels, int rows, float[] reference) {
        if (rows == 0) {
            return this;
        }
        if (out.length % rows != 0) {
            throw new IllegalArgumentException(out.length + " outputs do not make " + rows + " rows");
        }
        int perRow = out.length / rows;
        agree(perRow, labels != null, reference != null);
        if (labels != null && labels.length != rows) {
            throw new IllegalArgumentException(labels.length + " labels for " + rows + " rows");
        }
        if (reference != null) {
            error.add(reference, out);
        }
        if (labels != null && perRow == 1) {
            binary.add(out, labels);
        } else if (labels != null) {
            for (int r = 0; r < rows; r++) {
                float y = labels[r];
                if (y < 0 || y >= perRow || y != Math.rint(y)) {
                    throw new IllegalArgumentException("accuracy: label " + (long) y + " of row " + (this.rows + r)
                            + " is not a class in [0, " + perRow + ")");
                }
                if (ClassificationMetrics.argMax(out, r * perRow, perRow) == (int) y) {
                    correct++;
                }
            }
        }
        this.rows += rows;
        return this;
    }

    private void agree(int perRow, boolean hasLabels, boolean hasReference) {
        if (outputsPerRow == 0) {
            outputsPerRow = perRow;
            labelled = hasLabels;
            referenced = hasReference;
            return;
        }
        if (outputsPerRow != perRow || labelled != hasLabels || referenced != hasReference) {
            throw new IllegalArgumentException("batches disagree: " + outputsPerRow + " outputs a row"
                    + (labelled ? " with labels" : " without labels") + " then " + perRow
                    + (hasLabels ? " with labels" : " without labels"));
        }
    }

    /** Adds another partial; returns this. */
    public MetricsPartial merge(MetricsPartial o) {
        if (o.rows == 0) {
            return this;
        }
        agree(o.outputsPerRow, o.labelled, o.referenced);
        binary.merge(o.binary);
        error.merge(o.error);
        correct += o.correct;
        rows += o.rows;
        return this;
    }

    public long rows() {
        return rows;
    }

    /** The task these rows are judged as (binary, multi-class, or nothing but closeness to FP32). */
    public Task task() {
        if (rows == 0) {
            throw new IllegalArgumentException("metrics of no rows are undefined");
        }
        return !labelled ? Task.NONE : outputsPerRow == 1 ? Task.BINARY : Task.MULTICLASS;
    }

    /** The metrics of {@link #task()}; SQNR and cosine when reference outputs were given. */
    public Map<Metric, Double> metrics() {
        return metrics(task());
    }

    /** The metrics of {@code task} (which must fit the rows: labels for binary and multi-class). */
    public Map<Metric, Double> metrics(Task task) {
        Map<Metric, Double> m = new EnumMap<>(Metric.class);
        if (referenced != null && referenced) {
            m.put(Metric.SQNR, error.sqnrDb());
            m.put(Metric.COSINE, error.cosine());
        }
        if (task == Task.BINARY) {
            m.put(Metric.AUC, binary.auc());
            m.put(Metric.NE, binary.normalizedEntropy());
            m.put(Metric.CALIBRATION_ERROR, Math.abs(binary.calibration() - 1));
        } else if (task == Task.MULTICLASS) {
            m.put(Metric.ACCURACY, (double) correct / rows);
        }
        return m;
    }
}
