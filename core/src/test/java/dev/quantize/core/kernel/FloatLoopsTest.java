package dev.quantize.core.kernel;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

/** FloatLoops' chosen (vector) path against its plain loops, bit for bit, with odd offsets and tails. */
class FloatLoopsTest {
    private static float[] random(SplittableRandom r, int n) {
        float[] v = new float[n];
        for (int i = 0; i < n; i++) {
            v[i] = (float) (r.nextGaussian() * Math.pow(10, r.nextInt(9) - 4));
        }
        if (n > 3) {
            v[0] = 0f;
            v[1] = -0f;
            v[2] = Float.NaN;
            v[3] = Float.POSITIVE_INFINITY;
        }
        return v;
    }

    @Test
    void chosenLoopsMatchThePlainOnesBitForBit() {
        SplittableRandom r = new SplittableRandom(5);
        for (int len : new int[] {0, 1, 15, 16, 17, 63, 256, 1000}) {
            int off = 3;
            float[] x = random(r, len + off + 2);
            float[] g = random(r, len);
            float[] b = random(r, len);
            float d = (float) r.nextDouble(0.1, 3);

            float[] want = new float[len + off];
            float[] got = new float[len + off];
            FloatLoops.plainDivide(x, off, d, want, off, len);
            FloatLoops.divide(x, off, d, got, off, len);
            assertArrayEquals(want, got, "divide, len " + len);

            float[] vWant = x.clone();
            float[] vGot = x.clone();
            FloatLoops.plainDivideScaleShift(vWant, off, len, d, g, b);
            FloatLoops.divideScaleShift(vGot, off, len, d, g, b);
            assertArrayEquals(vWant, vGot, "divideScaleShift, len " + len);

            float[] y = random(r, x.length);
            float[] yWant = y.clone();
            float[] yGot = y.clone();
            FloatLoops.plainTimesShifted(x, yWant, off, len, 1f, 0.5f);
            FloatLoops.timesShifted(x, yGot, off, len, 1f, 0.5f);
            assertArrayEquals(yWant, yGot, "timesShifted, len " + len);
        }
    }

    @Test
    void rangesAreChecked() {
        float[] v = new float[20];
        assertThrows(IndexOutOfBoundsException.class, () -> FloatLoops.divide(v, 10, 2f, v, 0, 11));
        assertThrows(IndexOutOfBoundsException.class, () -> FloatLoops.divideScaleShift(v, 0, 20, 2f, new float[19], v));
        assertThrows(IndexOutOfBoundsException.class, () -> FloatLoops.timesShifted(v, new float[5], 0, 6, 1f, 1f));
    }
}
