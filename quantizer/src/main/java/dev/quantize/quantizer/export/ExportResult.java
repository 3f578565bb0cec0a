package dev.quantize.quantizer.export;

import dev.quantize.core.graph.Model;
import java.util.List;

/**
 * An exported model and what the export did: the ONNX forms it uses, and every planned tensor that
 * did not get its quantized form (weights stored as their exact dequantized FP32 values, activations
 * left unquantized), each with the reason. The fallbacks are also in the model's metadata.
 */
public record ExportResult(Model model, List<QdqForm> forms, List<Fallback> fallbacks) {
    /** Metadata key listing the weights exported as FP32 and the activations exported unquantized. */
    public static final String FP32_KEY = "quantize.export.fp32";
    /** Metadata key listing the ONNX forms the export uses. */
    public static final String FORMS_KEY = "quantize.export.forms";

    public ExportResult {
        forms = List.copyOf(forms);
        fallbacks = List.copyOf(fallbacks);
    }

    /** A planned tensor exported without its format: {@code weight} true for a weight (stored as FP32, exact). */
    public record Fallback(String node, String tensor, String format, boolean weight, String why) {
        @Override
        public String toString() {
            return (weight ? "weight '" : "activation '") + tensor + "' of node '" + node + "' (" + format + "): "
                    + (weight ? "stored as its dequantized FP32 values, " : "left unquantized, ") + why;
        }
    }
}
