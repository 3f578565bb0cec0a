package dev.quantize.core.format;

import dev.quantize.core.kernel.Parallelism;

/**
 * OCP Microscaling (MX) block format: blocks of {@code k} elements along an axis share one E8M0
 * scale 2^se, with se = floor_log2(block max) - emax(element) clamped at -127; elements are the
 * block's values divided by the scale, rounded and saturated to the element type
 * (numeric-formats.md, section 3.2). A block holding NaN or Inf becomes all NaN (scale code 0xFF).
 *
 * <p>Packed layout: every block's scale byte first (block order: slab by slab, inner column by
 * column, see {@link BlockLayout}), then every block's element codes, each block bit-packed on its
 * own and starting on a byte boundary.
 */
public final class MxFormat implements NumericFormat {
    private static final int NAN_SCALE = 0xFF;

    private final String name;
    private final ElementType element;
    private final int blockSize;
    private final Rounding rounding;
    private final ElementQuantizer quantizer;
    private final ElementCodec codec;
    private final int emax;
    private final SlabKernel vector; // null: plain Java only

    public MxFormat(String name, ElementType element, int blockSize, Rounding rounding) {
        this(name, element, blockSize, rounding, true);
    }

    /** With {@code allowVector} false the plain-Java kernel always runs (tests compare the two). */
    MxFormat(String name, ElementType element, int blockSize, Rounding rounding, boolean allowVector) {
        if (blockSize < 1) {
            throw new IllegalArgumentException(name + ": block size must be positive, got " + blockSize);
        }
        this.name = name;
        this.element = element;
        this.blockSize = blockSize;
        this.rounding = rounding;
        this.quantizer = new ElementQuantizer(element, rounding, true);
        this.codec = new ElementCodec(element);
        this.emax = element.emax();
        this.vector = allowVector ? SimdSupport.vectorMxKernel(SlabKernel.MxParams.of(element, rounding)) : null;
    }

    /** Which kernel runs the fake quantization: "vector(N lanes)" or "scalar". */
    public String implementation() {
        return vector != null ? vector.name() : "scalar";
    }

    public ElementType elementType() {
        return element;
    }

    public int blockSize() {
        return blockSize;
    }

    public Rounding rounding() {
        return rounding;
    }

    @Override
    public String name() {
        return name;
    }

    @Override
    public double bitsPerElement() {
        return element.bits() + 8.0 / blockSize;
    }

    @Override
    public float maxValue() {
        return (float) Math.min(Float.MAX_VALUE, element.maxValue() * Math.pow(2, 127));
    }

    /** The shared exponent of a block from the largest magnitude's float32 bits, or NaN_SCALE - 127 for a non-finite block. */
    private int sharedExponent(int amaxBits) {
        if (amaxBits >= 0x7F800000) {
            return NAN_SCALE - 127;
        }
        return Math.max((amaxBits >>> 23) - 127 - emax, -127);
    }

    @Override
    public void quantizeDequantize(float[] src, float[] dst, int[] shape, int axis, Parallelism par) {
        BlockLayout layout = BlockLayout.of(shape, axis, blockSize);
        par.parallelFor(layout.slabs(), (s0, s1) -> {
            if (vector != null && vector.slabs(src, dst, layout, s0, s1)) {
                return;
            }
            int[] amax = new int[layout.inner()];
            for (int s = s0; s < s1; s++) {
                qdqSlab(src, dst, layout, s, amax);
            }
        });
    }

    private void qdqSlab(float[] src, float[] dst, BlockLayout layout, int s, int[] amax) {
        int start = layout.slabStart(s);
        int len = layout.slabLength(s);
        int inner = layout.inner();
        if (inner == 1) {
            int m = 0;
            for (int j = start; j < start + len; j++) {
                m = Math.max(m, Float.floatToRawIntBits(src[j]) & 0x7FFFFFFF);
            }
            qdqBlock(src, dst, start, len, 1, sharedExponent(m));
            return;
        }
        java.util.Arrays.fill(amax, 0);
        for (int j = 0; j < len; j++) {
            int row = start + j * inner;
            for (int i = 0; i < inner; i++) {
                amax[i] = Math.max(amax[i], Float.floatToRawIntBits(src[row + i]) & 0x7FFFFFFF);
            }
        }
        for (int i = 0; i < inner; i++) {
            qdqBlock(src, dst, start + i, len, inner, sharedExponent(amax[i]));
        }
    }

