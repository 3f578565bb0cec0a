package dev.quantize.calibration;

import java.io.Serializable;

/** A calibrated range {@code [lo, hi]} of a tensor or channel. */
public record Range(double lo, double hi) implements Serializable {
    public Range {
        if (!(lo <= hi)) {
            throw new IllegalArgumentException("range [" + lo + ", " + hi + "] is empty or not a number");
        }
    }

    /** max(|lo|, |hi|): the threshold of a symmetric grid covering the range. */
    public double absMax() {
        return Math.max(Math.abs(lo), Math.abs(hi));
    }
}
