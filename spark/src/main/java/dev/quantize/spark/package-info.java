/**
 * Calibration, evaluation and monitoring as Spark jobs. Each partition runs the project's own executor
 * over batches of its rows and yields a mergeable partial; the driver merges them. This package only
 * moves partials around: every statistic and its merge live in the calibration, quantizer and monitor
 * modules, so one JVM and a cluster give the same answers.
 */
package dev.quantize.spark;
