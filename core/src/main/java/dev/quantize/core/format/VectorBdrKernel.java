package dev.quantize.core.format;

import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.IntVector;
import jdk.incubator.vector.VectorOperators;
import jdk.incubator.vector.VectorShuffle;
import jdk.incubator.vector.VectorSpecies;

/**
 * BDR (MX9/MX6/MX4) fake quantization with the Vector API, for contiguous blocks (block axis last,
 * block size a multiple of an even lane count); the same steps as {@link BdrFormat}, lane-wise.
 * The pair maximum comes from swapping adjacent lanes. |x| / q is formed as
 * (|x| * 2^(127 - E)) * 2^(tau + m - 1): each factor is a normal power of two (E = 254 gives the
 * subnormal 2^-127, exact for every value large enough to round to a non-zero magnitude).
 */
final class VectorBdrKernel implements SlabKernel {
    private static final VectorSpecies<Float> F = FloatVector.SPECIES_PREFERRED;
    private static final VectorSpecies<Integer> I = IntVector.SPECIES_PREFERRED;
    private static final VectorShuffle<Integer> SWAP_PAIRS = VectorShuffle.fromOp(I, i -> i ^ 1);

    private final int m;
    private final boolean nearestEven;

    /** {@code params} = {mantissa bits, 1 for ties to even or 0 for ties away}. */
    VectorBdrKernel(int[] params) {
        this.m = params[0];
        this.nearestEven = params[1] == 1;
    }

    @Override
    public String name() {
        return "vector(" + F.length() + " lanes)";
    }

    @Override
    public boolean slabs(float[] src, float[] dst, BlockLayout layout, int s0, int s1) {
        int lanes = F.length();
        int k = layout.k();
        if (layout.inner() != 1 || k % lanes != 0 || layout.n() % k != 0 || lanes % 2 != 0) {
            return false;
        }
        for (int start = s0 * k, end = s1 * k; start < end; start += k) {
            block(src, dst, start, k);
        }
        return true;
    }

    /** One contiguous block of {@code len} elements (a multiple of the lane count). */
    private void block(float[] src, float[] dst, int start, int len) {
        int lanes = F.length();
        IntVector maxField = IntVector.zero(I);
        for (int j = 0; j < len; j += lanes) {
            IntVector fields = FloatVector.fromArray(F, src, start + j).reinterpretAsInts()
                    .lanewise(VectorOperators.LSHR, 23).and(0xFF);
            maxField = maxField.max(fields);
        }
        int e = maxField.reduceLanes(VectorOperators.MAX);
        if (e == 255) {
            java.util.Arrays.fill(dst, start, start + len, Float.NaN);
            return;
        }
        FloatVector toUnit = FloatVector.broadcast(F, PowersOfTwo.of(127 - e));
        FloatVector fromUnit = FloatVector.broadcast(F, PowersOfTwo.of(e - 127));
        float largest = (1 << m) - 1;
        for (int j = 0; j < len; j += lanes) {
            FloatVector x = FloatVector.fromArray(F, src, start + j);
            IntVector bits = x.reinterpretAsInts();
            IntVector fields = bits.lanewise(VectorOperators.LSHR, 23).and(0xFF);
            IntVector pairMax = fields.max(fields.rearrange(SWAP_PAIRS));
            IntVector tau = IntVector.broadcast(I, e).sub(pairMax).min(1);
            FloatVector up = tau.add(m - 1 + 127).lanewise(VectorOperators.LSHL, 23).reinterpretAsFloats();
            FloatVector down = tau.neg().add(128 - m).lanewise(VectorOperators.LSHL, 23).reinterpretAsFloats();
            // float32 subnormals flush to zero: clear their magnitude before scaling
            IntVector magnitudeBits = bits.and(0x7FFFFFFF).blend(0, fields.compare(VectorOperators.EQ, 0));
            FloatVector t = magnitudeBits.reinterpretAsFloats().mul(toUnit).mul(up);
            // t < 2^m: (t + 2^23) - 2^23 rounds to nearest even; ties that went down then go up (ties away)
            FloatVector even = t.add(0x1p23f).sub(0x1p23f);
            FloatVector mag = (nearestEven ? even : even.add(1f, t.sub(even).compare(VectorOperators.EQ, 0.5f))).min(largest);
            FloatVector y = mag.mul(down).mul(fromUnit);
            y.reinterpretAsInts().or(bits.and(0x80000000)).reinterpretAsFloats().intoArray(dst, start + j);
        }
    }
}
