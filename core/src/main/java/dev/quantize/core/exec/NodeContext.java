package dev.quantize.core.exec;

import dev.quantize.core.graph.Attribute;
import dev.quantize.core.graph.Node;
import java.util.Map;

/** What hooks learn about the node being run: the node itself and its position in execution order. */
public record NodeContext(int index, Node node) {
    /** The node's name, or a made-up one (op type and first output) when the model gives none. */
    public String name() {
        return node.displayName();
    }

    public String opType() {
        return node.opType();
    }

    public String domain() {
        return node.domain();
    }

    public Map<String, Attribute> attributes() {
        return node.attributes();
    }
}
