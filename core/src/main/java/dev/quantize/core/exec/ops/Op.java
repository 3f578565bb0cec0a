package dev.quantize.core.exec.ops;

import dev.quantize.core.tensor.Tensor;
import java.util.List;

/**
 * One operator implementation. {@code inputs} follows the node's input list; an omitted optional
 * input is {@code null}. The result lists one tensor per node output (trailing optional outputs the
 * node does not name may be left out). Implementations must not mutate their inputs.
 */
@FunctionalInterface
public interface Op {
    List<Tensor> run(OpContext ctx, List<Tensor> inputs);
}
