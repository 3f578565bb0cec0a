package dev.quantize.core.metrics;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

class ClassificationMetricsTest {
    @Test
    void aucCountsOrderedPairsAndHalvesTies() {
        // positives 0.8, 0.4; negatives 0.4, 0.1, 0.5. Pairs (pos > neg): 0.8 beats all 3; 0.4 beats 0.1, ties 0.4 (1/2),
        // loses to 0.5: (3 + 1.5) / 6 = 0.75.
        float[] s = {0.8f, 0.4f, 0.4f, 0.1f, 0.5f};
        float[] y = {1, 1, 0, 0, 0};
        assertEquals(0.75, ClassificationMetrics.auc(s, y), 1e-15);
        assertEquals(1.0, ClassificationMetrics.auc(new float[] {0.1f, 0.9f}, new float[] {0, 1}));
        assertEquals(0.0, ClassificationMetrics.auc(new float[] {0.1f, 0.9f}, new float[] {1, 0}));
        assertEquals(0.5, ClassificationMetrics.auc(new float[] {0.3f, 0.3f, 0.3f}, new float[] {1, 0, 0}));
    }

    @Test
    void aucEqualsTheBruteForcePairCountOnRandomData() {
        SplittableRandom rnd = new SplittableRandom(11);
        int n = 301;
        float[] s = new float[n];
        float[] y = new float[n];
        for (int i = 0; i < n; i++) {
            s[i] = rnd.nextInt(40) / 40f; // many ties
            y[i] = rnd.nextDouble() < 0.3 ? 1 : 0;
        }
        double wins = 0;
        long pairs = 0;
        for (int i = 0; i < n; i++) {
            for (int j = 0; j < n; j++) {
                if (y[i] == 1 && y[j] == 0) {
                    pairs++;
                    wins += s[i] > s[j] ? 1 : s[i] == s[j] ? 0.5 : 0;
                }
            }
        }
        assertEquals(wins / pairs, ClassificationMetrics.auc(s, y), 1e-12);
    }

    @Test
    void logLossNormalizedEntropyAndCalibrationByHand() {
        float[] p = {0.9f, 0.2f, 0.6f, 0.1f};
        float[] y = {1, 0, 0, 0};
        double ll = -(Math.log(0.9f) + Math.log(1 - (double) 0.2f) + Math.log(1 - (double) 0.6f) + Math.log(1 - (double) 0.1f)) / 4;
        assertEquals(ll, ClassificationMetrics.logLoss(p, y), 1e-12);
        double h = -(0.25 * Math.log(0.25) + 0.75 * Math.log(0.75));
        assertEquals(ll / h, ClassificationMetrics.normalizedEntropy(p, y), 1e-12);
        assertEquals(0.25, ClassificationMetrics.baseRate(y));
        assertEquals((0.9f + 0.2f + 0.6f + 0.1f) / 4.0 / 0.25, ClassificationMetrics.calibration(p, y), 1e-6);
        // a certain miss is clipped, not infinite
        assertEquals(-Math.log(1e-7), ClassificationMetrics.logLoss(new float[] {0f}, new float[] {1}), 1e-9);
    }

    @Test
    void accuracyTakesTheFirstMaximum() {
        float[] logits = {1, 3, 2, /**/ 5, 5, 0, /**/ 0, 0, 9};
        assertEquals(2.0 / 3, ClassificationMetrics.accuracy(logits, 3, new long[] {1, 1, 2}), 1e-15);
        assertEquals(1.0, ClassificationMetrics.accuracy(logits, 3, new long[] {1, 0, 2}));
    }

    @Test
    void badInputsAreRefusedWithTheReason() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> ClassificationMetrics.auc(new float[] {0.1f, 0.2f}, new float[] {1, 1}));
        assertTrue(e.getMessage().contains("both classes"), e.getMessage());
        e = assertThrows(IllegalArgumentException.class,
                () -> ClassificationMetrics.logLoss(new float[] {0.1f}, new float[] {2}));
        assertTrue(e.getMessage().contains("not 0 or 1"), e.getMessage());
        e = assertThrows(IllegalArgumentException.class,
                () -> ClassificationMetrics.accuracy(new float[] {1, 2}, 2, new long[] {5}));
        assertTrue(e.getMessage().contains("label 5"), e.getMessage());
        assertThrows(IllegalArgumentException.class, () -> ClassificationMetrics.auc(new float[3], new float[2]));
    }
}
