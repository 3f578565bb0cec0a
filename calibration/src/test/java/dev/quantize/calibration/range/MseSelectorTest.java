package dev.quantize.calibration.range;

import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.quantize.calibration.stats.AbsHistogram;
import dev.quantize.calibration.stats.TensorValues;
import dev.quantize.core.tensor.Tensor;
import java.util.Arrays;
import org.junit.jupiter.api.Test;

class MseSelectorTest {
    /** Bins of width 1 over [0, 4] with {@code bulk} values in bin 0 and one in bin 3. */
    private static AbsHistogram bulkAndOneOutlier(int bulk) {
        float[] v = new float[bulk + 1];
        Arrays.fill(v, 0.5f);
        v[bulk] = 3.5f;
        AbsHistogram h = new AbsHistogram(4, 4);
        h.addAll(TensorValues.of(Tensor.ofFloats(new int[] {v.length}, v), -1));
        return h;
    }

    @Test
    void eightBitsKeepAnOutlierThatIsCheapToCover() {
        // 8 bits, step T/127. T=1: 100 * (1/127)^2/12 + (3.5-1)^2 = 6.2505; T=2: ... + 1.5^2 = 2.25;
        // T=3: ... + 0.25 = 0.2504; T=4: 101 * (4/127)^2 / 12 = 0.00835. The last is least.
        assertEquals(4.0, MseSelector.threshold(bulkAndOneOutlier(100), 8));
    }

    @Test
    void heavyBulkAtLowBitsClipsTheTail() {
        // 2 bits: one level each side, step T. T=1: 1000/12 + 2.5^2 = 89.58; T=2: 1000*4/12 + 1.5^2 = 335.6;
        // T=3: 1000*9/12 + 0.25 = 750.25; T=4: 1001*16/12 = 1334.7. Clipping at 1 wins.
        assertEquals(1.0, MseSelector.threshold(bulkAndOneOutlier(1000), 2));
        // With 4 bits (step T/7): T=1 costs 1000/(49*12) + 6.25 = 7.95, T=4 costs 1001*16/(49*12) = 27.2.
        assertEquals(1.0, MseSelector.threshold(bulkAndOneOutlier(1000), 4));
        // With 8 bits T=4 costs 1001*16/(16129*12) = 0.083 and T=1 still pays 6.25 of clipping.
        assertEquals(4.0, MseSelector.threshold(bulkAndOneOutlier(1000), 8));
    }

    @Test
    void emptyHistogramHasThresholdZero() {
        assertEquals(0, MseSelector.threshold(new AbsHistogram(3, 4), 8));
    }
}
