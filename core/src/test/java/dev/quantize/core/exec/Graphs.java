package dev.quantize.core.exec;

import dev.quantize.core.graph.Attribute;
import dev.quantize.core.graph.Dim;
import dev.quantize.core.graph.Graph;
import dev.quantize.core.graph.Model;
import dev.quantize.core.graph.Node;
import dev.quantize.core.graph.ValueInfo;
import dev.quantize.core.tensor.DataType;
import dev.quantize.core.tensor.Tensor;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/** A tiny builder of hand-made test graphs. */
final class Graphs {
    private final List<Node> nodes = new ArrayList<>();
    private final List<ValueInfo> inputs = new ArrayList<>();
    private final List<ValueInfo> outputs = new ArrayList<>();
    private final Map<String, Tensor> inits = new LinkedHashMap<>();
    private long opset = 17;

    Graphs opset(long v) {
        opset = v;
        return this;
    }

    Graphs input(String name, DataType type, long... dims) {
        List<Dim> d = new ArrayList<>();
        for (long x : dims) {
            d.add(x < 0 ? Dim.symbolic("batch") : Dim.of(x));
        }
        inputs.add(new ValueInfo(name, type, d));
        return this;
    }

    Graphs output(String name) {
        outputs.add(new ValueInfo(name, null, null));
        return this;
    }

    Graphs init(String name, Tensor t) {
        inits.put(name, t);
        return this;
    }

    Graphs node(String name, String op, List<String> in, List<String> out, Attribute... attrs) {
        nodes.add(new Node(name, op, in, out, Arrays.asList(attrs)));
        return this;
    }

    Model model() {
        Graph g = new Graph("test", nodes, inputs, outputs, inits, List.of());
        return new Model(8, Map.of("", opset), "test", "1", g, Map.of());
    }
}
