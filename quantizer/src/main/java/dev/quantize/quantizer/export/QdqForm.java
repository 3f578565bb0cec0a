package dev.quantize.quantizer.export;

import dev.quantize.core.tensor.DataType;

/**
 * One ONNX form an export uses: an operator (DequantizeLinear, QuantizeLinear, or a Cast pair), the
 * low-precision type it carries and how its scale is laid out. The form decides the opset the model
 * must import and is what the ONNX Runtime probe tries out.
 */
public record QdqForm(String op, DataType type, Layout layout) {
    /** How the scale covers the tensor. */
    public enum Layout { PER_TENSOR, PER_AXIS, BLOCKED, CAST, SCALED_CAST }

    public static final String DEQUANTIZE = "DequantizeLinear";
    public static final String QUANTIZE = "QuantizeLinear";
    public static final String CAST = "Cast";
    /**
     * Not an operator: QuantizeLinear -> DequantizeLinear pairs on both inputs of a MatMul, a pattern
     * ONNX Runtime's graph optimizer rewrites (the probe tries it since the rewrite can fail).
     */
    public static final String QDQ_MATMUL = "QDQ on both MatMul inputs";
    /** Not an operator: Relu -> QuantizeLinear -> DequantizeLinear, which ORT's optimizer may fold (dropping the Relu). */
    public static final String QDQ_AFTER_RELU = "QDQ after Relu";

    /**
     * The first default-domain opset that defines the form: per-axis scales came with opset 13,
     * float8 with 19, int4 and {@code block_size} with 21.
     */
    public int minOpset() {
        int v = switch (layout) {
            case PER_TENSOR, CAST -> 13;
            case SCALED_CAST -> 19; // Cast's saturate attribute
            case PER_AXIS -> 13;
            case BLOCKED -> 21;
        };
        if (type == DataType.FLOAT8E4M3FN || type == DataType.FLOAT8E5M2) {
            v = Math.max(v, 19);
        }
        if (type == DataType.INT4 || type == DataType.UINT4) {
            v = Math.max(v, 21);
        }
        return v;
    }

    @Override
    public String toString() {
        String t = type.name().toLowerCase();
        return switch (layout) {
            case CAST -> "Cast " + t + " <-> float";
            case SCALED_CAST -> "Div -> Cast " + t + " (saturate) -> Cast float -> Mul";
            default -> op + "(" + t + ", " + layout.name().toLowerCase().replace('_', '-') + ")";
        };
    }
}
