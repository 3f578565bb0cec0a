package dev.quantize.quantizer.emulate;

import dev.quantize.core.format.FormatRegistry;
import dev.quantize.core.format.IntFormat;
import dev.quantize.core.format.NumericFormat;
import dev.quantize.core.format.PackedTensor;
import dev.quantize.core.format.RowwiseFormat;
import dev.quantize.core.format.ScalarFormat;
import dev.quantize.core.format.ElementType;
import dev.quantize.core.kernel.Parallelism;
import dev.quantize.core.tensor.Tensor;
import dev.quantize.quantizer.plan.ActivationRange;

/**
 * Applies a format to a tensor the way a plan means it (fake quantization). Block formats and int4
 * groups run along the reduction axis, per-channel scales along the channel axis. Per-tensor integer
 * and FP8 formats get a scale: from the calibrated range when there is one (static quantization),
 * otherwise from the tensor itself (weights; or dynamic activations). FP8 is scaled so the range's
 * largest magnitude maps to the format's largest value, as FP8 deployments do; FP16/BF16 are plain
 * casts.
 */
public final class FakeQuantizer {
    private final NumericFormat format;

    public FakeQuantizer(String formatName) {
        this.format = FormatRegistry.parse(formatName);
    }

    public NumericFormat format() {
        return format;
    }

    public boolean isIdentity() {
        return format instanceof ScalarFormat s && s.elementType() == ElementType.FP32;
    }

    /**
     * A weight packed for storage: the format's bytes, and the tensor scale that FP8 (and narrower
     * scalar) formats are applied under (1 for formats that carry their own scales).
     */
    public record Packed(PackedTensor data, float scale) {
    }

    /** Packs a weight; {@link #unpack} of the result equals {@code apply(t, axes, null, ...)} bit for bit. */
    public Packed pack(Tensor t, LayerAxes axes) {
        float[] x = t.floats();
        int[] shape = t.shape();
        if (format instanceof ScalarFormat s && isScaled(s)) {
            float scale = scaleFor(s, absMax(x));
            float[] scaled = new float[x.length];
            for (int i = 0; i < x.length; i++) {
                scaled[i] = x[i] / scale;
            }
            return new Packed(format.encode(scaled, shape, 0), scale);
        }
        return new Packed(format.encode(x, shape, axisFor(shape, axes)), 1f);
    }

    /** Bytes {@link #pack} produces for a tensor of this shape (the FP8 tensor scale included). */
    public long packedBytes(int[] shape, LayerAxes axes) {
        long bytes = format.packedBytes(shape, axisFor(shape, axes));
        return format instanceof ScalarFormat s && isScaled(s) ? bytes + Float.BYTES : bytes;
    }

    /** The weight a packed tensor stands for. */
    public Tensor unpack(Packed p) {
        float[] y = format.decode(p.data());
        if (format instanceof ScalarFormat s && isScaled(s)) {
            float scale = p.scale();
            for (int i = 0; i < y.length; i++) {
                y[i] = y[i] * scale;
            }
        }
        return Tensor.ofFloats(p.data().shape(), y);
    }

    private int axisFor(int[] shape, LayerAxes axes) {
        if (shape.length == 0 || format instanceof RowwiseFormat
                || (format instanceof IntFormat f && f.granularity() == IntFormat.Granularity.PER_TENSOR)) {
            return Math.max(0, shape.length - 1);
        }
        return format instanceof IntFormat f && f.granularity() == IntFormat.Granularity.PER_CHANNEL
                ? axes.channel() : axes.reduction();
    }

    private static float scaleFor(ScalarFormat s, float amax) {
        return amax > 0 && Float.isFinite(amax) ? amax / s.maxValue() : 1f;
    }

    /** The fake-quantized copy of a float32 tensor. */
    public Tensor apply(Tensor t, LayerAxes axes, ActivationRange range, Parallelism par) {
        float[] x = t.floats();
        int[] shape = t.shape();
        float[] y = new float[x.length];
        if (format instanceof IntFormat f && f.granularity() == IntFormat.Granularity.PER_TENSOR) {
            IntFormat.Params p = range != null ? f.params(range.lo(), range.hi()) : f.computeParams(x, shape, 0)[0];
            par.parallelFor(x.length, (a, b) -> {
                for (int i = a; i < b; i++) {
                    y[i] = f.dequantize(f.quantize(x[i], p), p);
                }
            });
        } else if (format instanceof ScalarFormat s && isScaled(s)) {
            float scale = scaleFor(s, range != null ? range.absMax() : absMax(x));
            par.parallelFor(x.length, (a, b) -> {
                for (int i = a; i < b; i++) {
                    y[i] = s.quantize(x[i] / scale) * scale;
                }
            });
        } else {
            format.quantizeDequantize(x, y, shape, axisFor(shape, axes), par);
        }
        return Tensor.ofFloats(shape, y);
    }

    /** FP8 and the narrower element types need a scale; FP16, BF16 and FP32 are used as plain casts. */
    static boolean isScaled(ScalarFormat s) {
        return s.elementType().bits() <= 8;
    }

    private static float absMax(float[] x) {
        float m = 0;
        for (float v : x) {
            if (Float.isFinite(v)) {
                m = Math.max(m, Math.abs(v));
            }
        }
        return m;
    }
}
