package dev.quantize.core.kernel;

import jdk.incubator.vector.DoubleVector;
import jdk.incubator.vector.VectorOperators;
import jdk.incubator.vector.VectorSpecies;

/**
 * {@link Erf} on the incubating Vector API: floats are widened to doubles by plain loops, both
 * expansions are evaluated on double lanes (Estrin's scheme with fused multiply-add, unrolled: a vector
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

    private static DoubleVector bc(double v) {
        return DoubleVector.broadcast(D, v);
    }

    /** erf of L values of x, in place. */
    private static void block(double[] x, int off, double[] p, double[] q) {
        DoubleVector v = DoubleVector.fromArray(D, x, off);
        DoubleVector ax = v.abs();
        DoubleVector t = ax.mul(ax);
        DoubleVector u = t.mul(Erf.P_SCALE).sub(1.0);
        // Estrin's scheme, exactly as Erf.estrin: pairs in u, then u^2, u^4, u^8.
        DoubleVector u2 = u.mul(u);
        DoubleVector u4 = u2.mul(u2);
        DoubleVector u8 = u4.mul(u4);
        DoubleVector p0 = bc(p[1]).fma(u, bc(p[0]));
        DoubleVector p1 = bc(p[3]).fma(u, bc(p[2]));
        DoubleVector p2 = bc(p[5]).fma(u, bc(p[4]));
        DoubleVector p3 = bc(p[7]).fma(u, bc(p[6]));
        DoubleVector p4 = bc(p[9]).fma(u, bc(p[8]));
        DoubleVector p5 = bc(p[11]).fma(u, bc(p[10]));
        p0 = p1.fma(u2, p0);
        p1 = p3.fma(u2, p2);
        p2 = p5.fma(u2, p4);
        p0 = p1.fma(u4, p0);
        DoubleVector ps = p2.fma(u8, p0);
        DoubleVector small = ax.mul(ps);
        DoubleVector w = ax.min(Erf.Q_END).fma(Erf.Q_INV_HALF, Erf.Q_SHIFT);
        DoubleVector w2 = w.mul(w);
        DoubleVector w4 = w2.mul(w2);
        DoubleVector w8 = w4.mul(w4);
        DoubleVector q0 = bc(q[1]).fma(w, bc(q[0]));
        DoubleVector q1 = bc(q[3]).fma(w, bc(q[2]));
        DoubleVector q2 = bc(q[5]).fma(w, bc(q[4]));
        DoubleVector q3 = bc(q[7]).fma(w, bc(q[6]));
        DoubleVector q4 = bc(q[9]).fma(w, bc(q[8]));
        DoubleVector q5 = bc(q[11]).fma(w, bc(q[10]));
        DoubleVector q6 = bc(q[13]).fma(w, bc(q[12]));
        q0 = q1.fma(w2, q0);
        q1 = q3.fma(w2, q2);
        q2 = q5.fma(w2, q4);
        q0 = q1.fma(w4, q0);
        q1 = q6.fma(w4, q2);
        DoubleVector qs = q1.fma(w8, q0);
        DoubleVector large = DoubleVector.broadcast(D, 1.0).sub(t.neg().lanewise(VectorOperators.EXP).mul(qs));
        DoubleVector r = large.blend(small, ax.lt(Erf.SPLIT));
        r.blend(r.neg(), v.lt(0.0)).intoArray(x, off);
    }
}
