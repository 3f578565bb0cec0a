package dev.quantize.core.graph;

import dev.quantize.core.tensor.Tensor;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * A computation graph, independent of ONNX: nodes (in the order the file gives, which ONNX requires
 * to be topological), declared inputs and outputs, initializers (constant tensors by name) and any
 * declared types of intermediate values.
 */
public record Graph(String name, List<Node> nodes, List<ValueInfo> inputs, List<ValueInfo> outputs,
                    Map<String, Tensor> initializers, List<ValueInfo> valueInfos) {
    public Graph {
        nodes = List.copyOf(nodes);
        inputs = List.copyOf(inputs);
        outputs = List.copyOf(outputs);
        initializers = Collections.unmodifiableMap(new LinkedHashMap<>(initializers));
        valueInfos = List.copyOf(valueInfos);
    }

    /** Inputs that are fed at run time: declared inputs that are not also initializers. */
    public List<ValueInfo> runtimeInputs() {
        return inputs.stream().filter(v -> !initializers.containsKey(v.name())).toList();
    }

    /**
     * Nodes by {@link Node#displayName()} (the name plans, reports and hooks use), in graph order;
     * a later node wins a clash, as it would in any map filled in that order.
     */
    public Map<String, Node> nodesByDisplayName() {
        Map<String, Node> byName = new LinkedHashMap<>();
        for (Node n : nodes) {
            byName.put(n.displayName(), n);
        }
        return byName;
    }

    public Node node(String name) {
        for (Node n : nodes) {
            if (n.name().equals(name)) {
                return n;
            }
        }
        return null;
    }
}
