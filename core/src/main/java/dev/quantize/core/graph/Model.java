package dev.quantize.core.graph;

import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * A model: a graph plus what the file says around it. {@code opsets} maps an operator domain ("" for
 * the default ONNX domain) to the opset version the model imports.
 */
public record Model(long irVersion, Map<String, Long> opsets, String producerName, String producerVersion,
                    Graph graph, Map<String, String> metadata) {
    public Model {
        opsets = Collections.unmodifiableMap(new LinkedHashMap<>(opsets));
        metadata = Collections.unmodifiableMap(new LinkedHashMap<>(metadata));
        producerName = producerName == null ? "" : producerName;
        producerVersion = producerVersion == null ? "" : producerVersion;
    }

    /** The default-domain opset version, or 0 if the model does not import it. */
    public long opset() {
        return opsets.getOrDefault("", opsets.getOrDefault("ai.onnx", 0L));
    }
}
