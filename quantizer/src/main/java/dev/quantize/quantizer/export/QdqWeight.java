package dev.quantize.quantizer.export;

import dev.quantize.core.format.ElementType;
import dev.quantize.core.format.IntFormat;
import dev.quantize.core.format.MxFormat;
import dev.quantize.core.format.NumericFormat;
import dev.quantize.core.format.PackedTensor;
import dev.quantize.core.format.ScalarFormat;
import dev.quantize.core.tensor.DataType;
import dev.quantize.core.tensor.Shape;
import dev.quantize.core.tensor.Tensor;
import dev.quantize.quantizer.emulate.FakeQuantizer;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.Optional;

/**
 * A packed weight in its ONNX form: the stored tensor in the narrowest ONNX type that holds its
 * values exactly, and the DequantizeLinear scale (and zero point) that gives back the emulated
 * weight bit for bit ({@code y = (q - z) * s} in float32, as the emulation computes it). A Cast form
 * has no scale: the tensor is FLOAT16/BFLOAT16 and is cast to float.
 *
 * <p>{@code axis} is the scale axis (per-axis and blocked forms), {@code blockSize} the block length
 * along it (blocked forms only, else 0).
 */
public record QdqWeight(QdqForm form, Tensor quantized, Tensor scale, Tensor zeroPoint, int axis, int blockSize) {

    /**
     * The exact ONNX form of a packed weight, or empty when the format has none (BDR, row-wise,
     * non-finite MXINT8 blocks). The packed layouts read here are those documented on
     * {@link IntFormat}, {@link MxFormat} and {@link ScalarFormat}.
     */
    public static Optional<QdqWeight> of(FakeQuantizer.Packed packed) {
        PackedTensor p = packed.data();
        NumericFormat f = new FakeQuantizer(p.format()).format();
        if (f instanceof IntFormat i) {
            return Optional.of(ofInt(i, p));
        }
        if (f instanceof ScalarFormat s) {
            return ofScalar(s, p, packed.scale());
        }
        if (f instanceof MxFormat m) {
            return ofMx(m, p);
        }
        return Optional.empty();
    }

    private static QdqWeight ofInt(IntFormat f, PackedTensor p) {
        int[] shape = p.shape();
        int axis = shape.length == 0 ? 0 : Shape.axis(p.axis(), shape.length);
        int count = f.scaleCount(shape, axis);
        int n = Shape.size(shape);
        ByteBuffer bb = ByteBuffer.wrap(p.bytes()).order(ByteOrder.LITTLE_ENDIAN);
        float[] scales = new float[count];
        for (int c = 0; c < count; c++) {
            scales[c] = bb.getFloat();
        }
        long[] zeros = new long[count];
        if (!f.symmetric()) {
            for (int c = 0; c < count; c++) {
                zeros[c] = bb.get();
            }
        }
        long[] codes = new long[n];
        int base = bb.position();
        byte[] bytes = p.bytes();
        for (int idx = 0; idx < n; idx++) {
            if (f.bits() == 8) {
                codes[idx] = bytes[base + idx];
            } else {
                int nibble = (bytes[base + idx / 2] >> ((idx & 1) * 4)) & 0xF; // low nibble first
                codes[idx] = nibble >= 8 ? nibble - 16 : nibble;
            }
        }
        DataType type = f.bits() == 8 ? DataType.INT8 : DataType.INT4;
        Tensor q = Tensor.ofLongs(type, shape, codes);
        return switch (f.granularity()) {
            case PER_TENSOR -> new QdqWeight(new QdqForm(QdqForm.DEQUANTIZE, type, QdqForm.Layout.PER_TENSOR), q,
                    Tensor.ofFloats(new int[0], scales), Tensor.ofLongs(type, new int[0], zeros), 0, 0);
            case PER_CHANNEL -> new QdqWeight(new QdqForm(QdqForm.DEQUANTIZE, type, QdqForm.Layout.PER_AXIS), q,
                    Tensor.ofFloats(new int[] {count}, scales), Tensor.ofLongs(type, new int[] {count}, zeros), axis, 0);
            case PER_GROUP -> {
                // IntFormat orders group scales as (outer, group, inner): ONNX's blocked scale shape.
                int[] sShape = blockedShape(shape, axis, f.groupSize());
                yield new QdqWeight(new QdqForm(QdqForm.DEQUANTIZE, type, QdqForm.Layout.BLOCKED), q,
                        Tensor.ofFloats(sShape, scales), Tensor.ofLongs(type, sShape, zeros), axis, f.groupSize());
            }
        };
    }

