package dev.quantize.core.kernel;

import jdk.incubator.vector.DoubleVector;
import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorOperators;
import jdk.incubator.vector.VectorSpecies;

/**
 * {@link Sums#sum} on the incubating Vector API: lane j of one 8-lane double vector is partial sum j
 * (8 floats widened and added per step), so the additions are exactly those of the plain loop and the
 * result is bit-identical. Only called by {@link Sums} when jdk.incubator.vector is in the boot layer.
 */
final class VectorSums {
    private static final VectorSpecies<Float> F = FloatVector.SPECIES_256;
    private static final VectorSpecies<Double> D = DoubleVector.SPECIES_512;

    private VectorSums() {
    }

    static double sum(float[] v, int from, int len) {
        DoubleVector acc = DoubleVector.zero(D);
        int end = from + (len & ~7);
        for (int i = from; i < end; i += 8) {
            acc = acc.add(FloatVector.fromArray(F, v, i).convertShape(VectorOperators.F2D, D, 0));
        }
        double[] s = new double[8];
        acc.intoArray(s, 0);
        double r = ((s[0] + s[1]) + (s[2] + s[3])) + ((s[4] + s[5]) + (s[6] + s[7]));
        for (int i = end; i < from + len; i++) {
            r += v[i];
        }
        return r;
    }

    static double sumOfSquaredDeviations(float[] v, int from, int len, float mean, float[] d, int dOff) {
        DoubleVector acc = DoubleVector.zero(D);
        int blocks = len & ~7;
        for (int i = 0; i < blocks; i += 8) {
            FloatVector e = FloatVector.fromArray(F, v, from + i).sub(mean);
            e.intoArray(d, dOff + i);
            acc = acc.add(e.mul(e).convertShape(VectorOperators.F2D, D, 0));
        }
        double[] s = new double[8];
        acc.intoArray(s, 0);
        double r = ((s[0] + s[1]) + (s[2] + s[3])) + ((s[4] + s[5]) + (s[6] + s[7]));
        for (int i = blocks; i < len; i++) {
            float e = v[from + i] - mean;
            d[dOff + i] = e;
            r += e * e;
        }
        return r;
    }
}
