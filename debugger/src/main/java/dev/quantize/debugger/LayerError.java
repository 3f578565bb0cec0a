package dev.quantize.debugger;

import dev.quantize.core.metrics.ErrorStats;

/**
 * How far one layer's quantized output is from its FP32 output: SQNR (dB, infinite when exact),
 * cosine, max abs error, relative L2 error, and the share of the layer's input activation values the
 * activation format clipped (NaN when the format has no fixed range; see {@link Clipping}).
 */
public record LayerError(double sqnrDb, double cosine, double maxAbsError, double relativeL2, double clippedShare) {
    public static final LayerError EXACT = new LayerError(Double.POSITIVE_INFINITY, 1, 0, 0, 0);

    static LayerError of(float[] reference, float[] approx, double clippedShare) {
        ErrorStats s = ErrorStats.of(reference, approx);
        return new LayerError(s.sqnrDb(), s.cosine(), s.maxAbsError(), s.relativeL2(), clippedShare);
    }
}
