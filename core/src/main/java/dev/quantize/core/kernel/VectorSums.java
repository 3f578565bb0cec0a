package dev.quantize.core.kernel;

import jdk.incubator.vector.DoubleVector;
import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorOperators;
import jdk.incubator.vector.VectorSpecies;

/**
 * {@link Sums} on the incubating Vector API: lane j of one 8-lane double vector is partial sum j. Floats
 * are loaded 16 at a time with the preferred species and widened in two halves (elements i..i+7, then
 * i+8..i+15), so the additions are exactly those of the plain loop and the result is bit-identical. The
 * preferred float species, not a 256-bit one: a second float shape in the process polluted the Vector
 * API's shared call sites and made the other kernels' 512-bit loops ~10x slower (measured; JDK 17).
 * Used by {@link Sums} only when jdk.incubator.vector is in the boot layer and {@link #usable()}.
 */
final class VectorSums {
    private static final VectorSpecies<Float> F = FloatVector.SPECIES_PREFERRED;
    private static final VectorSpecies<Double> D = DoubleVector.SPECIES_512;

    private VectorSums() {
    }

    /** Whether the preferred float vectors hold 16 lanes (two halves of 8 partial sums). */
    static boolean usable() {
        return F.length() == 16 && D.length() == 8;
    }

    static double sum(float[] v, int from, int len) {
        DoubleVector acc = DoubleVector.zero(D);
        int blocks = len & ~7;
        int i = 0;
        for (; i + 16 <= blocks; i += 16) {
            FloatVector f = FloatVector.fromArray(F, v, from + i);
            acc = acc.add(f.convertShape(VectorOperators.F2D, D, 0));
            acc = acc.add(f.convertShape(VectorOperators.F2D, D, 1));
        }
        double[] s = new double[8];
        acc.intoArray(s, 0);
        if (i < blocks) {
            for (int j = 0; j < 8; j++) {
                s[j] += v[from + i + j];
            }
        }
        double r = ((s[0] + s[1]) + (s[2] + s[3])) + ((s[4] + s[5]) + (s[6] + s[7]));
        for (int t = blocks; t < len; t++) {
            r += v[from + t];
        }
        return r;
    }

    static double sumOfSquaredDeviations(float[] v, int from, int len, float mean, float[] d, int dOff) {
        DoubleVector acc = DoubleVector.zero(D);
        int blocks = len & ~7;
        int i = 0;
        for (; i + 16 <= blocks; i += 16) {
            FloatVector e = FloatVector.fromArray(F, v, from + i).sub(mean);
            e.intoArray(d, dOff + i);
            FloatVector sq = e.mul(e);
            acc = acc.add(sq.convertShape(VectorOperators.F2D, D, 0));
            acc = acc.add(sq.convertShape(VectorOperators.F2D, D, 1));
        }
        double[] s = new double[8];
        acc.intoArray(s, 0);
        if (i < blocks) {
            for (int j = 0; j < 8; j++) {
                float e = v[from + i + j] - mean;
                d[dOff + i + j] = e;
                s[j] += e * e;
            }
        }
        double r = ((s[0] + s[1]) + (s[2] + s[3])) + ((s[4] + s[5]) + (s[6] + s[7]));
        for (int t = blocks; t < len; t++) {
            float e = v[from + t] - mean;
            d[dOff + t] = e;
            r += e * e;
        }
        return r;
    }
}
