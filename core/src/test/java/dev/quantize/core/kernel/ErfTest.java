package dev.quantize.core.kernel;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.quantize.core.exec.ops.SpecialFunctions;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

/** Erf's two kernels against each other and the reference. */
class ErfTest {
    @Test
    void scalarAndVectorKernelsAgree() {
        SpecialFunctions.erfFloat(0f); // fits Erf
        SplittableRandom r = new SplittableRandom(11);
        int n = 100_003;
        float[] x = new float[n];
        for (int i = 0; i < n; i++) {
            x[i] = (float) (r.nextGaussian() * 2.5);
        }
        x[0] = 0f;
        x[1] = -0f;
        x[2] = Float.NaN;
        x[3] = Float.POSITIVE_INFINITY;
        x[4] = Float.NEGATIVE_INFINITY;
        x[5] = 1.5f;
        x[6] = 3.9f;
        float[] scalar = new float[n];
        new Erf.Scalar().erf(x, 0, scalar, 0, n);
        float[] chosen = new float[n];
        Erf.erf(x, 0, chosen, 0, n);
        assertEquals(0f, scalar[0]);
        assertTrue(Float.isNaN(scalar[2]) && Float.isNaN(chosen[2]));
        assertEquals(1f, scalar[3]);
        assertEquals(-1f, scalar[4]);
        for (int i = 0; i < n; i++) {
            float want = (float) SpecialFunctions.erfReference(x[i]);
            if (Float.isNaN(want)) {
                continue;
            }
            // The kernels differ at most in exp's last bit, which cannot move the float by more than an ulp.
            assertEquals(scalar[i], chosen[i], Math.ulp(want), "x = " + x[i]);
            assertEquals(want, scalar[i], Math.ulp(want), "scalar, x = " + x[i]);
            assertEquals(want, chosen[i], Math.ulp(want), "chosen, x = " + x[i]);
        }
    }
}
