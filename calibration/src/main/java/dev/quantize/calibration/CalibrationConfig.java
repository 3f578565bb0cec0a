package dev.quantize.calibration;

import dev.quantize.calibration.stats.AbsHistogram;
import java.util.List;

/**
 * How to calibrate.
 *
 * @param batchSize            rows per executor run
 * @param maxRows              stop after this many rows (0: all); the last batch is cut to fit
 * @param bins                 |x| histogram bins (2048)
 * @param perChannelHistograms also build one histogram per channel, for per-channel percentile,
 *                             entropy and MSE ranges (costs {@code channels * bins * 8} bytes a tensor)
 * @param maxHistogramChannels no per-channel histograms for tensors with more channels than this
 * @param quantizable          observe the quantizable nodes' activations (and weights, if {@code weights})
 * @param weights              compute weight statistics (no data pass)
 * @param extraValues          further value names to observe (graph inputs, node outputs, initializers)
 */
public record CalibrationConfig(int batchSize, long maxRows, int bins, boolean perChannelHistograms,
                                int maxHistogramChannels, boolean quantizable, boolean weights, List<String> extraValues)
        implements java.io.Serializable {
    public CalibrationConfig {
        if (batchSize < 1) {
            throw new IllegalArgumentException("batch size must be at least 1, not " + batchSize);
        }
        if (maxRows < 0) {
            throw new IllegalArgumentException("max rows must be 0 (all) or positive, not " + maxRows);
        }
        if (bins < 1) {
            throw new IllegalArgumentException("histogram bins must be at least 1, not " + bins);
        }
        if (maxHistogramChannels < 1) {
            throw new IllegalArgumentException("max histogram channels must be at least 1, not " + maxHistogramChannels);
        }
        extraValues = List.copyOf(extraValues);
    }

    /** Batches of 256, all rows, 2048 bins, per-tensor histograms, quantizable activations and weights. */
    public static CalibrationConfig defaults() {
        return new CalibrationConfig(256, 0, AbsHistogram.DEFAULT_BINS, false, 1024, true, true, List.of());
    }

    public CalibrationConfig withBatchSize(int n) {
        return new CalibrationConfig(n, maxRows, bins, perChannelHistograms, maxHistogramChannels, quantizable, weights, extraValues);
    }

    public CalibrationConfig withMaxRows(long n) {
        return new CalibrationConfig(batchSize, n, bins, perChannelHistograms, maxHistogramChannels, quantizable, weights, extraValues);
    }

    public CalibrationConfig withBins(int n) {
        return new CalibrationConfig(batchSize, maxRows, n, perChannelHistograms, maxHistogramChannels, quantizable, weights, extraValues);
    }

    public CalibrationConfig withPerChannelHistograms(boolean on) {
        return new CalibrationConfig(batchSize, maxRows, bins, on, maxHistogramChannels, quantizable, weights, extraValues);
    }

    /** Whether weight statistics are computed (the main job needs activations only). */
    public CalibrationConfig withWeights(boolean on) {
        return new CalibrationConfig(batchSize, maxRows, bins, perChannelHistograms, maxHistogramChannels, quantizable, on, extraValues);
    }

    /** Observe only {@code values} (no quantizable nodes, no weights unless listed). */
    public CalibrationConfig onlyValues(List<String> values) {
        return new CalibrationConfig(batchSize, maxRows, bins, perChannelHistograms, maxHistogramChannels, false, false, values);
    }

    public CalibrationConfig withExtraValues(List<String> values) {
        return new CalibrationConfig(batchSize, maxRows, bins, perChannelHistograms, maxHistogramChannels, quantizable, weights, values);
    }
}
