package dev.quantize.monitor.window;

import dev.quantize.core.format.FormatRegistry;
import dev.quantize.core.format.IntFormat;
import dev.quantize.core.format.NumericFormat;
import dev.quantize.core.format.ScalarFormat;
import dev.quantize.core.graph.ModelSummary;
import dev.quantize.quantizer.plan.LayerPlan;
import dev.quantize.quantizer.plan.QuantPlan;
import java.io.Serializable;
import java.util.ArrayList;
import java.util.List;

/**
 * What the monitor watches of one quantized layer: its output (SQNR against FP32), its activation
 * inputs (drift of their distribution), and the calibrated bounds outside which an input value counts
 * as saturated.
 *
 * <p>{@code clips} says whether the format really clips there: per-tensor integer and FP8-style
 * activations take a static scale from the calibrated range, so values beyond it are clamped. Block
 * formats (MX, BDR) and FP16/BF16 scale each block dynamically; for them the same share measures how
 * far the data leaves the range seen at calibration (an early sign of drift), not lost values.
 */
public record LayerWatch(String node, List<Integer> activationInputs, double lo, double hi, boolean clips)
        implements Serializable {

    /** True when a calibrated range gives saturation bounds. */
    public boolean hasBounds() {
        return !Double.isNaN(lo);
    }

    /** Every layer of the plan that is not left at FP32, in plan order. */
    public static List<LayerWatch> of(QuantPlan plan) {
        List<LayerWatch> out = new ArrayList<>();
        for (LayerPlan l : plan.layers()) {
            if (!l.isFp32()) {
                out.add(of(l));
            }
        }
        return out;
    }

    static LayerWatch of(LayerPlan l) {
        List<Integer> inputs = switch (l.role()) {
            case EMBEDDING -> List.of(); // the ids: watched as model inputs
            case WEIGHTS_AND_ACTIVATIONS -> List.of(0);
            case ACTIVATIONS_ONLY -> List.of(0, 1);
        };
        if (l.activationRange() == null || l.role() == ModelSummary.Role.EMBEDDING) {
            return new LayerWatch(l.node(), inputs, Double.NaN, Double.NaN, false);
        }
        double lo = l.activationRange().lo();
        double hi = l.activationRange().hi();
        boolean clips = false;
        if (!l.activationFormat().equals(LayerPlan.FP32)) {
            NumericFormat f = FormatRegistry.parse(l.activationFormat());
            if (f instanceof IntFormat i && i.granularity() == IntFormat.Granularity.PER_TENSOR) {
                // The ends of the integer grid, dequantized: what the format really clamps to.
                IntFormat.Params p = i.params(l.activationRange().lo(), l.activationRange().hi());
                lo = i.dequantize(i.quantize(-Float.MAX_VALUE, p), p);
                hi = i.dequantize(i.quantize(Float.MAX_VALUE, p), p);
                clips = true;
            } else if (f instanceof ScalarFormat s && s.elementType().bits() <= 8) {
                hi = l.activationRange().absMax(); // the scale maps absmax to the format's largest value
                lo = -hi;
                clips = true;
            }
        }
        return new LayerWatch(l.node(), inputs, lo, hi, clips);
    }
}
