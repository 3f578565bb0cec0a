package dev.quantize.quantizer.plan;

/** The static range of an activation, from calibration: what per-tensor INT8 and FP8 scales are set from. */
public record ActivationRange(float lo, float hi) {
    public ActivationRange {
        if (!(lo <= hi) || !Float.isFinite(lo) || !Float.isFinite(hi)) {
            throw new IllegalArgumentException("activation range must be finite with lo <= hi, got [" + lo + ", " + hi + "]");
        }
    }

    public float absMax() {
        return Math.max(Math.abs(lo), Math.abs(hi));
    }
}
