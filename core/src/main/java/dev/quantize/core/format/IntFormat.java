package dev.quantize.core.format;

import dev.quantize.core.kernel.Parallelism;
import dev.quantize.core.tensor.Shape;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;

/**
 * Integer formats with float32 scales, as the ONNX QuantizeLinear/DequantizeLinear operators define
 * them: {@code q = clamp(rne(x / s) + z, qmin, qmax)}, {@code x' = (q - z) * s} (numeric-formats.md,
 * section 5.1). One scale per tensor, per channel (index along {@code axis}) or per group of
 * {@code groupSize} consecutive elements along {@code axis}.
 *
 * <p>Conventions chosen here: symmetric scales are {@code max|x| / qmax} over the finite values with
 * the restricted grid -qmax..qmax (127 for int8, 7 for int4); affine scales are
 * {@code (max(x, 0) - min(x, 0)) / (2^bits - 1)} with an integer zero point; a zero range uses scale
 * 1; the division is {@code x / s} in float32 (not {@code x * (1/s)}); NaN quantizes to the zero
 * point and ±Inf saturates.
 *
 * <p>Packed layout: the scales (float32 little-endian, in channel / group order), then for affine
 * formats one zero-point byte per scale, then the codes in the tensor's own row-major order
 * (int8: one byte each; int4: two per byte, low nibble first).
 */
public final class IntFormat implements NumericFormat {
    /** What one scale covers. */
    public enum Granularity { PER_TENSOR, PER_CHANNEL, PER_GROUP }

    private final String name;
    private final int bits;
    private final Granularity granularity;
    private final boolean symmetric;
    private final int groupSize;
    private final int qmin;
    private final int qmax;

    public IntFormat(String name, int bits, Granularity granularity, boolean symmetric, int groupSize) {
        if (bits != 8 && bits != 4) {
            throw new IllegalArgumentException(name + ": only 8- and 4-bit integers are supported");
        }
        if (granularity == Granularity.PER_GROUP && groupSize < 1) {
            throw new IllegalArgumentException(name + ": group size must be positive");
        }
        this.name = name;
        this.bits = bits;
        this.granularity = granularity;
        this.symmetric = symmetric;
        this.groupSize = groupSize;
        this.qmax = (1 << (bits - 1)) - 1;
        this.qmin = symmetric ? -qmax : -qmax - 1;
    }

    public int bits() {
        return bits;
    }

    public Granularity granularity() {
        return granularity;
    }

    public boolean symmetric() {
        return symmetric;
    }

    public int groupSize() {
        return groupSize;
    }

    @Override
    public String name() {
        return name;
    }

    @Override
    public boolean needsRange() {
        return granularity != Granularity.PER_GROUP;
    }

    @Override
    public double bitsPerElement() {
        double overhead = granularity == Granularity.PER_GROUP ? (symmetric ? 32.0 : 40.0) / groupSize : 0;
        return bits + overhead;
    }

    @Override
    public float maxValue() {
        return Float.MAX_VALUE;
    }

    /** The scale and zero point of one set of values; the range is over finite values only. */
    public record Params(float scale, int zeroPoint) {
    }

    /** Scale and zero point for values whose finite minimum and maximum are {@code lo} and {@code hi}. */
    public Params params(float lo, float hi) {
        if (symmetric) {
            float amax = Math.max(Math.abs(lo), Math.abs(hi));
            float s = amax / qmax;
            return new Params(s == 0f || !Float.isFinite(s) ? 1f : s, 0);
        }
        float l = Math.min(lo, 0f);
        float h = Math.max(hi, 0f);
        float s = (h - l) / (qmax - qmin);
        if (s == 0f || !Float.isFinite(s)) {
            s = 1f;
        }
        int z = (int) Math.max(qmin, Math.min(qmax, qmin - Math.rint(l / s)));
        return new Params(s, z);
    }

    /** The integer code of x. */
    public int quantize(float x, Params p) {
        if (Float.isNaN(x)) {
            return p.zeroPoint();
        }
        double q = Math.rint(x / p.scale()) + p.zeroPoint();
        return (int) Math.max(qmin, Math.min(qmax, q));
    }

    public float dequantize(int q, Params p) {
        return (q - p.zeroPoint()) * p.scale();
    }

    /** Layout of scale groups: (outer, n, inner) with groups of {@code g} along the axis. */
    private BlockLayout layout(int[] shape, int axis) {
        return switch (granularity) {
            case PER_TENSOR -> new BlockLayout(1, Shape.size(shape), 1, Math.max(1, Shape.size(shape)), 1);
            case PER_CHANNEL -> {
                BlockLayout l = BlockLayout.of(shape, axis, 1);
                yield l;
            }
            case PER_GROUP -> BlockLayout.of(shape, axis, groupSize);
        };
    }

    /** Number of scales for a tensor of this shape. */
    public int scaleCount(int[] shape, int axis) {
        return switch (granularity) {
            case PER_TENSOR -> 1;
            case PER_CHANNEL -> shape.length == 0 ? 1 : shape[Shape.axis(axis, shape.length)];
            case PER_GROUP -> (int) layout(shape, axis).blocks();
        };
    }

