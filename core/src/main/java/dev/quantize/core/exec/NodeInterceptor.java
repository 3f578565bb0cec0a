package dev.quantize.core.exec;

import dev.quantize.core.tensor.Tensor;
import java.util.List;

/**
 * The hook a QuantPlan uses: it may replace a node's input tensors before the node runs, e.g. with
 * fake-quantized copies of weights and activations. Interceptors run in the order they were added,
 * each seeing the previous one's result; listeners then see the replaced inputs (what the node
 * really consumed). Return {@code inputs} itself to leave a node alone. Never mutate the given
 * tensors (initializers are shared, not copied): build new ones. A replacement list must have the
 * same length; null entries stay omitted inputs.
 */
@FunctionalInterface
public interface NodeInterceptor {
    List<Tensor> interceptInputs(NodeContext node, List<Tensor> inputs);
}
