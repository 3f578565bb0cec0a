package dev.quantize.core.kernel.lowp;

import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorMask;
import jdk.incubator.vector.VectorOperators;
import jdk.incubator.vector.VectorSpecies;

/**
 * {@link GeluCodes}'s loop on the incubating Vector API: the plain loop's operations lane by lane (so
 * the two flag the same elements and write the same codes), the tail through the plain loop. Only
 * called by GeluCodes when jdk.incubator.vector is in the boot layer; bounds are checked there.
 */
final class VectorGeluCodes {
    private static final VectorSpecies<Float> S = FloatVector.SPECIES_PREFERRED;
    private static final int L = S.length();

    private VectorGeluCodes() {
    }

    /** y[yOff + i] = g~(x[xOff + i]) for i &lt; len: GeluCodes's cheap GELU, the tail by the plain loop. */
    static void cheapGelu(float[] x, int xOff, int len, float invD, float[] y, int yOff) {
        int i = 0;
        for (; i + L <= len; i += L) {
            FloatVector v = FloatVector.fromArray(S, x, xOff + i);
            FloatVector p = v.abs().mul(invD);
            FloatVector q = FloatVector.broadcast(S, GeluCodes.A6).fma(p, FloatVector.broadcast(S, GeluCodes.A5));
            q = q.fma(p, FloatVector.broadcast(S, GeluCodes.A4));
            q = q.fma(p, FloatVector.broadcast(S, GeluCodes.A3));
            q = q.fma(p, FloatVector.broadcast(S, GeluCodes.A2));
            q = q.fma(p, FloatVector.broadcast(S, GeluCodes.A1));
            q = q.fma(p, FloatVector.broadcast(S, 1f));
            FloatVector q2 = q.mul(q);
            FloatVector q4 = q2.mul(q2);
            FloatVector q8 = q4.mul(q4);
            FloatVector r = v.mul(0.5f).div(q8.mul(q8));
            v.sub(r).blend(r, v.lt(0f)).intoArray(y, yOff + i);
        }
        for (; i < len; i++) {
            y[yOff + i] = GeluCodes.cheapGelu(x[xOff + i], invD);
        }
    }

    static int codes(GeluCodes g, float[] y, int off, int len, float[] out, int outOff, int[] near) {
        Int8Gemm.Activation act = g.activation();
        float z = act.zeroPoint();
        float qmin = act.qmin();
        float qmax = act.qmax();
        int count = 0;
        int i = 0;
        for (; i + L <= len; i += L) {
            FloatVector v = FloatVector.fromArray(S, y, off + i);
            FloatVector x = v.abs().mul(g.invDivisor);
            FloatVector p = FloatVector.broadcast(S, GeluCodes.A6).fma(x, FloatVector.broadcast(S, GeluCodes.A5));
            p = p.fma(x, FloatVector.broadcast(S, GeluCodes.A4));
            p = p.fma(x, FloatVector.broadcast(S, GeluCodes.A3));
            p = p.fma(x, FloatVector.broadcast(S, GeluCodes.A2));
            p = p.fma(x, FloatVector.broadcast(S, GeluCodes.A1));
            p = p.fma(x, FloatVector.broadcast(S, 1f));
            FloatVector p2 = p.mul(p);
            FloatVector p4 = p2.mul(p2);
            FloatVector p8 = p4.mul(p4);
            FloatVector r = v.mul(0.5f).div(p8.mul(p8));
            FloatVector gv = v.sub(r).blend(r, v.lt(0f));
            FloatVector w = gv.mul(g.invScale).max(g.wLo).min(g.wHi);
            FloatVector c = w.add(GeluCodes.MAGIC).sub(GeluCodes.MAGIC);
            VectorMask<Float> ok = w.sub(c).abs().compare(VectorOperators.LE, g.safe);
            c.add(z).max(qmin).min(qmax).intoArray(out, outOff + i);
            if (!ok.allTrue()) {
                // Rare: the plain loop redoes these lanes (same operations, same flags) and lists them.
                // Reading the mask lane by lane instead made C2 fall back to the boxed Vector API code.
                count = g.plainCodes(y, off + i, L, out, outOff + i, near, count, i);
            }
        }
        // The tail through the plain loop, its near-boundary elements numbered from i.
        return g.plainCodes(y, off + i, len - i, out, outOff + i, near, count, i);
    }
}