    /** Quantize-dequantizes one block: {@code len} elements from {@code start} with {@code stride}. */
    private void qdqBlock(float[] src, float[] dst, int start, int len, int stride, int se) {
        int end = start + len * stride;
        if (se == NAN_SCALE - 127) {
            for (int j = start; j < end; j += stride) {
                dst[j] = Float.NaN;
            }
            return;
        }
        float scale = Math.scalb(1f, se); // 2^-127 is a float32 subnormal: never build it from bits
        float inverse = Math.scalb(1f, -se);
        boolean fixed = element.fixedPoint();
        for (int j = start; j < end; j += stride) {
            float x = src[j];
            float r = quantizer.quantizeMagnitude(Math.abs(x) * inverse) * scale;
            dst[j] = fixed && r == 0f ? 0f : Math.copySign(r, x);
        }
    }

    @Override
    public long packedBytes(int[] shape, int axis) {
        BlockLayout layout = BlockLayout.of(shape, axis, blockSize);
        long bytes = layout.blocks();
        for (int s = 0; s < layout.blocksPerRun(); s++) {
            bytes += (long) layout.outer() * layout.inner() * BitPacking.bytes(layout.slabLength(s), element.bits());
        }
        return bytes;
    }

    @Override
    public PackedTensor encode(float[] src, int[] shape, int axis) {
        BlockLayout layout = BlockLayout.of(shape, axis, blockSize);
        byte[] out = new byte[Math.toIntExact(packedBytes(shape, axis))];
        float[] q = quantizeDequantize(src, shape, axis);
        int inner = layout.inner();
        int[] codes = new int[blockSize];
        int scalePos = 0;
        int pos = (int) layout.blocks();
        for (int s = 0; s < layout.slabs(); s++) {
            int start = layout.slabStart(s);
            int len = layout.slabLength(s);
            for (int i = 0; i < inner; i++) {
                int m = 0;
                for (int j = 0; j < len; j++) {
                    m = Math.max(m, Float.floatToRawIntBits(src[start + i + j * inner]) & 0x7FFFFFFF);
                }
                int se = sharedExponent(m);
                out[scalePos++] = (byte) (se + 127);
                float inverse = Math.scalb(1f, -se);
                for (int j = 0; j < len; j++) {
                    float v = q[start + i + j * inner];
                    // v is code * 2^se exactly; dividing by the power of two recovers the element value
                    codes[j] = se == NAN_SCALE - 127 ? 0 : codec.encode(v * inverse);
                }
                pos = BitPacking.write(out, pos, codes, len, element.bits());
            }
        }
        return new PackedTensor(name, shape, axis, out);
    }

    @Override
    public void decode(PackedTensor packed, float[] dst) {
        BlockLayout layout = BlockLayout.of(packed.shape(), packed.axis(), blockSize);
        byte[] in = packed.bytes();
        int inner = layout.inner();
        int[] codes = new int[blockSize];
        int scalePos = 0;
        int pos = (int) layout.blocks();
        for (int s = 0; s < layout.slabs(); s++) {
            int start = layout.slabStart(s);
            int len = layout.slabLength(s);
            for (int i = 0; i < inner; i++) {
                int scaleCode = in[scalePos++] & 0xFF;
                pos = BitPacking.read(in, pos, codes, len, element.bits());
                float scale = Math.scalb(1f, scaleCode - 127);
                for (int j = 0; j < len; j++) {
                    dst[start + i + j * inner] = scaleCode == NAN_SCALE ? Float.NaN : codec.decode(codes[j]) * scale;
                }
            }
        }
    }

    @Override
    public void decodeRegion(PackedTensor packed, int r0, int r1, int c0, int c1, float[] dst) {
        Region.check(packed, r0, r1, c0, c1, dst);
        int axis = Math.floorMod(packed.axis(), 2);
        BlockLayout l = BlockLayout.of(packed.shape(), axis, blockSize);
        byte[] in = packed.bytes();
        int bits = element.bits();
        int bpr = l.blocksPerRun();
        int full = BitPacking.bytes(blockSize, bits);
        long run = (long) (bpr - 1) * full + BitPacking.bytes(l.slabLength(bpr - 1), bits);
        int[] codes = new int[blockSize];
        Region.decodeBlocks(l, axis, r0, r1, c0, c1, dst, (s, i, vals) -> {
            // Block (s, i) as decode() lays it out: scale bytes first, then every block's codes in order.
            int o = s / bpr;
            int b = s % bpr;
            int len = l.slabLength(s);
            long pos = l.blocks() + o * l.inner() * run + (long) b * l.inner() * full
                    + (long) i * BitPacking.bytes(len, bits);
            int scaleCode = in[s * l.inner() + i] & 0xFF;
            BitPacking.read(in, Math.toIntExact(pos), codes, len, bits);
            float scale = Math.scalb(1f, scaleCode - 127);
            for (int j = 0; j < len; j++) {
                vals[j] = scaleCode == NAN_SCALE ? Float.NaN : codec.decode(codes[j]) * scale;
            }
        });
    }

    @Override
    public String toString() {
        return name;
    }
}
