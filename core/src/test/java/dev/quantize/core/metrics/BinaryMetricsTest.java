package dev.quantize.core.metrics;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.ObjectInputStream;
import java.io.ObjectOutputStream;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

class BinaryMetricsTest {
    /** Random scores with many ties (a coarse grid) and some unique ones, labels at a 25% base rate. */
    private static float[][] data(long seed, int n) {
        SplittableRandom rnd = new SplittableRandom(seed);
        float[] s = new float[n];
        float[] y = new float[n];
        for (int i = 0; i < n; i++) {
            s[i] = rnd.nextBoolean() ? rnd.nextInt(50) / 50f : (float) rnd.nextDouble();
            y[i] = rnd.nextDouble() < 0.25 ? 1 : 0;
        }
        return new float[][] {s, y};
    }

    @Test
    void aucIsTheExactPairCount() {
        float[][] d = data(3, 700);
        float[] s = d[0];
        float[] y = d[1];
        long twiceWins = 0;
        long pairs = 0;
        for (int i = 0; i < s.length; i++) {
            for (int j = 0; j < s.length; j++) {
                if (y[i] == 1 && y[j] == 0) {
                    pairs++;
                    twiceWins += s[i] > s[j] ? 2 : s[i] == s[j] ? 1 : 0;
                }
            }
        }
        // the same integers, one division: bit for bit
        assertEquals(twiceWins / (2.0 * pairs), BinaryMetrics.of(s, y).auc());
    }

    @Test
    void anySplitMergedInAnyOrderGivesTheSameCountsAndAucAndSumsWithinUlps() throws Exception {
        float[][] d = data(5, 20_011);
        BinaryMetrics whole = BinaryMetrics.of(d[0], d[1]);
        SplittableRandom rnd = new SplittableRandom(17);
        for (int trial = 0; trial < 5; trial++) {
            List<BinaryMetrics> parts = new ArrayList<>();
            int from = 0;
            while (from < d[0].length) {
                int to = Math.min(d[0].length, from + 1 + rnd.nextInt(3000));
                BinaryMetrics p = new BinaryMetrics();
                // within a part, batches of random size
                for (int b = from; b < to; ) {
                    int e = Math.min(to, b + 1 + rnd.nextInt(600));
                    p.add(Arrays.copyOfRange(d[0], b, e), Arrays.copyOfRange(d[1], b, e));
                    b = e;
                }
                parts.add(roundTrip(p)); // partials travel serialized
                from = to;
            }
            parts.add(new BinaryMetrics()); // an empty partition is the identity
            while (parts.size() > 1) { // merge random neighbours: any tree shape
                int i = rnd.nextInt(parts.size() - 1);
                parts.set(i, parts.get(i).merge(parts.remove(i + 1)));
            }
            BinaryMetrics merged = parts.get(0);
            assertEquals(whole.rows(), merged.rows());
            assertEquals(whole.positives(), merged.positives());
            assertEquals(whole.distinctScores(), merged.distinctScores());
            assertEquals(whole.auc(), merged.auc());
            assertEquals(whole.logLoss(), merged.logLoss(), 1e-12 * whole.logLoss());
            assertEquals(whole.calibration(), merged.calibration(), 1e-12 * whole.calibration());
            assertEquals(whole.normalizedEntropy(), merged.normalizedEntropy(), 1e-12 * whole.normalizedEntropy());
        }
    }

    @Test
    void negativeZeroTiesWithZeroAndNaNsTieAboveInfinity() {
        // -0 and +0 tie: one positive, one negative at zero -> AUC 1/2
        assertEquals(0.5, BinaryMetrics.of(new float[] {-0f, 0f}, new float[] {1, 0}).auc());
        // NaN ranks above +Inf; two NaNs tie with each other
        float[] s = {Float.NaN, Float.POSITIVE_INFINITY, Float.NaN, -1f};
        float[] y = {1, 0, 0, 0};
        // the positive NaN beats +Inf and -1, ties the other NaN: (2 + 0.5) / 3
        assertEquals(2.5 / 3, BinaryMetrics.of(s, y).auc());
        assertEquals(3, BinaryMetrics.of(s, y).distinctScores());
    }

    @Test
    void badLabelsNameTheRowAcrossBatches() {
        BinaryMetrics m = new BinaryMetrics().add(new float[] {0.1f, 0.2f}, new float[] {0, 1});
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> m.add(new float[] {0.1f, 0.2f}, new float[] {1, 2}));
        assertEquals("label 2.0 of row 3 is not 0 or 1", e.getMessage());
        assertTrue(assertThrows(IllegalArgumentException.class, () -> new BinaryMetrics().logLoss()).getMessage()
                .contains("no rows"));
        assertTrue(assertThrows(IllegalArgumentException.class,
                () -> BinaryMetrics.of(new float[] {0.1f}, new float[] {1}).auc()).getMessage().contains("both classes"));
    }

    private static BinaryMetrics roundTrip(BinaryMetrics m) throws Exception {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        try (ObjectOutputStream out = new ObjectOutputStream(bytes)) {
            out.writeObject(m);
        }
        try (ObjectInputStream in = new ObjectInputStream(new ByteArrayInputStream(bytes.toByteArray()))) {
            return (BinaryMetrics) in.readObject();
        }
    }
}
