package dev.quantize.core.kernel;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.math.BigDecimal;
import java.util.Random;
import org.junit.jupiter.api.Test;

class SumsTest {
    @Test
    void sumFollowsTheDocumentedOrderAndIsAccurate() {
        Random rnd = new Random(42);
        for (int len : new int[] {0, 1, 7, 8, 9, 31, 32, 33, 64, 255, 256, 1000}) {
            float[] v = new float[len + 5];
            for (int i = 0; i < v.length; i++) {
                v[i] = (float) (rnd.nextGaussian() * Math.pow(10, rnd.nextInt(7) - 3));
            }
            int from = 3;
            // The order written out independently: eight strided partials, pairwise combination, tail.
            double[] part = new double[8];
            int blocks = len / 8 * 8;
            for (int i = 0; i < blocks; i++) {
                part[i % 8] += v[from + i];
            }
            double expected = ((part[0] + part[1]) + (part[2] + part[3])) + ((part[4] + part[5]) + (part[6] + part[7]));
            for (int i = blocks; i < len; i++) {
                expected += v[from + i];
            }
            assertEquals(expected, Sums.sum(v, from, len), 0.0, "len " + len);
            assertEquals(expected, Sums.plainSum(v, from, len), 0.0, "plain, len " + len);
            BigDecimal exact = BigDecimal.ZERO;
            double magnitude = 0;
            for (int i = 0; i < len; i++) {
                exact = exact.add(new BigDecimal(v[from + i]));
                magnitude += Math.abs(v[from + i]);
            }
            double err = Math.abs(exact.subtract(new BigDecimal(Sums.sum(v, from, len))).doubleValue());
            assertTrue(err <= len * 1.2e-16 * magnitude, "len " + len + ": error " + err);
        }
    }

    @Test
    void squaredDeviationsAreTheSumOfTheFloatSquaresBitForBit() {
        Random rnd = new Random(7);
        for (int len : new int[] {0, 1, 7, 8, 9, 31, 32, 33, 64, 255, 256, 1000}) {
            float[] v = new float[len + 5];
            for (int i = 0; i < v.length; i++) {
                v[i] = (float) (rnd.nextGaussian() * Math.pow(10, rnd.nextInt(7) - 3));
            }
            int from = 3;
            float mean = (float) (Sums.sum(v, from, len) / Math.max(1, len));
            float[] sq = new float[len];
            float[] want = new float[len + 2];
            for (int i = 0; i < len; i++) {
                want[i + 2] = v[from + i] - mean;
                sq[i] = want[i + 2] * want[i + 2];
            }
            double expected = Sums.sum(sq, 0, len);
            float[] d = new float[len + 2];
            assertEquals(expected, Sums.sumOfSquaredDeviations(v, from, len, mean, d, 2), 0.0, "len " + len);
            org.junit.jupiter.api.Assertions.assertArrayEquals(want, d, "len " + len);
            float[] dPlain = new float[len + 2];
            assertEquals(expected, Sums.plainSumOfSquaredDeviations(v, from, len, mean, dPlain, 2), 0.0, "plain, len " + len);
            org.junit.jupiter.api.Assertions.assertArrayEquals(want, dPlain, "plain, len " + len);
        }
    }

    @Test
    void outOfRangeIsRejected() {
        float[] v = new float[40];
        org.junit.jupiter.api.Assertions.assertThrows(IndexOutOfBoundsException.class, () -> Sums.sum(v, 10, 35));
    }
}
