package dev.quantize.core.kernel;

import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorSpecies;

/**
 * {@link FloatLoops} on the incubating Vector API: whole vectors, then the plain loop for the tail.
 * Only called by FloatLoops when jdk.incubator.vector is in the boot layer; bounds are checked there.
 */
final class VectorFloatLoops {
    private static final VectorSpecies<Float> S = FloatVector.SPECIES_PREFERRED;
    private static final int L = S.length();

    private VectorFloatLoops() {
    }

    static void divide(float[] x, int xOff, float d, float[] y, int yOff, int len) {
        int i = 0;
        for (; i + L <= len; i += L) {
            FloatVector.fromArray(S, x, xOff + i).div(d).intoArray(y, yOff + i);
        }
        for (; i < len; i++) {
            y[yOff + i] = x[xOff + i] / d;
        }
    }

    static void divideScaleShift(float[] v, int off, int len, float s, float[] g, float[] b) {
        int i = 0;
        for (; i + L <= len; i += L) {
            FloatVector.fromArray(S, v, off + i).div(s).mul(FloatVector.fromArray(S, g, i))
                    .add(FloatVector.fromArray(S, b, i)).intoArray(v, off + i);
        }
        for (; i < len; i++) {
            v[off + i] = v[off + i] / s * g[i] + b[i];
        }
    }

    static void timesShifted(float[] x, int xOff, float[] y, int yOff, int len, float offset, float scale) {
        int i = 0;
        for (; i + L <= len; i += L) {
            FloatVector.fromArray(S, x, xOff + i).mul(FloatVector.fromArray(S, y, yOff + i).add(offset)).mul(scale)
                    .intoArray(y, yOff + i);
        }
        for (; i < len; i++) {
            y[yOff + i] = x[xOff + i] * (y[yOff + i] + offset) * scale;
        }
    }
}
