package dev.quantize.debugger;

import dev.quantize.core.exec.ExecutionListener;
import dev.quantize.core.exec.NodeContext;
import dev.quantize.core.exec.NodeInterceptor;
import dev.quantize.core.tensor.Tensor;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Keeps, for every watched node and every batch, the activation inputs the node was given (as an
 * interceptor placed before the plan's, so before fake quantization) and its first output (as a
 * listener). Initializer inputs are not kept: they are the same every batch.
 */
final class Capture implements NodeInterceptor, ExecutionListener {
    private final Set<String> watched;
    private final Set<String> initializers;
    /** node -> per batch -> input name -> tensor. */
    final Map<String, List<Map<String, Tensor>>> inputs = new HashMap<>();
    /** node -> per batch -> first output. */
    final Map<String, List<Tensor>> outputs = new HashMap<>();

    Capture(Set<String> watched, Set<String> initializers) {
        this.watched = watched;
        this.initializers = initializers;
    }

    @Override
    public List<Tensor> interceptInputs(NodeContext node, List<Tensor> in) {
        if (watched.contains(node.name())) {
            Map<String, Tensor> kept = new HashMap<>();
            List<String> names = node.node().inputs();
            for (int i = 0; i < names.size(); i++) {
                String name = names.get(i);
                if (!name.isEmpty() && !initializers.contains(name) && in.get(i) != null) {
                    kept.put(name, in.get(i));
                }
            }
            inputs.computeIfAbsent(node.name(), k -> new ArrayList<>()).add(kept);
        }
        return in;
    }

    @Override
    public void afterNode(NodeContext node, List<Tensor> in, List<Tensor> out) {
        if (watched.contains(node.name())) {
            outputs.computeIfAbsent(node.name(), k -> new ArrayList<>()).add(out.get(0));
        }
    }
}
