package dev.quantize.calibration.range;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import dev.quantize.calibration.stats.AbsHistogram;
import dev.quantize.calibration.stats.TensorValues;
import dev.quantize.core.tensor.Tensor;
import org.junit.jupiter.api.Test;

class PercentileSelectorTest {
    static AbsHistogram histogram(double range, float... v) {
        AbsHistogram h = new AbsHistogram(range, 4);
        h.addAll(TensorValues.of(Tensor.ofFloats(new int[] {v.length}, v), -1));
        return h;
    }

    @Test
    void interpolatesWithinTheBinByHand() {
        // Bins of width 1 over [0, 4]: counts [2, 1, 1, 0].
        AbsHistogram h = histogram(4, 0.5f, -0.5f, 1.5f, 2.5f);
        assertEquals(1.0, PercentileSelector.threshold(h, 50));   // target 2 reached at the end of bin 0
        assertEquals(1.4, PercentileSelector.threshold(h, 60), 1e-12); // target 2.4: 0.4 into bin 1
        assertEquals(2.0, PercentileSelector.threshold(h, 75));
        assertEquals(3.0, PercentileSelector.threshold(h, 100));  // upper edge of the last non-empty bin
        assertEquals(0.1, PercentileSelector.threshold(h, 5), 1e-12);   // target 0.2 is a tenth of bin 0's 2 values
        assertThrows(IllegalArgumentException.class, () -> PercentileSelector.threshold(h, 0));
        assertThrows(IllegalArgumentException.class, () -> PercentileSelector.threshold(h, 100.5));
    }

    @Test
    void uniformDistributionGivesTheLinearQuantile() {
        // Ten values spread evenly in each of 2048 bins over [0, 2048): the p-th percentile of |x| is p% of the range.
        int n = 2048 * 10;
        float[] v = new float[n];
        for (int j = 0; j < n; j++) {
            v[j] = (float) ((j + 0.5) / n * 2048) * (j % 2 == 0 ? 1 : -1);
        }
        AbsHistogram h = new AbsHistogram(2048, 2048);
        h.addAll(TensorValues.of(Tensor.ofFloats(new int[] {n}, v), -1));
        assertEquals(0.99999 * 2048, PercentileSelector.threshold(h, PercentileSelector.DEFAULT_PERCENTILE), 1e-9);
        assertEquals(0.5 * 2048, PercentileSelector.threshold(h, 50), 1e-9);
        assertEquals(0.9 * 2048, PercentileSelector.threshold(h, 90), 1e-9);
    }

    @Test
    void emptyHistogramHasThresholdZero() {
        assertEquals(0, PercentileSelector.threshold(new AbsHistogram(1, 4), 99));
    }
}
