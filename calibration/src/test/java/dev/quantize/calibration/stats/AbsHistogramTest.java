package dev.quantize.calibration.stats;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.quantize.core.tensor.Tensor;
import org.junit.jupiter.api.Test;

class AbsHistogramTest {
    private static TensorValues values(float... v) {
        return TensorValues.of(Tensor.ofFloats(new int[] {v.length}, v), -1);
    }

    @Test
    void binsAbsoluteValuesByHand() {
        AbsHistogram h = new AbsHistogram(4, 4);
        // |x|: 0.5, 0.5 -> bin 0; 1.5 -> 1; 2.2 -> 2; 3.99 and 4 (the range itself) -> 3; NaN and Inf skipped.
        h.addAll(values(0.5f, -0.5f, 1.5f, 3.99f, 4f, -2.2f, Float.NaN, Float.NEGATIVE_INFINITY));
        assertArrayEquals(new long[] {2, 1, 1, 2}, h.counts());
        assertEquals(0, h.overflow());
        assertEquals(1.0, h.binWidth());
        h.addAll(values(5f));
        assertEquals(3, h.count(3));
        assertEquals(1, h.overflow());
    }

    @Test
    void perChannelAddTakesOneChannel() {
        AbsHistogram h = new AbsHistogram(8, 8);
        // [2, 2]: channel 1 is {-3.5, 7.5}.
        h.add(TensorValues.of(Tensor.ofFloats(new int[] {2, 2}, new float[] {1.5f, -3.5f, 0.2f, 7.5f}), 1), 1);
        assertArrayEquals(new long[] {0, 0, 0, 1, 0, 0, 0, 1}, h.counts());
    }

    @Test
    void zeroRangePutsEverythingInTheFirstBin() {
        AbsHistogram h = new AbsHistogram(0, 3);
        h.addAll(values(0f, -0f, 0f));
        assertArrayEquals(new long[] {3, 0, 0}, h.counts());
    }

    @Test
    void mergeAddsCountsAndRefusesOtherRanges() {
        AbsHistogram a = new AbsHistogram(4, 4);
        AbsHistogram b = new AbsHistogram(4, 4);
        a.addAll(values(0.1f, 3.5f));
        b.addAll(values(-3.9f, 2.5f, 9f));
        a.merge(b);
        assertArrayEquals(new long[] {1, 0, 1, 3}, a.counts());
        assertEquals(1, a.overflow());
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> a.merge(new AbsHistogram(5, 4)));
        assertTrue(e.getMessage().contains("HistogramPlan"), e.getMessage());
        assertThrows(IllegalArgumentException.class, () -> a.merge(new AbsHistogram(4, 8)));
    }
}
