package dev.quantize.core.metrics;

import java.io.Serializable;
import java.util.Arrays;

/**
 * The binary-classifier metrics of a split as a mergeable partial: rows, positives, the sum of
 * predictions and of log losses (double, in row order), and for ROC AUC the count of positives and of
 * negatives at each distinct score. {@link #merge} is exact for counts and AUC (integer counts merged
 * by score) and associative for the sums up to double rounding, so one JVM over a stream and many
 * workers over partitions agree: counts and AUC exactly, sums within a few ulps per merge.
 *
 * <p>AUC is the Mann-Whitney statistic with ties counting one half, computed from integers:
 * {@code sum over scores s of pos(s) * (2 * negatives below s + neg(s)) / (2 * P * N)}, one rounding
 * at the end. Scores compare as {@link Float#compare} does, except that -0 equals +0; all NaN scores
 * tie with each other above +Inf. Memory: one (score, positives, negatives) triple per distinct score,
 * plus a buffer of recent rows that is folded in (sorted) whenever it outgrows the distinct list.
 */
public final class BinaryMetrics implements Serializable {
    private static final long serialVersionUID = 1L;

    private long rows;
    private long positives;
    private double sumPrediction;
    private double sumLogLoss;
    // Distinct scores as sortable int keys, ascending, with their label counts.
    private int[] keys = new int[0];
    private long[] pos = new long[0];
    private long[] neg = new long[0];
    // Rows not yet folded in: (key << 1 | label).
    private long[] pending = new long[16];
    private int pendingSize;

    /** The metrics of whole arrays (a split in one piece). */
    public static BinaryMetrics of(float[] predictions, float[] labels) {
        return new BinaryMetrics().add(predictions, labels);
    }

    /**
     * Adds rows: probabilities (or scores) and their 0/1 labels. Throws, naming the row (counted from
     * the first row this partial saw), on a label that is not 0 or 1.
     */
    public BinaryMetrics add(float[] predictions, float[] labels) {
        if (predictions.length != labels.length) {
            throw new IllegalArgumentException(predictions.length + " predictions but " + labels.length + " labels");
        }
        for (int i = 0; i < labels.length; i++) {
            float y = labels[i];
            if (y != 0f && y != 1f) {
                throw new IllegalArgumentException("label " + y + " of row " + (rows + i) + " is not 0 or 1");
            }
        }
        for (int i = 0; i < predictions.length; i++) {
            boolean positive = labels[i] == 1f;
            double p = Math.min(Math.max(predictions[i], ClassificationMetrics.EPS), 1 - ClassificationMetrics.EPS);
            sumLogLoss -= positive ? StrictMath.log(p) : StrictMath.log(1 - p);
            sumPrediction += predictions[i];
            if (positive) {
                positives++;
            }
            if (pendingSize == pending.length) {
                pending = Arrays.copyOf(pending, pending.length * 2);
            }
            pending[pendingSize++] = ((long) key(predictions[i]) << 1) | (positive ? 1 : 0);
        }
        rows += predictions.length;
        if (pendingSize > Math.max(1024, keys.length)) {
            fold();
        }
        return this;
    }

    /** Adds another partial: afterwards this holds the rows of both. Returns this. */
    public BinaryMetrics merge(BinaryMetrics other) {
        other.fold();
        fold();
        mergeDistinct(other.keys, other.pos, other.neg, other.keys.length);
        rows += other.rows;
        positives += other.positives;
        sumPrediction += other.sumPrediction;
        sumLogLoss += other.sumLogLoss;
        return this;
    }

    public long rows() {
        return rows;
    }

    public long positives() {
        return positives;
    }

    /** Distinct scores seen (after folding): the size of the AUC state. */
    public int distinctScores() {
        fold();
        return keys.length;
    }

