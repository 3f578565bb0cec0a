package dev.quantize.core.format;

import dev.quantize.core.kernel.Parallelism;

/**
 * One numeric format: how a float32 tensor is stored with fewer bits. Every format of the project
 * (scalar casts, integer formats with scales, OCP MX blocks, shared-microexponent BDR blocks,
 * row-wise embedding tables) sits behind this interface; {@link FormatRegistry} maps names to them.
 *
 * <p>{@code axis} means the block axis for block formats, the channel axis for per-channel and the
 * group axis for per-group integer formats; per-tensor and scalar formats ignore it, and row-wise
 * formats always quantize rows of the last dimension.
 */
public interface NumericFormat {
    /** Canonical name, parseable by {@link FormatRegistry#parse}. */
    String name();

    /** Storage bits per element including the amortised scale overhead (row-wise: at 64 columns). */
    double bitsPerElement();

    /** The largest finite magnitude the format can represent. */
    float maxValue();

    /** Whether the format has a per-tensor or per-channel scale set from the data's range (as opposed to block scales or none). */
    default boolean needsRange() {
        return false;
    }

    /**
     * Fake quantization: {@code dst[i]} = dequantize(quantize(src))[i], bit-exact to the
     * specification. {@code src} and {@code dst} may be the same array.
     */
    void quantizeDequantize(float[] src, float[] dst, int[] shape, int axis, Parallelism par);

    default void quantizeDequantize(float[] src, float[] dst, int[] shape, int axis) {
        quantizeDequantize(src, dst, shape, axis, Parallelism.single());
    }

    default float[] quantizeDequantize(float[] src, int[] shape, int axis) {
        float[] dst = new float[src.length];
        quantizeDequantize(src, dst, shape, axis);
        return dst;
    }

    /** The packed bytes of {@code src}; {@code decode(encode(x))} equals {@code quantizeDequantize(x)} bit for bit. */
    PackedTensor encode(float[] src, int[] shape, int axis);

    /** Unpacks a tensor this format encoded into {@code dst} (length = elements of its shape). */
    void decode(PackedTensor packed, float[] dst);

    default float[] decode(PackedTensor packed) {
        float[] dst = new float[dev.quantize.core.tensor.Shape.size(packed.shape())];
        decode(packed, dst);
        return dst;
    }

    /**
     * Decodes rows [r0, r1) and columns [c0, c1) of a packed 2-D tensor into {@code dst} (row-major, row
     * stride c1 - c0): bit-identical to the same elements of {@link #decode(PackedTensor, float[])}. Weight-only
     * GEMMs use it to decode one panel of a weight at a time. This default decodes the whole tensor; the
     * formats with random access into their bytes (scalar, integer, MX, BDR) read only the blocks the region
     * covers.
     */
    default void decodeRegion(PackedTensor packed, int r0, int r1, int c0, int c1, float[] dst) {
        int cols = Region.check(packed, r0, r1, c0, c1, dst);
        float[] all = decode(packed);
        for (int r = r0; r < r1; r++) {
            System.arraycopy(all, r * cols + c0, dst, (r - r0) * (c1 - c0), c1 - c0);
        }
    }

    /** Exact size in bytes of the packed form of a tensor of this shape. */
    long packedBytes(int[] shape, int axis);
}
