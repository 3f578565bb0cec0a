/**
 * Calibration: which tensors to observe ({@link dev.quantize.calibration.CalibrationTargets}), the
 * two-pass streaming runner ({@link dev.quantize.calibration.CalibrationRunner}) observing through an
 * executor listener ({@link dev.quantize.calibration.StatsCollector}), and mergeable, JSON-serializable
 * statistics ({@link dev.quantize.calibration.CalibrationStats}) from which ranges are read by
 * {@link dev.quantize.calibration.Method}. Sub-packages: {@code stats} (the partials: running
 * statistics and |x| histograms) and {@code range} (percentile, entropy and MSE thresholds).
 */
package dev.quantize.calibration;
