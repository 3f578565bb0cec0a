package dev.quantize.debugger;

import dev.quantize.core.format.IntFormat;
import dev.quantize.core.format.NumericFormat;
import dev.quantize.core.format.FormatRegistry;
import dev.quantize.core.format.ScalarFormat;
import dev.quantize.quantizer.plan.LayerPlan;

/**
 * The share of a layer's input activation values that fall outside what its activation format can
 * represent, i.e. values the format saturates rather than rounds:
 * <ul>
 * <li>per-tensor integer formats with a calibrated range: values beyond the dequantized ends of the
 *     integer grid (symmetric: |x| above the range's absmax);</li>
 * <li>FP8 and narrower scalar formats with a calibrated range: |x| above the range's absmax (the
 *     scale maps absmax to the format's largest value, 448 for E4M3);</li>
 * <li>FP16 and BF16: |x| above the format's largest finite value;</li>
 * <li>everything else (dynamic scales taken from each batch, block formats whose shared scale follows
 *     each block's maximum): NaN, "not measured". Block formats can still saturate an element inside
 *     its block (MX FP4: magnitudes between 6 and 8 times the block scale); that is not counted here.</li>
 * </ul>
 */
public final class Clipping {
    private Clipping() {
    }

    /** The clipped share of {@code x} under the layer's activation format; 0 at FP32. */
    public static double share(LayerPlan layer, float[] x) {
        if (layer.activationFormat().equals(LayerPlan.FP32) || x.length == 0) {
            return 0;
        }
        NumericFormat f = FormatRegistry.parse(layer.activationFormat());
        double lo;
        double hi;
        if (f instanceof IntFormat i && i.granularity() == IntFormat.Granularity.PER_TENSOR) {
            if (layer.activationRange() == null) {
                return Double.NaN;
            }
            IntFormat.Params p = i.params(layer.activationRange().lo(), layer.activationRange().hi());
            lo = i.dequantize(i.quantize(-Float.MAX_VALUE, p), p);
            hi = i.dequantize(i.quantize(Float.MAX_VALUE, p), p);
        } else if (f instanceof ScalarFormat s && s.elementType().bits() <= 8) {
            if (layer.activationRange() == null) {
                return Double.NaN;
            }
            hi = layer.activationRange().absMax();
            lo = -hi;
        } else if (f instanceof ScalarFormat s && s.elementType().bits() < 32) {
            hi = s.maxValue();
            lo = -hi;
        } else {
            return Double.NaN;
        }
        long clipped = 0;
        for (float v : x) {
            if (v > hi || v < lo) {
                clipped++;
            }
        }
        return (double) clipped / x.length;
    }
}
