package dev.quantize.core.kernel;

import jdk.incubator.vector.DoubleVector;
import jdk.incubator.vector.VectorOperators;
import jdk.incubator.vector.VectorSpecies;

/**
 * {@link Erf} on the incubating Vector API: floats are widened to doubles by plain loops, both
 * expansions are evaluated on double lanes (Horner with fused multiply-add, unrolled: a vector
 * carried around a loop is boxed) and blended, and the result is narrowed back. Keep {@link #block}
 * about this size: with three operations per term (Clenshaw) the JIT stopped inlining the vector
 * operations (NodeCountInliningCutoff) and the kernel ran 30x slower. Only loaded by {@link Erf}
 * when jdk.incubator.vector is in the boot layer.
 */
final class VectorErf implements ErfKernel {
    private static final VectorSpecies<Double> D = DoubleVector.SPECIES_PREFERRED;
    private static final int L = D.length();
    /** Elements widened to double per pass (plain loops the JIT vectorises; fits L1 with the results). */
    private static final int CHUNK = 512;

    @Override
    public void erf(float[] x, int xOff, float[] y, int yOff, int len) {
        double[] p = Erf.pPower();
        double[] q = Erf.qPower();
        double[] xd = new double[CHUNK];
        for (int c = 0; c < len; c += CHUNK) {
            int n = Math.min(CHUNK, len - c);
            int padded = (n + L - 1) / L * L;
            for (int i = 0; i < n; i++) {
                xd[i] = x[xOff + c + i];
            }
            java.util.Arrays.fill(xd, n, padded, 0.0); // the tail goes through the same lanes, zero-padded
            for (int i = 0; i < padded; i += L) {
                block(xd, i, p, q);
            }
            for (int i = 0; i < n; i++) {
                y[yOff + c + i] = (float) xd[i];
            }
        }
    }

    /** erf of L values of x, in place. */
    private static void block(double[] x, int off, double[] p, double[] q) {
        DoubleVector v = DoubleVector.fromArray(D, x, off);
        DoubleVector ax = v.abs();
        DoubleVector t = ax.mul(ax);
        DoubleVector u = t.mul(Erf.P_SCALE).sub(1.0);
        DoubleVector ps = DoubleVector.broadcast(D, p[11]);
        ps = ps.fma(u, DoubleVector.broadcast(D, p[10]));
        ps = ps.fma(u, DoubleVector.broadcast(D, p[9]));
        ps = ps.fma(u, DoubleVector.broadcast(D, p[8]));
        ps = ps.fma(u, DoubleVector.broadcast(D, p[7]));
        ps = ps.fma(u, DoubleVector.broadcast(D, p[6]));
        ps = ps.fma(u, DoubleVector.broadcast(D, p[5]));
        ps = ps.fma(u, DoubleVector.broadcast(D, p[4]));
        ps = ps.fma(u, DoubleVector.broadcast(D, p[3]));
        ps = ps.fma(u, DoubleVector.broadcast(D, p[2]));
        ps = ps.fma(u, DoubleVector.broadcast(D, p[1]));
        ps = ps.fma(u, DoubleVector.broadcast(D, p[0]));
        DoubleVector small = ax.mul(ps);
        DoubleVector w = ax.min(Erf.Q_END).sub(Erf.Q_MID).div(Erf.Q_HALF);
        DoubleVector qs = DoubleVector.broadcast(D, q[13]);
        qs = qs.fma(w, DoubleVector.broadcast(D, q[12]));
        qs = qs.fma(w, DoubleVector.broadcast(D, q[11]));
        qs = qs.fma(w, DoubleVector.broadcast(D, q[10]));
        qs = qs.fma(w, DoubleVector.broadcast(D, q[9]));
        qs = qs.fma(w, DoubleVector.broadcast(D, q[8]));
        qs = qs.fma(w, DoubleVector.broadcast(D, q[7]));
        qs = qs.fma(w, DoubleVector.broadcast(D, q[6]));
        qs = qs.fma(w, DoubleVector.broadcast(D, q[5]));
        qs = qs.fma(w, DoubleVector.broadcast(D, q[4]));
        qs = qs.fma(w, DoubleVector.broadcast(D, q[3]));
        qs = qs.fma(w, DoubleVector.broadcast(D, q[2]));
        qs = qs.fma(w, DoubleVector.broadcast(D, q[1]));
        qs = qs.fma(w, DoubleVector.broadcast(D, q[0]));
        DoubleVector large = DoubleVector.broadcast(D, 1.0).sub(t.neg().lanewise(VectorOperators.EXP).mul(qs));
        DoubleVector r = large.blend(small, ax.lt(Erf.SPLIT));
        r.blend(r.neg(), v.lt(0.0)).intoArray(x, off);
    }
}
