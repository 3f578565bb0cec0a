package dev.quantize.core.format;

import dev.quantize.core.kernel.Parallelism;
import dev.quantize.core.tensor.Shape;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;

/**
 * Element-wise casts with no scale: fp32 (identity), bf16, fp16, fp8 E4M3/E5M2 and, for the golden
 * vectors, the bare MX element types. Packed as one code per element: 32/16-bit types as
 * little-endian words, narrower ones bit-packed (least significant bits first).
 */
public final class ScalarFormat implements NumericFormat {
    private static final int CHUNK = 1 << 14;

    private final String name;
    private final ElementType type;
    private final Rounding rounding;
    private final boolean saturate;
    private final ElementQuantizer quantizer; // null for fp32 and bf16, which need float32's exponent range
    private final ElementCodec codec;

    public ScalarFormat(String name, ElementType type, Rounding rounding, boolean saturate) {
        this.name = name;
        this.type = type;
        this.rounding = rounding;
        this.saturate = saturate;
        boolean wide = type.exponentBits() >= 8;
        this.quantizer = wide ? null : new ElementQuantizer(type, rounding, saturate);
        this.codec = wide || type.bits() > 8 ? null : new ElementCodec(type);
        if (wide && saturate) {
            throw new IllegalArgumentException(name + ": saturation is not defined for " + type.name());
        }
    }

    public ElementType elementType() {
        return type;
    }

    public Rounding rounding() {
        return rounding;
    }

    public boolean saturating() {
        return saturate;
    }

    @Override
    public String name() {
        return name;
    }

    @Override
    public double bitsPerElement() {
        return type.bits();
    }

    @Override
    public float maxValue() {
        return type == ElementType.FP32 ? Float.MAX_VALUE : type.maxValue();
    }

    /** One value through the cast. */
    public float quantize(float x) {
        if (type == ElementType.FP32) {
            return x;
        }
        if (type == ElementType.BF16) {
            return bf16(x, rounding);
        }
        return quantizer.quantize(x);
    }

    /** bfloat16 rounding on the float32 bits: RNE adds 0x7FFF plus the kept LSB, RNA adds 0x8000. */
    static float bf16(float x, Rounding rounding) {
        int bits = Float.floatToRawIntBits(x);
        if ((bits & 0x7FFFFFFF) > 0x7F800000) {
            return Float.NaN;
        }
        int bias = rounding == Rounding.NEAREST_EVEN ? 0x7FFF + ((bits >>> 16) & 1) : 0x8000;
        return Float.intBitsToFloat((bits + bias) & 0xFFFF0000);
    }

    @Override
    public void quantizeDequantize(float[] src, float[] dst, int[] shape, int axis, Parallelism par) {
        int n = Shape.size(shape);
        int chunks = (n + CHUNK - 1) / CHUNK;
        par.parallelFor(chunks, (c0, c1) -> {
            int end = Math.min(n, c1 * CHUNK);
            for (int i = c0 * CHUNK; i < end; i++) {
                dst[i] = quantize(src[i]);
            }
        });
    }

    @Override
    public long packedBytes(int[] shape, int axis) {
        return BitPacking.bytes(Shape.size(shape), type.bits());
    }

    @Override
    public PackedTensor encode(float[] src, int[] shape, int axis) {
        int n = Shape.size(shape);
        byte[] out = new byte[(int) packedBytes(shape, axis)];
        if (type.bits() >= 16) {
            ByteBuffer bb = ByteBuffer.wrap(out).order(ByteOrder.LITTLE_ENDIAN);
            for (int i = 0; i < n; i++) {
                float q = quantize(src[i]);
                switch (type.bits()) {
                    case 32 -> bb.putFloat(q);
                    default -> bb.putShort(type == ElementType.BF16 ? BFloat16.fromFloat(q) : Float16.fromFloat(q));
                }
            }
        } else {
            int[] codes = new int[Math.min(n, CHUNK)];
            int pos = 0;
            for (int s = 0; s < n; s += CHUNK) {
                int len = Math.min(CHUNK, n - s); // CHUNK * bits is a whole number of bytes
                for (int i = 0; i < len; i++) {
                    codes[i] = codec.encode(quantize(src[s + i]));
                }
                pos = BitPacking.write(out, pos, codes, len, type.bits());
            }
        }
        return new PackedTensor(name, shape, axis, out);
    }

    @Override
    public void decode(PackedTensor packed, float[] dst) {
        int n = Shape.size(packed.shape());
        byte[] in = packed.bytes();
        if (type.bits() >= 16) {
            ByteBuffer bb = ByteBuffer.wrap(in).order(ByteOrder.LITTLE_ENDIAN);
            for (int i = 0; i < n; i++) {
                dst[i] = switch (type.bits()) {
                    case 32 -> bb.getFloat();
                    default -> type == ElementType.BF16 ? BFloat16.toFloat(bb.getShort()) : Float16.toFloat(bb.getShort());
                };
            }
        } else {
            int[] codes = new int[Math.min(n, CHUNK)];
            int pos = 0;
            for (int s = 0; s < n; s += CHUNK) {
                int len = Math.min(CHUNK, n - s);
                pos = BitPacking.read(in, pos, codes, len, type.bits());
                for (int i = 0; i < len; i++) {
                    dst[s + i] = codec.decode(codes[i]);
                }
            }
        }
    }

    @Override
    public void decodeRegion(PackedTensor packed, int r0, int r1, int c0, int c1, float[] dst) {
        int cols = Region.check(packed, r0, r1, c0, c1, dst);
        byte[] in = packed.bytes();
        int bits = type.bits();
        int w = c1 - c0;
        for (int r = r0; r < r1; r++) {
            int d = (r - r0) * w - c0;
            for (int c = c0; c < c1; c++) {
                int idx = r * cols + c;
                float v;
                if (bits == 16) {
                    short h = (short) ((in[2 * idx] & 0xFF) | in[2 * idx + 1] << 8); // little-endian, as encode writes
                    v = type == ElementType.BF16 ? BFloat16.toFloat(h) : Float16.toFloat(h);
                } else if (bits == 32) {
                    v = Float.intBitsToFloat(Region.readBits(in, 32L * idx, 32));
                } else {
                    // Chunks of CHUNK codes are whole bytes, so the bit stream is continuous.
                    v = codec.decode(Region.readBits(in, (long) idx * bits, bits));
                }
                dst[d + c] = v;
            }
        }
    }

    @Override
    public String toString() {
        return name;
    }
}
