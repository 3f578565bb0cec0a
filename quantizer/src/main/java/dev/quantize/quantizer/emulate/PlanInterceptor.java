package dev.quantize.quantizer.emulate;

import dev.quantize.core.exec.NodeContext;
import dev.quantize.core.exec.NodeInterceptor;
import dev.quantize.core.graph.Model;
import dev.quantize.core.graph.ModelSummary;
import dev.quantize.core.graph.Node;
import dev.quantize.core.kernel.Parallelism;
import dev.quantize.core.tensor.DataType;
import dev.quantize.core.tensor.Tensor;
import dev.quantize.quantizer.plan.LayerPlan;
import dev.quantize.quantizer.plan.QuantPlan;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * Emulates a plan on the executor: weights are quantized once, here, and swapped in for the
 * initializers; input activations of planned nodes are fake-quantized on the fly before the node
 * runs. Kernels never know.
 */
public final class PlanInterceptor implements NodeInterceptor {
    /** What to do to one node's inputs: fixed replacements (weights) and on-the-fly quantizers (activations). */
    private record NodeWork(Map<Integer, Tensor> weights, Map<Integer, FakeQuantizer> activations, LayerPlan layer, Node node) {
    }

    private final Map<String, NodeWork> work = new HashMap<>();
    private final Parallelism parallelism;

    public PlanInterceptor(Model model, QuantPlan plan, Parallelism parallelism) {
        this(model, plan, parallelism, true);
    }

    /**
     * With {@code quantizeWeights} false only activations are fake-quantized: for a model whose
     * initializers already hold the quantized weights (an artifact's emulation model), where
     * quantizing them a second time would not in general give the same values.
     */
    public PlanInterceptor(Model model, QuantPlan plan, Parallelism parallelism, boolean quantizeWeights) {
        plan.validate(model);
        this.parallelism = parallelism;
        Map<String, Node> nodes = model.graph().nodesByDisplayName();
        for (LayerPlan l : plan.layers()) {
            if (l.isFp32()) {
                continue;
            }
            Node n = nodes.get(l.node());
            Map<Integer, Tensor> weights = new HashMap<>();
            if (quantizeWeights && !l.weightFormat().equals(LayerPlan.FP32)) {
                int index = n.inputs().indexOf(l.weight());
                Tensor w = model.graph().initializers().get(l.weight());
                if (w.type() != DataType.FLOAT32) {
                    throw new IllegalArgumentException("layer '" + l.node() + "': weight '" + l.weight() + "' is "
                            + w.type() + ", only float32 weights are quantized");
                }
                FakeQuantizer q = new FakeQuantizer(l.weightFormat());
                weights.put(index, q.apply(w, LayerAxes.weight(n, index, w.rank()), null, parallelism));
            }
            Map<Integer, FakeQuantizer> activations = new HashMap<>();
            if (!l.activationFormat().equals(LayerPlan.FP32)) {
                FakeQuantizer q = new FakeQuantizer(l.activationFormat());
                activations.put(0, q);
                if (l.role() == ModelSummary.Role.ACTIVATIONS_ONLY) {
                    activations.put(1, q);
                }
            }
            work.put(l.node(), new NodeWork(weights, activations, l, n));
        }
    }

    @Override
    public List<Tensor> interceptInputs(NodeContext ctx, List<Tensor> inputs) {
        NodeWork w = work.get(ctx.name());
        if (w == null) {
            return inputs;
        }
        List<Tensor> out = new ArrayList<>(inputs);
        w.weights().forEach(out::set);
        for (Map.Entry<Integer, FakeQuantizer> e : w.activations().entrySet()) {
            Tensor x = out.get(e.getKey());
            if (x != null && x.type() == DataType.FLOAT32) {
                out.set(e.getKey(), e.getValue().apply(x, LayerAxes.activation(w.node(), e.getKey(), x.rank()),
                        w.layer().activationRange(), parallelism));
            }
        }
        return out;
    }
}
