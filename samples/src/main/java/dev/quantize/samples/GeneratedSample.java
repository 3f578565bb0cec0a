package dev.quantize.samples;

import dev.quantize.core.graph.Model;
import dev.quantize.core.tensor.Tensor;
import java.util.Map;

/**
 * A trained sample before it is written: the ONNX model, the data splits (split name to columns, each
 * column [rows, ...], model inputs plus {@code labels}), what was measured, and details for
 * metrics.json (plain maps, lists, numbers and strings, in insertion order).
 */
public record GeneratedSample(SampleReport report, Model model, Map<String, Map<String, Tensor>> data,
                              Map<String, Object> details) {
}
