package dev.quantize.monitor.window;

import java.io.Serializable;
import java.util.Map;
import java.util.TreeMap;

/**
 * Positives and negatives per distinct score: enough for the exact ROC AUC of any union of windows
 * or partitions (counts add). Memory grows with the number of distinct scores, at most the rows.
 */
final class ScoreCounts implements Serializable {
    private static final long serialVersionUID = 1L;
    private final TreeMap<Float, long[]> counts = new TreeMap<>();

    void add(float score, boolean positive) {
        long[] c = counts.computeIfAbsent(score == 0f ? 0f : score, k -> new long[2]); // -0 and +0 tie
        c[positive ? 1 : 0]++;
    }

    void merge(ScoreCounts o) {
        for (Map.Entry<Float, long[]> e : o.counts.entrySet()) {
            long[] c = counts.computeIfAbsent(e.getKey(), k -> new long[2]);
            c[0] += e.getValue()[0];
            c[1] += e.getValue()[1];
        }
    }

    /**
     * P(score of a random positive > score of a random negative), ties counting one half (the
     * Mann-Whitney statistic, equal to ClassificationMetrics.auc); NaN without both classes.
     */
    double auc() {
        double negativesBelow = 0;
        double wins = 0;
        long positives = 0;
        long negatives = 0;
        for (long[] c : counts.values()) {
            wins += c[1] * negativesBelow + 0.5 * c[1] * c[0];
            negativesBelow += c[0];
            positives += c[1];
            negatives += c[0];
        }
        return positives == 0 || negatives == 0 ? Double.NaN : wins / ((double) positives * negatives);
    }
}
