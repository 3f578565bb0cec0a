package dev.quantize.core.graph;

import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * One operator application. Inputs and outputs are value names; an empty name is an omitted
 * optional input or output (as in ONNX). {@code domain} is "" for the default ONNX domain.
 */
public record Node(String name, String opType, String domain, List<String> inputs, List<String> outputs,
                   Map<String, Attribute> attributes) {
    public Node {
        inputs = List.copyOf(inputs);
        outputs = List.copyOf(outputs);
        attributes = Collections.unmodifiableMap(new LinkedHashMap<>(attributes));
        domain = domain == null ? "" : domain;
        name = name == null ? "" : name;
    }

    public Node(String name, String opType, List<String> inputs, List<String> outputs, List<Attribute> attrs) {
        this(name, opType, "", inputs, outputs, toMap(attrs));
    }

    private static Map<String, Attribute> toMap(List<Attribute> attrs) {
        Map<String, Attribute> m = new LinkedHashMap<>();
        for (Attribute a : attrs) {
            m.put(a.name(), a);
        }
        return m;
    }

    public Attribute attribute(String key) {
        return attributes.get(key);
    }

    public long intAttr(String key, long dflt) {
        Attribute a = attributes.get(key);
        return a == null ? dflt : a.asLong();
    }

    public float floatAttr(String key, float dflt) {
        Attribute a = attributes.get(key);
        return a == null ? dflt : a.asFloat();
    }

    public String stringAttr(String key, String dflt) {
        Attribute a = attributes.get(key);
        return a == null ? dflt : a.asString();
    }

    public long[] intsAttr(String key, long[] dflt) {
        Attribute a = attributes.get(key);
        return a == null ? dflt : a.asLongs();
    }

    /** The node's name, or a description built from its op and first output when it has none. */
    public String displayName() {
        return !name.isEmpty() ? name : opType + (outputs.isEmpty() ? "" : "(" + outputs.get(0) + ")");
    }

    /** Input i, or "" when absent. */
    public String input(int i) {
        return i < inputs.size() ? inputs.get(i) : "";
    }
}