    /** Index of the scale that covers element {@code idx}. */
    private static int scaleIndex(Granularity g, BlockLayout l, int idx) {
        if (g == Granularity.PER_TENSOR) {
            return 0;
        }
        int i = idx % l.inner();
        int rest = idx / l.inner();
        int j = rest % l.n();
        int o = rest / l.n();
        if (g == Granularity.PER_CHANNEL) {
            return j;
        }
        return (o * l.blocksPerRun() + j / l.k()) * l.inner() + i;
    }

    /** Scale and zero point of every scale group of {@code src}. */
    public Params[] computeParams(float[] src, int[] shape, int axis) {
        BlockLayout l = layout(shape, axis);
        int count = scaleCount(shape, axis);
        float[] lo = new float[count];
        float[] hi = new float[count];
        int n = Shape.size(shape);
        for (int idx = 0; idx < n; idx++) {
            float x = src[idx];
            if (Float.isFinite(x)) {
                int c = scaleIndex(granularity, l, idx);
                lo[c] = Math.min(lo[c], x);
                hi[c] = Math.max(hi[c], x);
            }
        }
        Params[] p = new Params[count];
        for (int c = 0; c < count; c++) {
            p[c] = params(lo[c], hi[c]);
        }
        return p;
    }

    @Override
    public void quantizeDequantize(float[] src, float[] dst, int[] shape, int axis, Parallelism par) {
        Params[] params = computeParams(src, shape, axis);
        BlockLayout l = layout(shape, axis);
        int n = Shape.size(shape);
        par.parallelFor(n, (a, b) -> {
            for (int idx = a; idx < b; idx++) {
                Params p = params[scaleIndex(granularity, l, idx)];
                dst[idx] = dequantize(quantize(src[idx], p), p);
            }
        });
    }

    @Override
    public long packedBytes(int[] shape, int axis) {
        int count = scaleCount(shape, axis);
        return (long) count * (symmetric ? 4 : 5) + BitPacking.bytes(Shape.size(shape), bits);
    }

    @Override
    public PackedTensor encode(float[] src, int[] shape, int axis) {
        Params[] params = computeParams(src, shape, axis);
        BlockLayout l = layout(shape, axis);
        int n = Shape.size(shape);
        byte[] out = new byte[Math.toIntExact(packedBytes(shape, axis))];
        ByteBuffer bb = ByteBuffer.wrap(out).order(ByteOrder.LITTLE_ENDIAN);
        for (Params p : params) {
            bb.putFloat(p.scale());
        }
        if (!symmetric) {
            for (Params p : params) {
                bb.put((byte) p.zeroPoint());
            }
        }
        int[] codes = new int[n];
        for (int idx = 0; idx < n; idx++) {
            codes[idx] = quantize(src[idx], params[scaleIndex(granularity, l, idx)]);
        }
        BitPacking.write(out, bb.position(), codes, n, bits);
        return new PackedTensor(name, shape, axis, out);
    }

    @Override
    public void decode(PackedTensor packed, float[] dst) {
        int[] shape = packed.shape();
        int axis = packed.axis();
        BlockLayout l = layout(shape, axis);
        int count = scaleCount(shape, axis);
        int n = Shape.size(shape);
        ByteBuffer bb = ByteBuffer.wrap(packed.bytes()).order(ByteOrder.LITTLE_ENDIAN);
        float[] scales = new float[count];
        for (int c = 0; c < count; c++) {
            scales[c] = bb.getFloat();
        }
        Params[] params = new Params[count];
        for (int c = 0; c < count; c++) {
            params[c] = new Params(scales[c], symmetric ? 0 : bb.get());
        }
        int[] codes = new int[n];
        BitPacking.read(packed.bytes(), bb.position(), codes, n, bits);
        int shift = 32 - bits;
        for (int idx = 0; idx < n; idx++) {
            int q = (codes[idx] << shift) >> shift; // sign-extend
            dst[idx] = dequantize(q, params[scaleIndex(granularity, l, idx)]);
        }
    }

    @Override
    public void decodeRegion(PackedTensor packed, int r0, int r1, int c0, int c1, float[] dst) {
        int cols = Region.check(packed, r0, r1, c0, c1, dst);
        int[] shape = packed.shape();
        BlockLayout l = layout(shape, packed.axis());
        int count = scaleCount(shape, packed.axis());
        byte[] in = packed.bytes();
        ByteBuffer bb = ByteBuffer.wrap(in).order(ByteOrder.LITTLE_ENDIAN);
        int codeStart = count * (symmetric ? 4 : 5);
        int shift = 32 - bits;
        int w = c1 - c0;
        for (int r = r0; r < r1; r++) {
            int d = (r - r0) * w - c0;
            for (int c = c0; c < c1; c++) {
                int idx = r * cols + c;
                int g = scaleIndex(granularity, l, idx);
                int code = bits == 8 ? in[codeStart + idx] : (in[codeStart + idx / 2] >> (4 * (idx & 1)));
                int q = (code << shift) >> shift; // sign-extend
                int zp = symmetric ? 0 : in[4 * count + g];
                dst[d + c] = (q - zp) * bb.getFloat(4 * g); // dequantize(q, params[g])
            }
        }
    }

    @Override
    public String toString() {
        return name;
    }
}
