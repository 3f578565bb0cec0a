package dev.quantize.quantizer.search;

import dev.quantize.core.format.FormatRegistry;
import dev.quantize.core.format.RowwiseFormat;
import dev.quantize.core.graph.ModelSummary;
import dev.quantize.quantizer.plan.LayerPlan;

/**
 * One choice for one layer, named by the format the user asked for: the weight format and the
 * activation format it means for that layer's role. "int8" means per-channel weights with a
 * per-tensor (calibrated) activation scale; "fp8_e4m3" scales both by their ranges; block and float
 * formats apply as they are; row-wise formats are for embedding tables only.
 */
public record Candidate(String name, String weightFormat, String activationFormat) {
    public static final Candidate FP32 = new Candidate("fp32", LayerPlan.FP32, LayerPlan.FP32);

    /** The candidate for a layer of this role, or null when the format does not apply to it. */
    public static Candidate of(String name, ModelSummary.Role role) {
        boolean rowwise = FormatRegistry.parse(name) instanceof RowwiseFormat;
        String weight = name.equals("int8") ? "int8_per_channel" : name;
        String activation = name.equals("int8") ? "int8_per_tensor" : name;
        return switch (role) {
            case EMBEDDING -> new Candidate(name, weight, LayerPlan.FP32);
            case WEIGHTS_AND_ACTIVATIONS -> rowwise ? null : new Candidate(name, weight, activation);
            case ACTIVATIONS_ONLY -> rowwise ? null : new Candidate(name, LayerPlan.FP32, activation);
        };
    }

    /** The layer with this candidate's formats. */
    public LayerPlan applyTo(LayerPlan layer) {
        return layer.withWeightFormat(layer.weight().isEmpty() ? LayerPlan.FP32 : weightFormat)
                .withActivationFormat(activationFormat);
    }
}
