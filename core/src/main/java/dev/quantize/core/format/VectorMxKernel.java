package dev.quantize.core.format;

import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.IntVector;
import jdk.incubator.vector.VectorMask;
import jdk.incubator.vector.VectorOperators;
import jdk.incubator.vector.VectorSpecies;

/**
 * MX fake quantization with the Vector API: the same bit-level steps as
 * {@link ElementQuantizer#quantizeMagnitude}, lane-wise. Contiguous blocks (block axis last, block
 * size a multiple of the lane count) take whole blocks per iteration; other layouts with at least a
 * vector of inner columns run one lane per column. Loaded reflectively only when the module exists.
 */
final class VectorMxKernel implements SlabKernel {
    private static final VectorSpecies<Float> F = FloatVector.SPECIES_PREFERRED;
    private static final VectorSpecies<Integer> I = IntVector.SPECIES_PREFERRED;
    private static final int NAN_FIELD = 0x7F800000;

    private final MxParams p;

    VectorMxKernel(MxParams p) {
        this.p = p;
    }

    @Override
    public String name() {
        return "vector(" + F.length() + " lanes)";
    }

    @Override
    public boolean slabs(float[] src, float[] dst, BlockLayout layout, int s0, int s1) {
        int lanes = F.length();
        int k = layout.k();
        if (layout.inner() == 1) {
            if (k % lanes != 0 || layout.n() % k != 0) {
                return false;
            }
            // Every block is full, so slab s covers [s * k, (s + 1) * k).
            for (int start = s0 * k, end = s1 * k; start < end; start += k) {
                block(src, dst, start, k);
            }
            return true;
        }
        int inner = layout.inner();
        if (inner < lanes) {
            return false;
        }
        for (int s = s0; s < s1; s++) {
            int start = layout.slabStart(s);
            int len = layout.slabLength(s);
            int i = 0;
            for (; i <= inner - lanes; i += lanes) {
                columns(src, dst, start + i, len, inner);
            }
            if (i < inner) {
                columns(src, dst, start + inner - lanes, len, inner); // overlapping tail: recomputing a column is harmless
            }
        }
        return true;
    }

    /** One contiguous block of {@code k} elements (a multiple of the lane count). */
    private void block(float[] src, float[] dst, int start, int k) {
        int lanes = F.length();
        IntVector maxBits = FloatVector.fromArray(F, src, start).reinterpretAsInts().and(0x7FFFFFFF);
        for (int j = lanes; j < k; j += lanes) {
            maxBits = maxBits.max(FloatVector.fromArray(F, src, start + j).reinterpretAsInts().and(0x7FFFFFFF));
        }
        int amax = maxBits.reduceLanes(VectorOperators.MAX);
        if (amax >= NAN_FIELD) {
            java.util.Arrays.fill(dst, start, start + k, Float.NaN);
            return;
        }
        int se = Math.max((amax >>> 23) - 127 - p.emax(), -127);
        FloatVector scale = FloatVector.broadcast(F, PowersOfTwo.of(se));
        FloatVector inverse = FloatVector.broadcast(F, PowersOfTwo.of(-se));
        for (int j = 0; j < k; j += lanes) {
            quantize(FloatVector.fromArray(F, src, start + j), inverse, scale).intoArray(dst, start + j);
        }
    }

    /** One vector of adjacent columns, each its own block of {@code len} rows with stride {@code inner}. */
    private void columns(float[] src, float[] dst, int base, int len, int inner) {
        IntVector amax = IntVector.zero(I);
        for (int j = 0; j < len; j++) {
            amax = amax.max(FloatVector.fromArray(F, src, base + j * inner).reinterpretAsInts().and(0x7FFFFFFF));
        }
        VectorMask<Integer> nonFinite = amax.compare(VectorOperators.GE, NAN_FIELD);
        IntVector se = amax.lanewise(VectorOperators.LSHR, 23).sub(127 + p.emax()).max(-127);
        FloatVector scale = pow2Wide(se);
        FloatVector inverse = pow2Wide(se.neg());
        FloatVector nan = FloatVector.broadcast(F, Float.NaN);
        for (int j = 0; j < len; j++) {
            FloatVector x = FloatVector.fromArray(F, src, base + j * inner);
            quantize(x, inverse, scale).blend(nan, nonFinite.cast(F)).intoArray(dst, base + j * inner);
        }
    }

    /** 2^k lane-wise for k in [-127, 127]; 2^-127 is subnormal, so it is made as 2^-126 / 2 (exact). */
    private static FloatVector pow2Wide(IntVector k) {
        VectorMask<Integer> tiny = k.compare(VectorOperators.LT, -126);
        IntVector field = k.max(-126).add(127).lanewise(VectorOperators.LSHL, 23);
        FloatVector v = field.reinterpretAsFloats();
        return v.blend(v.mul(0.5f), tiny.cast(F));
    }

    /**
     * Rounds |x| / scale to the element grid and multiplies back. After scaling, a < 2^(emax+1), so
     * with p = max(exponent(a), emin) the constant C = 2^(p + 23 - m) has the quantum 2^(p - m) as its
     * ulp and a < C: the float addition a + C rounds a to the grid (ties to even) and subtracting C is
     * exact. Ties-away corrects the ties that went down: a - r equal to half a quantum.
     */
    private FloatVector quantize(FloatVector x, FloatVector inverse, FloatVector scale) {
        IntVector xBits = x.reinterpretAsInts();
        FloatVector a = xBits.and(0x7FFFFFFF).reinterpretAsFloats().mul(inverse);
        IntVector field = p.fixedPoint() ? IntVector.broadcast(I, 127)
                : a.reinterpretAsInts().lanewise(VectorOperators.LSHR, 23).max(p.emin() + 127);
        FloatVector c = field.add(23 - p.mantissaBits()).lanewise(VectorOperators.LSHL, 23).reinterpretAsFloats();
        FloatVector r = a.add(c).sub(c);
        if (!p.nearestEven()) {
            FloatVector half = field.sub(p.mantissaBits() + 1).lanewise(VectorOperators.LSHL, 23).reinterpretAsFloats();
            r = r.add(half.add(half), a.sub(r).compare(VectorOperators.EQ, half));
        }
        FloatVector v = r.min(p.max()).mul(scale);
        IntVector sign = xBits.and(0x80000000);
        if (p.fixedPoint()) {
            sign = sign.blend(0, v.compare(VectorOperators.EQ, 0f).cast(I)); // integer elements have no -0
        }
        return v.reinterpretAsInts().or(sign).reinterpretAsFloats();
    }
}
