package dev.quantize.calibration;

import dev.quantize.core.graph.Graph;
import dev.quantize.core.graph.Model;
import dev.quantize.core.graph.ModelSummary;
import dev.quantize.core.graph.Node;
import dev.quantize.core.graph.ValueInfo;
import dev.quantize.core.tensor.Tensor;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.Map;
import java.util.Set;

/**
 * Which values calibration observes.
 *
 * <p>From {@link ModelSummary#quantizable()}: for a node with a weight initializer, the weight and
 * the node's other (activation) input, normally input 0; for MatMul between two activations, both
 * inputs; for an embedding Gather, the table only (its other input is indices). Plus any extra value
 * names (graph inputs, node outputs or initializers): the debugger and monitor observe every layer.
 *
 * <p>Channel axes. Activations: axis 1 whenever the rank is at least 2, which is the channel of
 * {@code [N, C, ...]} and the feature (last) axis of {@code [N, features]}; rank 0 and 1 have no
 * channel statistics. Sequence models laid out {@code [N, T, features]} therefore get per-position
 * statistics, not per-feature. Weights: the output-channel axis: Gemm axis 1, or 0 with transB=1;
 * Conv axis 0; MatMul's right operand its last axis (its left operand, rare, axis rank-2); an
 * embedding table axis 0 (one range per row).
 */
public final class CalibrationTargets {
    private final Set<String> activations;
    private final Map<String, Integer> weights;

    private CalibrationTargets(Set<String> activations, Map<String, Integer> weights) {
        this.activations = Collections.unmodifiableSet(activations);
        this.weights = Collections.unmodifiableMap(weights);
    }

    /** The quantizable nodes' activations and weights (weights only if {@code weights}), plus {@code extra} values. */
    public static CalibrationTargets of(Model model, boolean quantizable, boolean weights, Iterable<String> extra) {
        Graph g = model.graph();
        Map<String, Tensor> inits = g.initializers();
        Set<String> acts = new LinkedHashSet<>();
        Map<String, Integer> ws = new LinkedHashMap<>();
        if (quantizable) {
            Map<String, Node> byName = g.nodesByDisplayName();
            for (ModelSummary.QuantizableNode q : ModelSummary.of(model).quantizable()) {
                Node n = byName.get(q.node());
                if (n == null) {
                    throw new IllegalStateException("quantizable node '" + q.node() + "' is not in the graph");
                }
                switch (q.role()) {
                    case WEIGHTS_AND_ACTIVATIONS -> {
                        for (String in : n.inputs().subList(0, Math.min(2, n.inputs().size()))) {
                            if (!in.isEmpty() && !inits.containsKey(in)) {
                                acts.add(in);
                            }
                        }
                        if (weights) {
                            ws.put(q.weight(), weightAxis(n, q.weight(), inits.get(q.weight())));
                        }
                    }
                    case ACTIVATIONS_ONLY -> {
                        for (String in : n.inputs().subList(0, Math.min(2, n.inputs().size()))) {
                            if (!in.isEmpty() && !inits.containsKey(in)) {
                                acts.add(in);
                            }
                        }
                    }
                    case EMBEDDING -> {
                        if (weights) {
                            ws.put(q.weight(), inits.get(q.weight()).rank() >= 2 ? 0 : -1);
                        }
                    }
                }
            }
        }
        Set<String> known = new LinkedHashSet<>();
        g.inputs().stream().map(ValueInfo::name).forEach(known::add);
        g.nodes().forEach(n -> known.addAll(n.outputs()));
        for (String v : extra) {
            if (inits.containsKey(v)) {
                Tensor t = inits.get(v);
                ws.putIfAbsent(v, t.rank() >= 2 ? 0 : -1);
            } else if (known.contains(v) && !v.isEmpty()) {
                acts.add(v);
            } else {
                throw new IllegalArgumentException("value '" + v + "' to observe is no input, node output or initializer of the graph");
            }
        }
        return new CalibrationTargets(acts, ws);
    }

    /** The quantizable nodes' activations and weights. */
    public static CalibrationTargets quantizable(Model model) {
        return of(model, true, true, Set.of());
    }

    static int weightAxis(Node n, String weight, Tensor w) {
        int rank = w.rank();
        if (rank < 2) {
            return -1;
        }
        return switch (n.opType()) {
            case "Gemm" -> n.intAttr("transB", 0) == 1 ? 0 : 1;
            case "MatMul" -> weight.equals(n.input(1)) ? rank - 1 : rank - 2;
            default -> 0;
        };
    }

    /** Activation values (observed batch by batch), in graph order of discovery. */
    public Set<String> activations() {
        return activations;
    }

    /** Weight initializers and their channel axis (-1 for none). */
    public Map<String, Integer> weights() {
        return weights;
    }

    /** The channel axis of an activation of this rank. */
    public static int activationAxis(int rank) {
        return rank >= 2 ? 1 : -1;
    }
}