    /** ROC AUC: the probability that a random positive scores above a random negative, ties one half. */
    public double auc() {
        fold();
        long negatives = rows - positives;
        if (positives == 0 || negatives == 0) {
            throw new IllegalArgumentException("AUC needs both classes; the labels hold " + positives + " positives and "
                    + negatives + " negatives");
        }
        long below = 0;
        long twiceWins = 0; // 2 * (pairs won + half the ties): an integer
        for (int g = 0; g < keys.length; g++) {
            twiceWins = Math.addExact(twiceWins, Math.multiplyExact(pos[g], Math.addExact(2 * below, neg[g])));
            below += neg[g];
        }
        return twiceWins / (2.0 * positives * negatives);
    }

    /** Mean binary cross-entropy (natural log), probabilities clipped to [EPS, 1 - EPS]. */
    public double logLoss() {
        requireRows();
        return sumLogLoss / rows;
    }

    /** The fraction of positive labels. */
    public double baseRate() {
        requireRows();
        return (double) positives / rows;
    }

    /** Log loss over the entropy of the base rate (below 1: better than predicting the base rate). */
    public double normalizedEntropy() {
        double logLoss = logLoss();
        double p = baseRate();
        if (p == 0 || p == 1) {
            throw new IllegalArgumentException("normalized entropy needs both classes; the base rate is " + p);
        }
        return logLoss / -(p * StrictMath.log(p) + (1 - p) * StrictMath.log(1 - p));
    }

    /** Mean prediction over mean label: 1 when calibrated on average. */
    public double calibration() {
        requireRows();
        double rate = baseRate();
        if (rate == 0) {
            throw new IllegalArgumentException("calibration needs at least one positive label");
        }
        return sumPrediction / rows / rate;
    }

    private void requireRows() {
        if (rows == 0) {
            throw new IllegalArgumentException("binary metrics of no rows are undefined");
        }
    }

    /**
     * The score's bits mapped so that signed int order is {@link Float#compare} order; -0 maps like +0
     * and every NaN like the canonical NaN (above +Inf).
     */
    static int key(float score) {
        int b = Float.floatToIntBits(score == 0f ? 0f : score);
        return b ^ ((b >> 31) & 0x7fffffff);
    }

    /** Sorts the pending rows into runs per score and merges them into the distinct list. */
    private void fold() {
        if (pendingSize == 0) {
            return;
        }
        long[] p = Arrays.copyOf(pending, pendingSize);
        Arrays.sort(p);
        int[] k = new int[p.length];
        long[] ps = new long[p.length];
        long[] ns = new long[p.length];
        int n = -1;
        for (int i = 0; i < p.length; i++) {
            int key = (int) (p[i] >> 1);
            if (n < 0 || k[n] != key) {
                k[++n] = key;
            }
            if ((p[i] & 1) == 1) {
                ps[n]++;
            } else {
                ns[n]++;
            }
        }
        pendingSize = 0;
        if (pending.length > 1 << 16) {
            pending = new long[16];
        }
        mergeDistinct(k, ps, ns, n + 1);
    }

    /** Merges sorted distinct (key, pos, neg) runs into this partial's, adding counts of equal keys. */
    private void mergeDistinct(int[] k2, long[] p2, long[] n2, int m) {
        int n = keys.length;
        int[] k = new int[n + m];
        long[] ps = new long[n + m];
        long[] ns = new long[n + m];
        int i = 0;
        int j = 0;
        int o = 0;
        while (i < n || j < m) {
            if (j == m || (i < n && keys[i] < k2[j])) {
                k[o] = keys[i];
                ps[o] = pos[i];
                ns[o++] = neg[i++];
            } else if (i == n || k2[j] < keys[i]) {
                k[o] = k2[j];
                ps[o] = p2[j];
                ns[o++] = n2[j++];
            } else {
                k[o] = keys[i];
                ps[o] = pos[i] + p2[j];
                ns[o++] = neg[i++] + n2[j++];
            }
        }
        keys = Arrays.copyOf(k, o);
        pos = Arrays.copyOf(ps, o);
        neg = Arrays.copyOf(ns, o);
    }

    /** Folds pending rows before Java serialization so partials travel compact. */
    private void writeObject(java.io.ObjectOutputStream out) throws java.io.IOException {
        fold();
        pending = new long[16];
        out.defaultWriteObject();
    }
}
