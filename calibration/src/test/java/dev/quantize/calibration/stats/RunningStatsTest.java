package dev.quantize.calibration.stats;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import dev.quantize.core.tensor.Tensor;
import java.util.Random;
import org.junit.jupiter.api.Test;

class RunningStatsTest {
    private static TensorValues values(int[] shape, int axis, float... v) {
        return TensorValues.of(Tensor.ofFloats(shape, v), axis);
    }

    @Test
    void perTensorAndPerChannelByHand() {
        RunningStats s = new RunningStats();
        // [[1, -2, 3], [4, NaN, -6]], channels along axis 1.
        s.add(values(new int[] {2, 3}, 1, 1, -2, 3, 4, Float.NaN, -6));
        assertEquals(5, s.count());
        assertEquals(1, s.nanCount());
        assertEquals(0, s.infCount());
        assertEquals(-6, s.min());
        assertEquals(4, s.max());
        assertEquals(6, s.absMax());
        assertEquals(0, s.sum());
        assertEquals(66, s.sumSquares());
        assertEquals(3, s.channels());
        assertEquals(1, s.channelMin(0));
        assertEquals(4, s.channelMax(0));
        assertEquals(-2, s.channelMin(1));
        assertEquals(-2, s.channelMax(1));
        assertEquals(-6, s.channelMin(2));
        assertEquals(3, s.channelMax(2));

        // A second batch [[Inf, NaN, 10]]: channel 0 and 1 have no finite value in it.
        s.add(values(new int[] {1, 3}, 1, Float.POSITIVE_INFINITY, Float.NaN, 10));
        assertEquals(6, s.count());
        assertEquals(2, s.nanCount());
        assertEquals(1, s.infCount());
        assertEquals(10, s.max());
        assertEquals(2, s.batches());
        assertEquals((-6 + 10) / 2.0, s.meanBatchMin());
        assertEquals((4 + 10) / 2.0, s.meanBatchMax());
        assertEquals(1, s.channelBatches(0));
        assertEquals(4, s.channelMeanBatchMax(0));
        assertEquals(2, s.channelBatches(2));
        assertEquals((-6 + 10) / 2.0, s.channelMeanBatchMin(2));
        assertEquals((3 + 10) / 2.0, s.channelMeanBatchMax(2));
        assertEquals(10.0 / 6, s.mean(), 1e-15);
        double mean = 10.0 / 6;
        assertEquals(Math.sqrt(166.0 / 6 - mean * mean), s.std(), 1e-12);
    }

    @Test
    void channelAxisOneOfRankThree() {
        RunningStats s = new RunningStats();
        // [2, 2, 2] holding 0..7: channel 0 is {0, 1, 4, 5}, channel 1 is {2, 3, 6, 7}.
        s.add(values(new int[] {2, 2, 2}, 1, 0, 1, 2, 3, 4, 5, 6, 7));
        assertEquals(0, s.channelMin(0));
        assertEquals(5, s.channelMax(0));
        assertEquals(2, s.channelMin(1));
        assertEquals(7, s.channelMax(1));
    }

    @Test
    void channelCountMustNotChange() {
        RunningStats s = new RunningStats();
        s.add(values(new int[] {1, 2}, 1, 1, 2));
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> s.add(values(new int[] {1, 3}, 1, 1, 2, 3)));
        assertEquals("channel count changed from 2 to 3 between batches", e.getMessage());
    }

    @Test
    void mergeOfPartsEqualsTheWhole() {
        Random r = new Random(42);
        RunningStats whole = new RunningStats();
        RunningStats a = new RunningStats();
        RunningStats b = new RunningStats();
        for (int batch = 0; batch < 20; batch++) {
            float[] v = new float[8 * 5];
            for (int i = 0; i < v.length; i++) {
                v[i] = (float) (r.nextGaussian() * (1 + batch));
            }
            TensorValues tv = values(new int[] {8, 5}, 1, v);
            whole.add(tv);
            (batch < 7 ? a : b).add(tv);
        }
        RunningStats merged = new RunningStats();
        merged.merge(a);
        merged.merge(b);
        assertEquals(whole.count(), merged.count());
        assertEquals(whole.min(), merged.min());
        assertEquals(whole.max(), merged.max());
        assertEquals(whole.batches(), merged.batches());
        assertEquals(whole.sum(), merged.sum(), 1e-12 * Math.abs(whole.sumSquares()));
        assertEquals(whole.sumSquares(), merged.sumSquares(), 1e-12 * whole.sumSquares());
        assertEquals(whole.meanBatchMin(), merged.meanBatchMin(), 1e-12 * Math.abs(whole.meanBatchMin()));
        for (int c = 0; c < 5; c++) {
            assertEquals(whole.channelMin(c), merged.channelMin(c));
            assertEquals(whole.channelMax(c), merged.channelMax(c));
            assertEquals(whole.channelBatches(c), merged.channelBatches(c));
        }
        // The empty instance is the identity.
        RunningStats withEmpty = whole.copy();
        withEmpty.merge(new RunningStats());
        assertEquals(whole.sum(), withEmpty.sum());
        assertEquals(whole.channels(), withEmpty.channels());
    }
}
