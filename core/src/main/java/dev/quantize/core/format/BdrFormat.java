package dev.quantize.core.format;

import dev.quantize.core.kernel.Parallelism;

/**
 * Shared-microexponent block format (BDR; MX9, MX6, MX4): a block of {@code k1} elements shares an
 * 8-bit exponent E (the largest float32 exponent field in the block), each pair a 1-bit
 * microexponent τ that shifts the pair down one binade when its own largest exponent is below E, and
 * each element is a sign and an m-bit magnitude without implicit bit, rounded to nearest (ties away,
 * as AMD's kernel and the golden vectors; or ties to even, the variant the specification describes)
 * and clamped at 2^m - 1 (numeric-formats.md, section 4.2). Float32 subnormal inputs flush to
 * zero; a block with Inf or NaN becomes all NaN (E = 255).
 *
 * <p>Packed layout, block by block (order as in {@link BlockLayout}): the exponent byte, the pair
 * bits (ceil(pairs / 8) bytes, least significant first), then the elements as (1 + m)-bit codes
 * {@code sign << m | M}, bit-packed from a byte boundary.
 */
public final class BdrFormat implements NumericFormat {
    private final String name;
    private final int mantissaBits;
    private final int blockSize;
    private final int subBlockSize;
    private final SlabKernel vector; // null: plain Java only

    private final Rounding rounding;

    public BdrFormat(String name, int mantissaBits, int blockSize, int subBlockSize, Rounding rounding) {
        this(name, mantissaBits, blockSize, subBlockSize, rounding, true);
    }

    /** With {@code allowVector} false the plain-Java code always runs (tests compare the two). */
    BdrFormat(String name, int mantissaBits, int blockSize, int subBlockSize, Rounding rounding, boolean allowVector) {
        if (subBlockSize != 2 || blockSize % 2 != 0) {
            throw new IllegalArgumentException(name + ": only 1-bit microexponents over pairs in even blocks are supported");
        }
        this.name = name;
        this.mantissaBits = mantissaBits;
        this.blockSize = blockSize;
        this.subBlockSize = subBlockSize;
        this.rounding = rounding;
        this.vector = allowVector ? SimdSupport.vectorBdrKernel(mantissaBits, rounding) : null;
    }

    /** Which kernel runs the fake quantization: "vector(N lanes)" or "scalar". */
    public String implementation() {
        return vector != null ? vector.name() : "scalar";
    }

    public int mantissaBits() {
        return mantissaBits;
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
        return 1 + mantissaBits + 8.0 / blockSize + 1.0 / subBlockSize;
    }

    @Override
    public float maxValue() {
        // M = 2^m - 1 at E = 254, τ = 0: (2^m - 1) * 2^(127 - (m - 1))
        return (float) (((1 << mantissaBits) - 1) * Math.pow(2, 128 - mantissaBits));
    }

    private static double pow2(int k) {
        return Double.longBitsToDouble((long) (k + 1023) << 52);
    }

    @Override
    public void quantizeDequantize(float[] src, float[] dst, int[] shape, int axis, Parallelism par) {
        BlockLayout layout = BlockLayout.of(shape, axis, blockSize);
        par.parallelFor(layout.slabs(), (s0, s1) -> {
            if (vector != null && vector.slabs(src, dst, layout, s0, s1)) {
                return;
            }
            int[] fields = new int[blockSize];
            for (int s = s0; s < s1; s++) {
                int start = layout.slabStart(s);
                int len = layout.slabLength(s);
                for (int i = 0; i < layout.inner(); i++) {
                    block(src, dst, start + i, len, layout.inner(), fields, null, 0);
                }
            }
        });
    }

