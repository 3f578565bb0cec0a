package dev.quantize.calibration;

import java.util.Locale;

/** How a range is chosen from calibration statistics. */
public enum Method {
    /** The observed minimum and maximum. */
    MIN_MAX,
    /** The mean of per-batch minima and maxima (a mergeable stand-in for PyTorch's moving average; see RunningStats). */
    MOVING_AVERAGE_MIN_MAX,
    /** The p-th percentile of |x| (default 99.999), from the pass-2 histogram. */
    PERCENTILE,
    /** TensorRT's KL-divergence threshold, from the pass-2 histogram. */
    ENTROPY,
    /** The threshold with the least estimated squared error on an 8-bit grid, from the pass-2 histogram. */
    MSE;

    /** Whether the method needs the pass-2 histogram. */
    public boolean needsHistogram() {
        return this == PERCENTILE || this == ENTROPY || this == MSE;
    }

    /** The command-line spelling: lower case with dashes ("moving-average-min-max"). */
    public String label() {
        return name().toLowerCase(Locale.ROOT).replace('_', '-');
    }

    /** Parses {@link #label()} or the constant's name, case-insensitively. */
    public static Method parse(String s) {
        String key = s.trim().toUpperCase(Locale.ROOT).replace('-', '_');
        for (Method m : values()) {
            if (m.name().equals(key)) {
                return m;
            }
        }
        throw new IllegalArgumentException("unknown calibration method '" + s + "' (expected one of min-max, "
                + "moving-average-min-max, percentile, entropy, mse)");
    }
}
