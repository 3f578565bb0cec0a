package dev.quantize.core.metrics;

/**
 * Quality metrics of classifiers over a whole split: exact ROC AUC, log loss, normalized entropy and
 * calibration for binary probabilities (CTR models), top-1 accuracy for multi-class logits. Sums run in
 * double in row order, so the same inputs always give the same bits; the binary metrics are
 * {@link BinaryMetrics}, the mergeable partial distributed runs use.
 */
public final class ClassificationMetrics {
    /** Probabilities are clipped to [EPS, 1 - EPS] before taking logs, so a confident miss costs a finite amount. */
    public static final double EPS = 1e-7;

    private ClassificationMetrics() {
    }

    /**
     * ROC AUC of {@code scores} against 0/1 {@code labels}: the probability that a random positive
     * scores above a random negative, ties counting one half (Mann-Whitney with average ranks).
     * Computed exactly from per-score counts by {@link BinaryMetrics}, as distributed runs do.
     */
    public static double auc(float[] scores, float[] labels) {
        return binary(scores, labels).auc();
    }

    /** Mean binary cross-entropy (natural log) of probabilities against 0/1 labels, probabilities clipped by {@link #EPS}. */
    public static double logLoss(float[] probabilities, float[] labels) {
        return binary(probabilities, labels).logLoss();
    }

    /** The fraction of positive labels. */
    public static double baseRate(float[] labels) {
        double positives = 0;
        for (float y : labels) {
            positives += y;
        }
        return positives / labels.length;
    }

    /**
     * Log loss divided by the entropy of the split's own base rate: below 1 the model beats always
     * predicting the base rate. Undefined (an exception) when the labels hold one class only.
     */
    public static double normalizedEntropy(float[] probabilities, float[] labels) {
        return binary(probabilities, labels).normalizedEntropy();
    }

    /** Mean prediction divided by mean label: 1 when the model is calibrated on average. */
    public static double calibration(float[] probabilities, float[] labels) {
        return binary(probabilities, labels).calibration();
    }

    private static BinaryMetrics binary(float[] predictions, float[] labels) {
        if (predictions.length != labels.length) {
            throw new IllegalArgumentException(predictions.length + " predictions but " + labels.length + " labels");
        }
        if (labels.length == 0) {
            throw new IllegalArgumentException("binary metrics of no rows are undefined");
        }
        return BinaryMetrics.of(predictions, labels);
    }

    /**
     * Top-1 accuracy. {@code logits} is (rows, classes) row-major; the predicted class is the first
     * maximum of a row; {@code labels} holds class indices.
     */
    public static double accuracy(float[] logits, int classes, long[] labels) {
        if (classes <= 0 || logits.length != (long) labels.length * classes) {
            throw new IllegalArgumentException("accuracy: " + logits.length + " logits do not make " + labels.length
                    + " rows of " + classes + " classes");
        }
        if (labels.length == 0) {
            throw new IllegalArgumentException("accuracy of no rows is undefined");
        }
        long correct = 0;
        for (int r = 0; r < labels.length; r++) {
            if (labels[r] < 0 || labels[r] >= classes) {
                throw new IllegalArgumentException("accuracy: label " + labels[r] + " of row " + r + " is not a class in [0, "
                        + classes + ")");
            }
            if (argMax(logits, r * classes, classes) == labels[r]) {
                correct++;
            }
        }
        return (double) correct / labels.length;
    }

    /** The index (relative to {@code from}) of the first maximum of {@code length} values. */
    public static int argMax(float[] values, int from, int length) {
        int best = 0;
        for (int c = 1; c < length; c++) {
            if (values[from + c] > values[from + best]) {
                best = c;
            }
        }
        return best;
    }
}
