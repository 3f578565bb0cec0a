package dev.quantize.calibration;

import dev.quantize.calibration.range.EntropySelector;
import dev.quantize.calibration.range.MseSelector;
import dev.quantize.calibration.range.PercentileSelector;

/**
 * A method with its parameters: the percentile for PERCENTILE, the quantization levels of the
 * magnitude for ENTROPY (128 for INT8) and the bit width of the grid for MSE.
 */
public record RangeSelection(Method method, double percentile, int entropyLevels, int mseBits) {
    public RangeSelection {
        if (method == null) {
            throw new IllegalArgumentException("method is required");
        }
        if (!(percentile > 0 && percentile <= 100)) {
            throw new IllegalArgumentException("percentile must be in (0, 100], not " + percentile);
        }
        if (entropyLevels < 1) {
            throw new IllegalArgumentException("entropy levels must be positive, not " + entropyLevels);
        }
        if (mseBits < 2 || mseBits > 31) {
            throw new IllegalArgumentException("MSE bits must be in [2, 31], not " + mseBits);
        }
    }

    /** The method with the defaults: 99.999th percentile, 128 entropy levels, an 8-bit MSE grid. */
    public static RangeSelection of(Method method) {
        return new RangeSelection(method, PercentileSelector.DEFAULT_PERCENTILE, EntropySelector.DEFAULT_LEVELS,
                MseSelector.DEFAULT_BITS);
    }

    public static RangeSelection percentile(double p) {
        return of(Method.PERCENTILE).withPercentile(p);
    }

    public RangeSelection withPercentile(double p) {
        return new RangeSelection(method, p, entropyLevels, mseBits);
    }

    /** "percentile(99.999)", "entropy", ... as tables show it. */
    public String label() {
        return method == Method.PERCENTILE ? "percentile(" + stripZeros(percentile) + ")" : method.label();
    }

    private static String stripZeros(double v) {
        return java.math.BigDecimal.valueOf(v).stripTrailingZeros().toPlainString();
    }
}
