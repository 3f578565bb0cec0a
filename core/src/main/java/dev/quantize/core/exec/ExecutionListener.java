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

    /**
     * Whether runs this listener observes may fuse nodes it would otherwise see, such as a Gemm with
     * its Relu (see {@link Executor.Builder#fuse}). Default false: observers of values (calibration,
     * the debugger) need every node; a profiler that only times nodes may say true.
     */
    default boolean acceptsHiddenNodes() {
        return false;
    }
}
