package dev.quantize.core.format;

/**
 * The inner loop of a block format's fake quantization: one slab (block b of every inner column of
 * one outer index, see {@link BlockLayout}). The formats' own plain-Java code always works; Vector
 * API kernels are used when the jdk.incubator.vector module is present. Both are bit-exact (tested
 * against each other and the golden vectors), so the choice changes speed only.
 */
interface SlabKernel {
    /** MX element parameters, derived once per format. */
    record MxParams(int mantissaBits, int emin, int emax, float max, boolean fixedPoint, boolean nearestEven) {
        static MxParams of(ElementType t, Rounding r) {
            return new MxParams(t.mantissaBits(), t.emin(), t.emax(), t.maxValue(), t.fixedPoint(), r == Rounding.NEAREST_EVEN);
        }
    }

    /**
     * Quantize-dequantizes slabs [s0, s1); returns false, having written nothing, if this kernel does
     * not handle the layout (the caller then runs its own code).
     */
    boolean slabs(float[] src, float[] dst, BlockLayout layout, int s0, int s1);

    String name();
}
