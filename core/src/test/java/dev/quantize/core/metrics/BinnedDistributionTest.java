package dev.quantize.core.metrics;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

class BinnedDistributionTest {
    @Test
    void binsPsiAndKsByHand() {
        double[] edges = {0, 1};
        BinnedDistribution ref = new BinnedDistribution(edges).addAll(new float[] {-1, 0.5f, 0.5f, 2});
        assertArrayEquals(new long[] {1, 2, 1}, ref.counts(), "below 0, [0, 1), at or above 1");
        BinnedDistribution act = new BinnedDistribution(edges).addAll(new float[] {0.5f, 2, 2, 2, Float.NaN});
        assertArrayEquals(new long[] {0, 1, 3}, act.counts());
        assertEquals(1, act.nanCount());
        // shares: ref (0.25, 0.5, 0.25), actual (0 -> 1e-4, 0.25, 0.75)
        double expected = (1e-4 - 0.25) * Math.log(1e-4 / 0.25) + (0.25 - 0.5) * Math.log(0.25 / 0.5) + (0.75 - 0.25) * Math.log(0.75 / 0.25);
        assertEquals(expected, ref.psi(act), 1e-12);
        // cumulative at the edges: ref 0.25, 0.75; actual 0, 0.25 -> KS 0.5
        assertEquals(0.5, ref.ks(act), 1e-12);
        assertEquals(0, ref.psi(ref), 1e-15);
    }

    @Test
    void quantileEdgesAndMergeability() {
        SplittableRandom r = new SplittableRandom(1);
        float[] ref = new float[10_000];
        for (int i = 0; i < ref.length; i++) {
            ref[i] = (float) r.nextGaussian();
        }
        double[] edges = BinnedDistribution.quantileEdges(ref, 10);
        assertEquals(9, edges.length);
        assertEquals(0, edges[4], 0.05, "the median of a standard normal");
        BinnedDistribution whole = new BinnedDistribution(edges).addAll(ref);
        for (long c : whole.counts()) {
            assertEquals(1000, c, 2, "deciles hold a tenth each");
        }
        float[] a = java.util.Arrays.copyOfRange(ref, 0, 3000);
        float[] b = java.util.Arrays.copyOfRange(ref, 3000, ref.length);
        BinnedDistribution merged = new BinnedDistribution(edges).addAll(a).merge(new BinnedDistribution(edges).addAll(b));
        assertArrayEquals(whole.counts(), merged.counts());
        float[] shifted = new float[ref.length];
        for (int i = 0; i < ref.length; i++) {
            shifted[i] = ref[i] + 1f;
        }
        BinnedDistribution drift = new BinnedDistribution(edges).addAll(shifted);
        assertTrue(whole.psi(drift) > 0.25, "a one-sigma shift is a major shift: " + whole.psi(drift));
        assertEquals(0.38, whole.ks(drift), 0.03, "KS of N(0,1) vs N(1,1) is about 0.383");
        assertThrows(IllegalArgumentException.class, () -> whole.merge(new BinnedDistribution(new double[] {0})));
        assertThrows(IllegalArgumentException.class, () -> new BinnedDistribution(new double[] {1, 1}));
    }
}
