package dev.quantize.quantizer.export;

import dev.quantize.core.format.ElementType;
import dev.quantize.core.format.IntFormat;
import dev.quantize.core.format.NumericFormat;
import dev.quantize.core.format.Rounding;
import dev.quantize.core.format.ScalarFormat;
import dev.quantize.core.tensor.DataType;
import dev.quantize.core.tensor.Tensor;
import dev.quantize.quantizer.emulate.FakeQuantizer;
import dev.quantize.quantizer.plan.ActivationRange;

/**
 * The QuantizeLinear/DequantizeLinear pair (or Cast pair) an activation format exports as, with the
 * scale the emulation uses: per-tensor integers take {@link IntFormat#params} of the calibrated range,
 * FP8 takes {@code absmax / maxValue} of it (as {@link FakeQuantizer} does). {@code scale} and
 * {@code zeroPoint} are null for Cast pairs.
 */
public record QdqActivation(QdqForm form, Tensor scale, Tensor zeroPoint) {

    /** Why a format has no exact activation form (thrown as a message, never to the user). */
    public static final class NoForm extends Exception {
        NoForm(String why) {
            super(why, null, false, false);
        }
    }

    /**
     * The same quantization as Div -> Cast(float8, saturate) -> Cast(float) -> Mul: what FP8 activations
     * export as where the runtime cannot take a QuantizeLinear pair. Exactly the emulation's
     * {@code quantize(x / s) * s}. Null for forms other than FP8 QuantizeLinear.
     */
    public QdqActivation asScaledCast() {
        boolean fp8 = form.type() == DataType.FLOAT8E4M3FN || form.type() == DataType.FLOAT8E5M2;
        return fp8 && form.op().equals(QdqForm.QUANTIZE)
                ? new QdqActivation(new QdqForm(QdqForm.CAST, form.type(), QdqForm.Layout.SCALED_CAST), scale, null) : null;
    }

    /** The exported pair of an activation in {@code formatName} with the calibrated {@code range} (may be null). */
    public static QdqActivation of(String formatName, ActivationRange range) throws NoForm {
        NumericFormat f = new FakeQuantizer(formatName).format();
        if (f instanceof IntFormat i && i.granularity() == IntFormat.Granularity.PER_TENSOR && i.bits() == 8) {
            if (range == null) {
                throw new NoForm("dynamic (no calibrated range): its scale comes from each batch");
            }
            IntFormat.Params p = i.params(range.lo(), range.hi());
            return new QdqActivation(new QdqForm(QdqForm.QUANTIZE, DataType.INT8, QdqForm.Layout.PER_TENSOR),
                    Tensor.ofFloats(new int[0], new float[] {p.scale()}),
                    Tensor.ofLongs(DataType.INT8, new int[0], new long[] {p.zeroPoint()}));
        }
        if (f instanceof ScalarFormat s) {
            ElementType e = s.elementType();
            if (s.rounding() != Rounding.NEAREST_EVEN) {
                throw new NoForm("ONNX casts round ties to even, " + formatName + " rounds them away");
            }
            if (e == ElementType.FP16 || e == ElementType.BF16) {
                DataType t = e == ElementType.FP16 ? DataType.FLOAT16 : DataType.BFLOAT16;
                return new QdqActivation(new QdqForm(QdqForm.CAST, t, QdqForm.Layout.CAST), null, null);
            }
            if (e == ElementType.E4M3 || e == ElementType.E5M2) {
                if (range == null) {
                    throw new NoForm("dynamic (no calibrated range): its scale comes from each batch");
                }
                if (!s.saturating()) {
                    throw new NoForm("non-saturating FP8 casts differ from QuantizeLinear's saturate=1 on overflow");
                }
                float amax = range.absMax();
                float scale = amax > 0 && Float.isFinite(amax) ? amax / s.maxValue() : 1f;
                DataType t = QdqWeight.float8For(e);
                return new QdqActivation(new QdqForm(QdqForm.QUANTIZE, t, QdqForm.Layout.PER_TENSOR),
                        Tensor.ofFloats(new int[0], new float[] {scale}), Tensor.ofFloats(t, new int[0], new float[] {0f}));
            }
        }
        throw new NoForm("no QuantizeLinear form for " + formatName + " activations (its scales depend on the data)");
    }
}
