package dev.quantize.core.exec;

import dev.quantize.core.tensor.Tensor;
import java.util.List;

/**
 * Observes every node an {@link Executor} runs (calibration observers, the debugger and the
 * monitor are listeners). Tensors are shared with the executor and must not be mutated. Entries of
 * {@code inputs} are null for omitted optional inputs, of {@code outputs} for outputs the node does
 * not produce. Listeners run on the executor's thread, in the order they were added.
 */
public interface ExecutionListener {
    default void beforeNode(NodeContext node, List<Tensor> inputs) {
    }

    default void afterNode(NodeContext node, List<Tensor> inputs, List<Tensor> outputs) {
    }
}
