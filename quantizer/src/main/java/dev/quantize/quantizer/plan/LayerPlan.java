package dev.quantize.quantizer.plan;

import com.fasterxml.jackson.annotation.JsonIgnore;
import dev.quantize.core.graph.ModelSummary;

/**
 * The formats of one quantizable node: its weight (an initializer, or "" when it has none) and its
 * input activations. "fp32" means left alone. {@code activationRange} is the calibrated range the
 * activation format's static scale comes from (null: none was calibrated; per-tensor integer and FP8
 * activations then take their scale from each batch, i.e. dynamic quantization).
 */
public record LayerPlan(String node, String op, ModelSummary.Role role, String weight, String weightFormat,
                        String activationFormat, ActivationRange activationRange) {
    public static final String FP32 = "fp32";

    public LayerPlan {
        weight = weight == null ? "" : weight;
        weightFormat = weightFormat == null ? FP32 : weightFormat;
        activationFormat = activationFormat == null ? FP32 : activationFormat;
    }

    public LayerPlan withWeightFormat(String format) {
        return new LayerPlan(node, op, role, weight, format, activationFormat, activationRange);
    }

    public LayerPlan withActivationFormat(String format) {
        return new LayerPlan(node, op, role, weight, weightFormat, format, activationRange);
    }

    public LayerPlan withActivationRange(ActivationRange range) {
        return new LayerPlan(node, op, role, weight, weightFormat, activationFormat, range);
    }

    /** True when nothing of this node is quantized. */
    @JsonIgnore
    public boolean isFp32() {
        return weightFormat.equals(FP32) && activationFormat.equals(FP32);
    }
}
