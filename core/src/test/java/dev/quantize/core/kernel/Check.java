package dev.quantize.core.kernel;

import static org.junit.jupiter.api.Assertions.fail;

import java.util.Random;

/** Shared test helpers: seeded random data and tolerance checks against {@link Reference}. */
final class Check {
    /**
     * Relative tolerance on sums of products. Float summation of K products has a worst-case error of
     * about K * 2^-24 times the sum of the absolute terms and a typical one of sqrt(K) * 2^-24; the largest
     * reduction in these tests has about 2,300 terms (sqrt ~ 48, so ~3e-6 typical), so 1e-5 of the
     * magnitude is tight yet safe, and far below what any indexing or packing bug produces.
     */
    static final double REL = 1e-5;

    private Check() {
    }

    static float[] random(Random rnd, int size) {
        float[] a = new float[size];
        for (int i = 0; i < size; i++) {
            a[i] = (float) (rnd.nextGaussian());
        }
        return a;
    }

    /** got[i] within REL * magnitude[i] (plus the smallest normal, for exact zeros) of the reference. */
    static void close(float[] got, int gotOff, int ld, int rows, int cols, Reference.Result ref, String what) {
        for (int i = 0; i < rows; i++) {
            for (int j = 0; j < cols; j++) {
                double want = ref.value[i * cols + j];
                double tol = REL * ref.magnitude[i * cols + j] + Float.MIN_NORMAL;
                float g = got[gotOff + i * ld + j];
                if (!(Math.abs(g - want) <= tol)) {
                    fail(what + ": element (" + i + "," + j + ") is " + g + ", expected " + want + " +- " + tol);
                }
            }
        }
    }

    static void close(float[] got, Reference.Result ref, String what) {
        close(got, 0, got.length, 1, got.length, ref, what);
    }
}