    /**
     * Quantizes one block. Writes dequantized values to {@code dst} (if not null) and, when
     * {@code out} is not null, the packed block at {@code pos}; returns the next byte position.
     */
    private int block(float[] src, float[] dst, int start, int len, int stride, int[] fields, byte[] out, int pos) {
        int e = 0;
        for (int j = 0; j < len; j++) {
            fields[j] = (Float.floatToRawIntBits(src[start + j * stride]) >>> 23) & 0xFF;
            e = Math.max(e, fields[j]);
        }
        int pairs = (len + 1) / 2;
        int[] codes = out == null ? null : new int[len];
        int tauBits = 0;
        for (int p = 0; p < pairs; p++) {
            int j0 = 2 * p;
            int pairField = j0 + 1 < len ? Math.max(fields[j0], fields[j0 + 1]) : fields[j0];
            int tau = Math.min(e - pairField, 1);
            tauBits |= tau << (p & 31);
            int qexp = e - 127 - tau + 1 - mantissaBits;
            double inverse = pow2(-qexp);
            float quantum = (float) pow2(qexp);
            for (int j = j0; j < Math.min(j0 + 2, len); j++) {
                float x = src[start + j * stride];
                int mag = 0;
                if (e != 255 && fields[j] != 0) {
                    // |x| / q is exact in double and below 2^m; it is rounded, then clamped, not carried
                    mag = Math.min((int) rounding.roundNonNegative(Math.abs(x) * inverse), (1 << mantissaBits) - 1);
                }
                if (dst != null) {
                    dst[start + j * stride] = e == 255 ? Float.NaN : Math.copySign(mag * quantum, x);
                }
                if (codes != null) {
                    codes[j] = (Float.floatToRawIntBits(x) < 0 && e != 255 ? 1 << mantissaBits : 0) | mag;
                }
            }
            if (out != null && ((p & 7) == 7 || p == pairs - 1)) {
                out[pos + 1 + p / 8] = (byte) (tauBits >>> ((p / 8) * 8 & 31));
            }
        }
        if (out == null) {
            return pos;
        }
        out[pos] = (byte) e;
        return BitPacking.write(out, pos + 1 + (pairs + 7) / 8, codes, len, mantissaBits + 1);
    }

    private int blockBytes(int len) {
        return 1 + ((len + 1) / 2 + 7) / 8 + BitPacking.bytes(len, mantissaBits + 1);
    }

    @Override
    public long packedBytes(int[] shape, int axis) {
        BlockLayout layout = BlockLayout.of(shape, axis, blockSize);
        long bytes = 0;
        for (int s = 0; s < layout.blocksPerRun(); s++) {
            bytes += (long) layout.outer() * layout.inner() * blockBytes(layout.slabLength(s));
        }
        return bytes;
    }

    @Override
    public PackedTensor encode(float[] src, int[] shape, int axis) {
        BlockLayout layout = BlockLayout.of(shape, axis, blockSize);
        byte[] out = new byte[Math.toIntExact(packedBytes(shape, axis))];
        int[] fields = new int[blockSize];
        int pos = 0;
        for (int s = 0; s < layout.slabs(); s++) {
            for (int i = 0; i < layout.inner(); i++) {
                pos = block(src, null, layout.slabStart(s) + i, layout.slabLength(s), layout.inner(), fields, out, pos);
            }
        }
        return new PackedTensor(name, shape, axis, out);
    }

    @Override
    public void decode(PackedTensor packed, float[] dst) {
        BlockLayout layout = BlockLayout.of(packed.shape(), packed.axis(), blockSize);
        byte[] in = packed.bytes();
        int[] codes = new int[blockSize];
        int pos = 0;
        for (int s = 0; s < layout.slabs(); s++) {
            int len = layout.slabLength(s);
            int pairs = (len + 1) / 2;
            for (int i = 0; i < layout.inner(); i++) {
                int start = layout.slabStart(s) + i;
                int e = in[pos] & 0xFF;
                int tauStart = pos + 1;
                pos = BitPacking.read(in, pos + 1 + (pairs + 7) / 8, codes, len, mantissaBits + 1);
                for (int j = 0; j < len; j++) {
                    int tau = (in[tauStart + (j / 2) / 8] >>> ((j / 2) % 8)) & 1;
                    int mag = codes[j] & ((1 << mantissaBits) - 1);
                    float v = (float) (mag * pow2(e - 127 - tau + 1 - mantissaBits));
                    dst[start + j * layout.inner()] = e == 255 ? Float.NaN : ((codes[j] >>> mantissaBits) != 0 ? -v : v);
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
        int bpr = l.blocksPerRun();
        int full = blockBytes(blockSize);
        long run = (long) (bpr - 1) * full + blockBytes(l.slabLength(bpr - 1));
        int[] codes = new int[blockSize];
        Region.decodeBlocks(l, axis, r0, r1, c0, c1, dst, (s, i, vals) -> {
            int o = s / bpr;
            int b = s % bpr;
            int len = l.slabLength(s);
            int pos = Math.toIntExact(o * l.inner() * run + (long) b * l.inner() * full + (long) i * blockBytes(len));
            int pairs = (len + 1) / 2;
            int e = in[pos] & 0xFF;
            BitPacking.read(in, pos + 1 + (pairs + 7) / 8, codes, len, mantissaBits + 1);
            for (int j = 0; j < len; j++) {
                int tau = (in[pos + 1 + (j / 2) / 8] >>> ((j / 2) % 8)) & 1;
                int mag = codes[j] & ((1 << mantissaBits) - 1);
                float v = (float) (mag * pow2(e - 127 - tau + 1 - mantissaBits));
                vals[j] = e == 255 ? Float.NaN : ((codes[j] >>> mantissaBits) != 0 ? -v : v);
            }
        });
    }

    @Override
    public String toString() {
        return name;
    }
}
