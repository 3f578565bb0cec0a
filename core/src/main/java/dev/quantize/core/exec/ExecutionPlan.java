package dev.quantize.core.exec;

import dev.quantize.core.exec.ops.Op;
import dev.quantize.core.exec.ops.OpRegistry;
import dev.quantize.core.graph.Graph;
import dev.quantize.core.graph.Model;
import dev.quantize.core.graph.Node;
import dev.quantize.core.graph.ValueInfo;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.PriorityQueue;
import java.util.Set;

/**
 * A validated graph in execution order: each node with its op implementation and its opset. Built
 * once per executor; checks, in this order, that every op is supported (one exception listing all
 * that are not), that every node input has a source, that no value has two producers, that the
 * graph has no cycle, and that every graph output has a source. Nodes keep the file's order when
 * it is already topological; otherwise they are sorted (stable: earliest file position first).
 */
final class ExecutionPlan {
    record Step(Node node, Op op, long opset) {
    }

    private final List<Step> steps;
    private final Map<String, Integer> producer;

    private ExecutionPlan(List<Step> steps, Map<String, Integer> producer) {
        this.steps = steps;
        this.producer = producer;
    }

    List<Step> steps() {
        return steps;
    }

    /** Index in {@link #steps()} of the node producing a value, or null for inputs and initializers. */
    Integer producerOf(String value) {
        return producer.get(value);
    }

    /** This plan with the fusable node patterns replaced by fused steps (see {@link Fusion}). */
    ExecutionPlan fused(Graph graph, Fusion.Level level) {
        List<Step> f = Fusion.apply(graph, steps, level);
        if (f.size() == steps.size()) {
            return this;
        }
        Map<String, Integer> prod = new HashMap<>();
        for (int i = 0; i < f.size(); i++) {
            for (String out : f.get(i).node().outputs()) {
                if (!out.isEmpty()) {
                    prod.put(out, i);
                }
            }
        }
        return new ExecutionPlan(List.copyOf(f), prod);
    }

    static ExecutionPlan build(Model model, OpRegistry registry) {
        Graph g = model.graph();
        String modelName = g.name() == null || g.name().isEmpty() ? "(unnamed graph)" : "'" + g.name() + "'";
        List<Node> nodes = g.nodes();

        // 1. Every op must be supported at the model's opset for its domain.
        Map<String, UnsupportedOpsException.UnsupportedOp> unsupported = new LinkedHashMap<>();
        Op[] ops = new Op[nodes.size()];
        long[] opsets = new long[nodes.size()];
        for (int i = 0; i < nodes.size(); i++) {
            Node n = nodes.get(i);
            String domain = OpRegistry.normalizeDomain(n.domain());
            long opset = model.opsets().getOrDefault(domain, domain.isEmpty() ? model.opset() : 0L);
            opsets[i] = opset;
            ops[i] = registry.find(domain, n.opType(), opset);
            if (ops[i] == null) {
                String key = domain + "::" + n.opType();
                UnsupportedOpsException.UnsupportedOp prev = unsupported.get(key);
                unsupported.put(key, prev == null
                        ? new UnsupportedOpsException.UnsupportedOp(domain, n.opType(), n.displayName(), 1, opset)
                        : new UnsupportedOpsException.UnsupportedOp(domain, n.opType(), prev.exampleNode(),
                                prev.nodeCount() + 1, opset));
            }
        }
        if (!unsupported.isEmpty()) {
            throw new UnsupportedOpsException(modelName, new ArrayList<>(unsupported.values()));
        }

        // 2. Sources: graph inputs, initializers, node outputs (each produced once).
        Set<String> external = new HashSet<>(g.initializers().keySet());
        for (ValueInfo v : g.inputs()) {
            external.add(v.name());
        }
        Map<String, Integer> producedBy = new HashMap<>();
        List<String> problems = new ArrayList<>();
        for (int i = 0; i < nodes.size(); i++) {
            for (String out : nodes.get(i).outputs()) {
                if (out.isEmpty()) {
                    continue;
                }
                Integer prev = producedBy.put(out, i);
                if (prev != null || external.contains(out)) {
                    problems.add("value '" + out + "' is produced by node '" + nodes.get(i).displayName() + "' but "
                            + (prev != null ? "also by node '" + nodes.get(prev).displayName() + "'" : "is also a graph input or initializer"));
                }
            }
        }
        for (Node n : nodes) {
            for (String in : n.inputs()) {
                if (!in.isEmpty() && !external.contains(in) && !producedBy.containsKey(in)) {
                    problems.add("node '" + n.displayName() + "' (" + n.opType() + ") reads '" + in
                            + "', which is no graph input, initializer or node output");
                }
            }
        }
        for (ValueInfo out : g.outputs()) {
            if (!external.contains(out.name()) && !producedBy.containsKey(out.name())) {
                problems.add("graph output '" + out.name() + "' is produced by no node");
            }
        }
        if (!problems.isEmpty()) {
            throw new IllegalArgumentException("model " + modelName + " is not a valid graph: " + String.join("; ", problems));
        }

        // 3. Topological order (Kahn), preferring file order among ready nodes.
        int[] pending = new int[nodes.size()];
        List<List<Integer>> consumers = new ArrayList<>();
        for (int i = 0; i < nodes.size(); i++) {
            consumers.add(new ArrayList<>());
        }
        for (int i = 0; i < nodes.size(); i++) {
            Set<Integer> deps = new HashSet<>();
            for (String in : nodes.get(i).inputs()) {
                Integer p = in.isEmpty() || external.contains(in) ? null : producedBy.get(in);
                if (p != null && deps.add(p)) {
                    consumers.get(p).add(i);
                }
            }
            pending[i] = deps.size();
        }
        PriorityQueue<Integer> ready = new PriorityQueue<>();
        for (int i = 0; i < nodes.size(); i++) {
            if (pending[i] == 0) {
                ready.add(i);
            }
        }
        List<Step> steps = new ArrayList<>();
        Map<String, Integer> producer = new HashMap<>();
        while (!ready.isEmpty()) {
            int i = ready.poll();
            Node n = nodes.get(i);
            for (String out : n.outputs()) {
                if (!out.isEmpty()) {
                    producer.put(out, steps.size());
                }
            }
            steps.add(new Step(n, ops[i], opsets[i]));
            for (int c : consumers.get(i)) {
                if (--pending[c] == 0) {
                    ready.add(c);
                }
            }
        }
        if (steps.size() < nodes.size()) {
            List<String> stuck = new ArrayList<>();
            for (int i = 0; i < nodes.size() && stuck.size() < 10; i++) {
                if (pending[i] > 0) {
                    stuck.add(nodes.get(i).displayName());
                }
            }
            throw new IllegalArgumentException("model " + modelName + " has a cycle through nodes " + stuck);
        }
        return new ExecutionPlan(List.copyOf(steps), producer);
    }
}
