package dev.quantize.calibration.range;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.quantize.calibration.stats.AbsHistogram;
import dev.quantize.calibration.stats.TensorValues;
import dev.quantize.core.tensor.Tensor;
import java.util.Random;
import org.junit.jupiter.api.Test;

class EntropySelectorTest {
    /** A histogram over [0, 2048) in 2048 unit bins with {@code counts[j]} values at j + 0.5. */
    private static AbsHistogram unitBins(long[] counts) {
        int n = 0;
        for (long c : counts) {
            n += (int) c;
        }
        float[] v = new float[n];
        int k = 0;
        for (int j = 0; j < counts.length; j++) {
            for (long c = 0; c < counts[j]; c++) {
                v[k++] = j + 0.5f;
            }
        }
        AbsHistogram h = new AbsHistogram(2048, 2048);
        h.addAll(TensorValues.of(Tensor.ofFloats(new int[] {n}, v), -1));
        return h;
    }

    @Test
    void mass_in_the_first_128_bins_is_represented_exactly_at_128() {
        long[] counts = new long[2048];
        for (int j = 0; j < 128; j++) {
            counts[j] = j + 1;
        }
        // With i = 128 every group is one bin, so Q = P and KL = 0, the least possible.
        AbsHistogram h = unitBins(counts);
        assertEquals(0.0, EntropySelector.divergence(h.counts(), 128, h.total(), h.total(), 128, new double[2048]));
        assertEquals(128.5, EntropySelector.threshold(h, 128));
    }

    @Test
    void an_outlier_is_clipped_and_its_divergence_matches_the_hand_formula() {
        long[] counts = new long[2048];
        long bulk = 0;
        for (int j = 0; j < 128; j++) {
            counts[j] = j + 1;
            bulk += j + 1;
        }
        counts[2047] = 1;   // one outlier at 2047.5
        AbsHistogram h = unitBins(counts);
        long total = bulk + 1;
        // i = 128: P folds the outlier into bin 127; Q is the unfolded bins (normalised by bulk).
        double expected = 0;
        for (int j = 0; j < 128; j++) {
            double p = (counts[j] + (j == 127 ? 1 : 0)) / (double) total;
            double q = counts[j] / (double) bulk;
            expected += p * Math.log(p / q);
        }
        assertEquals(expected, EntropySelector.divergence(h.counts(), 128, total, bulk, 128, new double[2048]), 1e-15);
        // 129..2047 fold the outlier into an empty bin (infinite divergence); 2048 smooths the bulk in 16-bin groups.
        assertEquals(Double.POSITIVE_INFINITY, EntropySelector.divergence(h.counts(), 1000, total, bulk, 128, new double[2048]));
        assertTrue(EntropySelector.divergence(h.counts(), 2048, total, total, 128, new double[2048]) > expected);
        assertEquals(128.5, EntropySelector.threshold(h, 128));
    }

    @Test
    void gaussian_bulk_with_far_outliers_gets_a_threshold_inside_the_bulk() {
        Random r = new Random(7);
        int n = 100_000;
        float[] v = new float[n + 3];
        for (int i = 0; i < n; i++) {
            v[i] = (float) r.nextGaussian();
        }
        v[n] = 60;
        v[n + 1] = -55;
        v[n + 2] = 58;
        AbsHistogram h = new AbsHistogram(60, 2048);
        h.addAll(TensorValues.of(Tensor.ofFloats(new int[] {v.length}, v), -1));
        double t = EntropySelector.threshold(h, 128);
        // The largest |x| of 100,000 standard normals is about 4.5; the threshold must sit well below the outliers.
        assertTrue(t > 2 && t < 10, "threshold " + t);
    }
}
