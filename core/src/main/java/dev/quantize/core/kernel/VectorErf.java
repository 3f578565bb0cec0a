package dev.quantize.core.kernel;

import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.IntVector;
import jdk.incubator.vector.VectorOperators;
import jdk.incubator.vector.VectorSpecies;

/**
 * {@link Erf} on the incubating Vector API: float lanes, both branches evaluated and blended, exactly
 * the operations of {@link Erf.Scalar} in the same order (so the two agree bit for bit). Horner's rule
 * is unrolled: a vector carried around a loop is boxed. Keep {@link #block} about this size: a longer
 * body once made the JIT stop inlining the vector operations (NodeCountInliningCutoff) and the kernel
 * ran 30x slower. Only loaded by {@link Erf} when jdk.incubator.vector is in the boot layer.
 */
final class VectorErf implements ErfKernel {
    private static final VectorSpecies<Float> S = FloatVector.SPECIES_PREFERRED;
    private static final int L = S.length();

    @Override
    public void erf(float[] x, int xOff, float[] y, int yOff, int len) {
        float[] p = Erf.pPower();
        float[] q = Erf.qPower();
        float pLo = Erf.p0Low();
        int i = 0;
        for (; i + L <= len; i += L) {
            block(x, xOff + i, y, yOff + i, p, pLo, q);
        }
        if (i < len) {
            // The tail goes through the same lanes, zero-padded.
            float[] tail = new float[L];
            System.arraycopy(x, xOff + i, tail, 0, len - i);
            block(tail, 0, tail, 0, p, pLo, q);
            System.arraycopy(tail, 0, y, yOff + i, len - i);
        }
    }

    /** y[yOff..yOff+L) = erf(x[xOff..xOff+L)). */
    private static void block(float[] x, int xOff, float[] y, int yOff, float[] p, float pLo, float[] q) {
        FloatVector v = FloatVector.fromArray(S, x, xOff);
        FloatVector ax = v.abs();
        FloatVector t = v.mul(v);
        FloatVector r = FloatVector.broadcast(S, p[6]);
        r = r.fma(t, FloatVector.broadcast(S, p[5]));
        r = r.fma(t, FloatVector.broadcast(S, p[4]));
        r = r.fma(t, FloatVector.broadcast(S, p[3]));
        r = r.fma(t, FloatVector.broadcast(S, p[2]));
        r = r.fma(t, FloatVector.broadcast(S, p[1]));
        FloatVector h = t.fma(r, FloatVector.broadcast(S, pLo));
        FloatVector small = ax.fma(FloatVector.broadcast(S, p[0]), ax.mul(h));

        FloatVector z = ax.min(Erf.Q_END);
        FloatVector tz = z.mul(z);
        FloatVector ntz = tz.neg();
        FloatVector ez = z.fma(z, ntz);
        FloatVector w = z.sub(Erf.Q_MID).mul(Erf.Q_INV);
        FloatVector qv = FloatVector.broadcast(S, q[11]);
        qv = qv.fma(w, FloatVector.broadcast(S, q[10]));
        qv = qv.fma(w, FloatVector.broadcast(S, q[9]));
        qv = qv.fma(w, FloatVector.broadcast(S, q[8]));
        qv = qv.fma(w, FloatVector.broadcast(S, q[7]));
        qv = qv.fma(w, FloatVector.broadcast(S, q[6]));
        qv = qv.fma(w, FloatVector.broadcast(S, q[5]));
        qv = qv.fma(w, FloatVector.broadcast(S, q[4]));
        qv = qv.fma(w, FloatVector.broadcast(S, q[3]));
        qv = qv.fma(w, FloatVector.broadcast(S, q[2]));
        qv = qv.fma(w, FloatVector.broadcast(S, q[1]));
        qv = qv.fma(w, FloatVector.broadcast(S, q[0]));

        FloatVector k = ntz.fma(Erf.LOG2E, Erf.MAGIC);
        FloatVector n = k.sub(Erf.MAGIC);
        FloatVector red = n.fma(FloatVector.broadcast(S, -Erf.LN2_HI), ntz);
        red = n.fma(FloatVector.broadcast(S, -Erf.LN2_LO), red).sub(ez);
        FloatVector ev = red.fma(Erf.E6, Erf.E5); // E6 * red + E5, as Math.fma(E6, red, E5)
        ev = ev.fma(red, FloatVector.broadcast(S, Erf.E4));
        ev = ev.fma(red, FloatVector.broadcast(S, Erf.E3));
        ev = ev.fma(red, FloatVector.broadcast(S, Erf.E2));
        ev = ev.fma(red, FloatVector.broadcast(S, 1f));
        ev = ev.fma(red, FloatVector.broadcast(S, 1f));
        FloatVector scale = ((IntVector) k.reinterpretAsInts()).sub(Erf.MAGIC_BITS)
                .lanewise(VectorOperators.LSHL, 23).add(127 << 23).reinterpretAsFloats();
        FloatVector large = ev.mul(scale).neg().fma(qv, FloatVector.broadcast(S, 1f));
        FloatVector positive = large.blend(small, ax.lt(Erf.SPLIT));
        IntVector sign = ((IntVector) v.reinterpretAsInts()).and(Erf.SIGN);
        ((IntVector) positive.reinterpretAsInts()).or(sign).reinterpretAsFloats().intoArray(y, yOff);
    }
}
