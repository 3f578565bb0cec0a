package dev.quantize.core.metrics;

import java.util.Arrays;

/**
 * Quality metrics of classifiers over a whole split: exact ROC AUC, log loss, normalized entropy and
 * calibration for binary probabilities (CTR models), top-1 accuracy for multi-class logits. Sums run in
 * double in row order, so the same inputs always give the same bits.
 */
public final class ClassificationMetrics {
    /** Probabilities are clipped to [EPS, 1 - EPS] before taking logs, so a confident miss costs a finite amount. */
    public static final double EPS = 1e-7;

    private ClassificationMetrics() {
    }

    /**
     * ROC AUC of {@code scores} against 0/1 {@code labels}: the probability that a random positive
     * scores above a random negative, ties counting one half (Mann-Whitney with average ranks).
     */
    public static double auc(float[] scores, float[] labels) {
        checkBinary(scores, labels);
        int n = scores.length;
        Integer[] order = new Integer[n];
        for (int i = 0; i < n; i++) {
            order[i] = i;
        }
        Arrays.sort(order, (a, b) -> Float.compare(scores[a], scores[b]));
        double positiveRankSum = 0;
        long positives = 0;
        int i = 0;
        while (i < n) {
            int j = i;
            while (j + 1 < n && scores[order[j + 1]] == scores[order[i]]) {
                j++;
            }
            double averageRank = (i + j) / 2.0 + 1; // ranks are 1-based; a tie group shares the mean of its ranks
            for (int k = i; k <= j; k++) {
                if (labels[order[k]] == 1f) {
                    positiveRankSum += averageRank;
                    positives++;
                }
            }
            i = j + 1;
        }
        long negatives = n - positives;
        if (positives == 0 || negatives == 0) {
            throw new IllegalArgumentException("AUC needs both classes; the labels hold " + positives + " positives and "
                    + negatives + " negatives");
        }
        return (positiveRankSum - positives * (positives + 1) / 2.0) / ((double) positives * negatives);
    }

    /** Mean binary cross-entropy (natural log) of probabilities against 0/1 labels, probabilities clipped by {@link #EPS}. */
    public static double logLoss(float[] probabilities, float[] labels) {
        checkBinary(probabilities, labels);
        double sum = 0;
        for (int i = 0; i < probabilities.length; i++) {
            double p = Math.min(Math.max(probabilities[i], EPS), 1 - EPS);
            sum -= labels[i] == 1f ? StrictMath.log(p) : StrictMath.log(1 - p);
        }
        return sum / probabilities.length;
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
        double logLoss = logLoss(probabilities, labels);
        double p = baseRate(labels);
        if (p == 0 || p == 1) {
            throw new IllegalArgumentException("normalized entropy needs both classes; the base rate is " + p);
        }
        return logLoss / -(p * StrictMath.log(p) + (1 - p) * StrictMath.log(1 - p));
    }

    /** Mean prediction divided by mean label: 1 when the model is calibrated on average. */
    public static double calibration(float[] probabilities, float[] labels) {
        checkBinary(probabilities, labels);
        double sum = 0;
        for (float p : probabilities) {
            sum += p;
        }
        double rate = baseRate(labels);
        if (rate == 0) {
            throw new IllegalArgumentException("calibration needs at least one positive label");
        }
        return sum / probabilities.length / rate;
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

    private static void checkBinary(float[] predictions, float[] labels) {
        if (predictions.length != labels.length) {
            throw new IllegalArgumentException(predictions.length + " predictions but " + labels.length + " labels");
        }
        if (labels.length == 0) {
            throw new IllegalArgumentException("binary metrics of no rows are undefined");
        }
        for (int i = 0; i < labels.length; i++) {
            if (labels[i] != 0f && labels[i] != 1f) {
                throw new IllegalArgumentException("label " + labels[i] + " of row " + i + " is not 0 or 1");
            }
        }
    }
}
