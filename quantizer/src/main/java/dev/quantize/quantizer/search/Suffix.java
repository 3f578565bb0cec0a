package dev.quantize.quantizer.search;

import dev.quantize.core.graph.Graph;
import dev.quantize.core.graph.Model;
import dev.quantize.core.graph.Node;
import dev.quantize.core.graph.ValueInfo;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;

/**
 * The part of a model from one node on: that node and everything downstream of it, as a model of
 * its own whose inputs are the values crossing into it (the "boundary"). When only that node is
 * quantized, everything before it is FP32, so the boundary values can be computed once and every
 * candidate format re-runs the suffix alone: the sensitivity sweep's FP32 prefix cache.
 */
record Suffix(Model model, List<String> boundary) {

    static Suffix from(Model model, String nodeName) {
        Graph g = model.graph();
        Set<String> produced = new HashSet<>();
        List<Node> nodes = new ArrayList<>();
        boolean started = false;
        for (Node n : g.nodes()) {
            boolean downstream = n.displayName().equals(nodeName);
            if (!downstream && started) {
                for (String in : n.inputs()) {
                    if (produced.contains(in)) {
                        downstream = true;
                        break;
                    }
                }
            }
            if (downstream) {
                started = true;
                nodes.add(n);
                produced.addAll(n.outputs());
            }
        }
        if (nodes.isEmpty()) {
            throw new IllegalArgumentException("no node named '" + nodeName + "'");
        }
        Set<String> boundary = new LinkedHashSet<>();
        for (Node n : nodes) {
            for (String in : n.inputs()) {
                if (!in.isEmpty() && !produced.contains(in) && !g.initializers().containsKey(in)) {
                    boundary.add(in);
                }
            }
        }
        List<ValueInfo> inputs = new ArrayList<>();
        for (String b : boundary) {
            inputs.add(new ValueInfo(b, null, null));
        }
        List<ValueInfo> outputs = g.outputs().stream().filter(o -> produced.contains(o.name())).toList();
        if (outputs.isEmpty()) {
            throw new IllegalArgumentException("node '" + nodeName + "' does not lead to a graph output");
        }
        Graph sub = new Graph(g.name() + " from " + nodeName, nodes, inputs, outputs, g.initializers(), List.of());
        return new Suffix(new Model(model.irVersion(), model.opsets(), model.producerName(), model.producerVersion(), sub,
                model.metadata()), List.copyOf(boundary));
    }
}