    private static Optional<QdqWeight> ofScalar(ScalarFormat f, PackedTensor p, float tensorScale) {
        ElementType e = f.elementType();
        int[] shape = p.shape();
        float[] values = f.decode(p); // element values, before the tensor scale
        if (e == ElementType.FP16 || e == ElementType.BF16) {
            DataType t = e == ElementType.FP16 ? DataType.FLOAT16 : DataType.BFLOAT16;
            return Optional.of(new QdqWeight(new QdqForm(QdqForm.CAST, t, QdqForm.Layout.CAST),
                    Tensor.ofFloats(t, shape, values), null, null, 0, 0));
        }
        DataType t = float8For(e);
        if (t == null) {
            return Optional.empty();
        }
        return Optional.of(new QdqWeight(new QdqForm(QdqForm.DEQUANTIZE, t, QdqForm.Layout.PER_TENSOR),
                Tensor.ofFloats(t, shape, values), Tensor.ofFloats(new int[0], new float[] {tensorScale}), null, 0, 0));
    }

    /**
     * MX blocks as blocked DequantizeLinear with the blocks' power-of-two scales: FP element types as
     * float8, the MXINT8 element (code / 64) as int8 with the scale divided by 64.
     */
    private static Optional<QdqWeight> ofMx(MxFormat f, PackedTensor p) {
        int[] shape = p.shape();
        if (shape.length == 0) {
            return Optional.empty();
        }
        int axis = Shape.axis(p.axis(), shape.length);
        int k = f.blockSize();
        int[] sShape = blockedShape(shape, axis, k);
        int blocks = Shape.size(sShape);
        byte[] bytes = p.bytes();
        float[] w = f.decode(p);
        ElementType e = f.elementType();
        int outer = Shape.outer(shape, axis);
        int n = shape[axis];
        int inner = Shape.inner(shape, axis);
        int perRun = (n + k - 1) / k;
        // The packed form starts with the blocks' E8M0 scale codes in (outer, block, inner) order.
        float[] scales = new float[blocks];
        int[] exps = new int[blocks];
        for (int b = 0; b < blocks; b++) {
            int code = bytes[b] & 0xFF;
            if (code == 0xFF) {
                return Optional.empty(); // a NaN block: DequantizeLinear has no NaN scale
            }
            exps[b] = code - 127 - (e.fixedPoint() ? e.mantissaBits() : 0);
            scales[b] = Math.scalb(1f, exps[b]);
        }
        boolean fixed = e.fixedPoint();
        DataType t = fixed ? DataType.INT8 : float8For(e);
        if (t == null) {
            return Optional.empty();
        }
        float[] elems = new float[w.length];
        long[] codes = new long[w.length];
        for (int o = 0; o < outer; o++) {
            for (int j = 0; j < n; j++) {
                for (int i = 0; i < inner; i++) {
                    int idx = (o * n + j) * inner + i;
                    int se = exps[(o * perRun + j / k) * inner + i];
                    float v = Math.scalb(w[idx], -se); // w is element * 2^se: exact
                    elems[idx] = v;
                    codes[idx] = (long) v;
                }
            }
        }
        Tensor q = fixed ? Tensor.ofLongs(t, shape, codes) : Tensor.ofFloats(t, shape, elems);
        return Optional.of(new QdqWeight(new QdqForm(QdqForm.DEQUANTIZE, t, QdqForm.Layout.BLOCKED), q,
                Tensor.ofFloats(sShape, scales), null, axis, k));
    }

    /** The float8 type that holds every value of the element type exactly (FP6/FP4 values are E4M3 values). */
    static DataType float8For(ElementType e) {
        if (e == ElementType.E5M2) {
            return DataType.FLOAT8E5M2;
        }
        if (e == ElementType.E4M3 || e == ElementType.E3M2 || e == ElementType.E2M3 || e == ElementType.E2M1) {
            return DataType.FLOAT8E4M3FN;
        }
        return null;
    }

    private static int[] blockedShape(int[] shape, int axis, int k) {
        int[] s = shape.clone();
        s[axis] = (shape[axis] + k - 1) / k;
        return s;
    }
}
