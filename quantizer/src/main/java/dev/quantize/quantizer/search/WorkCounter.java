package dev.quantize.quantizer.search;

import dev.quantize.core.exec.ExecutionListener;
import dev.quantize.core.exec.NodeContext;
import dev.quantize.core.graph.Model;
import dev.quantize.core.graph.ModelSummary;
import dev.quantize.core.tensor.Tensor;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Counts, from real shapes during an FP32 run, the work of every quantizable node per input row:
 * multiply-adds for Gemm/MatMul/Conv (output elements x reduction length), gathered elements for
 * embedding lookups; with the input elements a layer's activation format applies to and the output
 * elements. The bit-operations cost model multiplies the work by the formats' bits; the serve-time
 * cost model prices each part at its packed kernel's rate.
 */
final class WorkCounter implements ExecutionListener {
    private final Set<String> nodes = new HashSet<>();
    private final Set<String> activationsOnly = new HashSet<>();
    private final Map<String, LayerWork> work = new HashMap<>();

    WorkCounter(Model model) {
        for (ModelSummary.QuantizableNode q : ModelSummary.of(model).quantizable()) {
            nodes.add(q.node());
            if (q.role() == ModelSummary.Role.ACTIVATIONS_ONLY) {
                activationsOnly.add(q.node());
            }
        }
    }

    @Override
    public void afterNode(NodeContext ctx, List<Tensor> inputs, List<Tensor> outputs) {
        if (!nodes.contains(ctx.name()) || work.containsKey(ctx.name()) || outputs.isEmpty()) {
            return;
        }
        Tensor out = outputs.get(0);
        long elements = out.size();
        long reduction = switch (ctx.opType()) {
            case "Gemm" -> inputs.get(0).dim(ctx.node().intAttr("transA", 0) != 0 ? 0 : 1);
            case "MatMul" -> inputs.get(0).dim(-1);
            case "Conv" -> {
                int[] w = inputs.get(1).shape();
                long k = 1;
                for (int i = 1; i < w.length; i++) {
                    k *= w[i];
                }
                yield k;
            }
            default -> 1; // a lookup: one element read per output element
        };
        long batch = out.rank() == 0 ? 1 : Math.max(1, out.dim(0));
        long in;
        if (ctx.opType().equals("Gather")) {
            Tensor indices = inputs.get(1);
            batch = indices.rank() == 0 ? 1 : Math.max(1, indices.dim(0));
            in = indices.size();
        } else {
            // The activation format applies to input 0, and to input 1 too of a product of two activations.
            in = inputs.get(0).size() + (activationsOnly.contains(ctx.name()) && inputs.size() > 1 ? inputs.get(1).size() : 0);
        }
        work.put(ctx.name(), new LayerWork(elements * reduction / batch, in / batch, elements / batch));
    }

    Map<String, LayerWork> perRow() {
        return Map.copyOf(work);
    }
}
