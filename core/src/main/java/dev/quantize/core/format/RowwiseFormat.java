package dev.quantize.core.format;

import dev.quantize.core.kernel.Parallelism;
import dev.quantize.core.tensor.Shape;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;

/**
 * FBGEMM's fused row-wise embedding formats (numeric-formats.md, sections 5.2 and 5.3). A tensor is
 * read as rows of its last dimension; each row becomes its codes followed by its scale and bias:
 * 8-bit codes with float32 scale and bias, or 4-/2-bit codes (packed low bits first) with float16
 * scale and bias. All arithmetic is float32, exactly as the reference implementation orders it.
 */
public final class RowwiseFormat implements NumericFormat {
    private final String name;
    private final int bits;

    public RowwiseFormat(String name, int bits) {
        if (bits != 8 && bits != 4 && bits != 2) {
            throw new IllegalArgumentException(name + ": row-wise formats have 8, 4 or 2 bits");
        }
        this.name = name;
        this.bits = bits;
    }

    public int bits() {
        return bits;
    }

    @Override
    public String name() {
        return name;
    }

    @Override
    public double bitsPerElement() {
        return bits + (bits == 8 ? 64.0 : 32.0) / 64;
    }

    @Override
    public float maxValue() {
        return bits == 8 ? Float.MAX_VALUE : Float16.MAX_VALUE;
    }

    /** Bytes of one packed row of {@code cols} values. */
    public int rowBytes(int cols) {
        return BitPacking.bytes(cols, bits) + (bits == 8 ? 8 : 4);
    }

    private static int cols(int[] shape) {
        return shape.length == 0 ? 1 : shape[shape.length - 1];
    }

    /** A row's stored scale and bias, and the inverse scale used to quantize. */
    private record RowParams(float scale, float bias, float inverse) {
    }

    private RowParams params(float[] src, int off, int cols) {
        float mn = Float.POSITIVE_INFINITY;
        float mx = Float.NEGATIVE_INFINITY;
        for (int j = 0; j < cols; j++) {
            mn = Math.min(mn, src[off + j]);
            mx = Math.max(mx, src[off + j]);
        }
        if (cols == 0) {
            mn = 0;
            mx = 0;
        }
        if (bits == 8) {
            float range = mx - mn;
            return new RowParams(range / 255f, mn, 255f / (range + 1e-8f));
        }
        mn = Float16.round(mn); // the bias is rounded to half before it is used
        float range = mx - mn;
        float scale = range == 0f ? 1f : range / ((1 << bits) - 1);
        scale = Float16.round(scale);
        if (scale == 0f) {
            scale = 1f;
        }
        float inverse = 1f / scale;
        if (Float.isInfinite(inverse)) {
            scale = 1f;
            inverse = 1f;
        }
        return new RowParams(scale, mn, inverse);
    }

    private int code(float x, RowParams p) {
        double c = Math.rint((x - p.bias()) * p.inverse());
        return (int) Math.max(0, Math.min((1 << bits) - 1, c));
    }

    private float value(int code, RowParams p) {
        return code * p.scale() + p.bias();
    }

    @Override
    public void quantizeDequantize(float[] src, float[] dst, int[] shape, int axis, Parallelism par) {
        int cols = cols(shape);
        int rows = cols == 0 ? 0 : Shape.size(shape) / cols;
        par.parallelFor(rows, (r0, r1) -> {
            for (int r = r0; r < r1; r++) {
                int off = r * cols;
                RowParams p = params(src, off, cols);
                for (int j = 0; j < cols; j++) {
                    dst[off + j] = value(code(src[off + j], p), p);
                }
            }
        });
    }

    @Override
    public long packedBytes(int[] shape, int axis) {
        int cols = cols(shape);
        long rows = cols == 0 ? 0 : Shape.size(shape) / cols;
        return rows * rowBytes(cols);
    }

    @Override
    public PackedTensor encode(float[] src, int[] shape, int axis) {
        int cols = cols(shape);
        int rows = cols == 0 ? 0 : Shape.size(shape) / cols;
        int rowBytes = rowBytes(cols);
        byte[] out = new byte[Math.toIntExact(packedBytes(shape, axis))];
        ByteBuffer bb = ByteBuffer.wrap(out).order(ByteOrder.LITTLE_ENDIAN);
        int[] codes = new int[cols];
        for (int r = 0; r < rows; r++) {
            int off = r * cols;
            RowParams p = params(src, off, cols);
            for (int j = 0; j < cols; j++) {
                codes[j] = code(src[off + j], p);
            }
            int pos = BitPacking.write(out, r * rowBytes, codes, cols, bits);
            if (bits == 8) {
                bb.putFloat(pos, p.scale());
                bb.putFloat(pos + 4, p.bias());
            } else {
                bb.putShort(pos, Float16.fromFloat(p.scale()));
                bb.putShort(pos + 2, Float16.fromFloat(p.bias()));
            }
        }
        return new PackedTensor(name, shape, axis, out);
    }

    @Override
    public void decode(PackedTensor packed, float[] dst) {
        int[] shape = packed.shape();
        int cols = cols(shape);
        int rows = cols == 0 ? 0 : Shape.size(shape) / cols;
        int rowBytes = rowBytes(cols);
        ByteBuffer bb = ByteBuffer.wrap(packed.bytes()).order(ByteOrder.LITTLE_ENDIAN);
        int[] codes = new int[cols];
        for (int r = 0; r < rows; r++) {
            int pos = BitPacking.read(packed.bytes(), r * rowBytes, codes, cols, bits);
            float scale = bits == 8 ? bb.getFloat(pos) : Float16.toFloat(bb.getShort(pos));
            float bias = bits == 8 ? bb.getFloat(pos + 4) : Float16.toFloat(bb.getShort(pos + 2));
            for (int j = 0; j < cols; j++) {
                dst[r * cols + j] = codes[j] * scale + bias;
            }
        }
    }

    @Override
    public String toString() {
        return name;
    }
}
