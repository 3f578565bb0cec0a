package dev.quantize.debugger;

import dev.quantize.quantizer.search.Metric;
import java.util.List;
import java.util.Map;

/** What the session's commands return: plain records, printed as tables by the REPL and as JSON by scripts. */
public final class Results {
    private Results() {
    }

    /** A quantizable layer and its formats in the current plan. */
    public record Layer(int index, String node, String op, String role, String weightFormat, String activationFormat,
                        String activationRange) {
    }

    /** What {@code run} kept. */
    public record RunSummary(int rows, int batches, int layers) {
    }

    /** One row of {@code compare}: the local error (the layer alone on FP32 input) and the cumulative one. */
    public record CompareRow(String node, String format, LayerError local, LayerError cumulative) {
    }

    /** {@code compare}: rows in execution order, and the end-to-end output error. */
    public record Comparison(int rows, List<CompareRow> layers, LayerError output) {
    }

    /**
     * {@code diverge}: the first layer whose cumulative SQNR is below the threshold (null node: none);
     * {@code ownFault} when its local SQNR is below the threshold too (a bad layer, not a propagated error).
     */
    public record Divergence(double thresholdDb, String node, LayerError local, LayerError cumulative, boolean ownFault) {
    }

    /** Summary statistics of one tensor. */
    public record Stats(long count, double min, double max, double mean, double std) {
    }

    /** One element where reference and quantized differ most; {@code index} is the row-major index within the layer output. */
    public record Element(int row, int[] index, float reference, float quantized, float absError) {
    }

    /** {@code show}: reference vs quantized output of one layer. */
    public record LayerDetail(String node, String format, int[] rowShape, Stats reference, Stats quantized,
                              LayerError cumulative, Histogram histogram, List<Element> worst) {
    }

    /** {@code bisect}: the layers kept in higher precision and what the resulting plan measures. */
    public record Bisection(String budget, Metric metric, double fp32, double before, double after, boolean met,
                            List<String> keptFp32, Map<String, Double> sensitivity, int evaluations) {
    }

    /** {@code save}: the files written, and why an artifact was not. */
    public record Saved(String plan, String artifact, String note) {
    }

    /** {@code dump}: the Arrow file written. */
    public record Dumped(String file, String node, int rows, List<String> columns) {
    }

    /** A plan edit ({@code set}, {@code fp32}, {@code reset}). */
    public record Edited(String node, String weightFormat, String activationFormat, String message) {
    }
}
