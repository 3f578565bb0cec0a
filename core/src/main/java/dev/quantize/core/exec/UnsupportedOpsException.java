package dev.quantize.core.exec;

import java.util.List;
import java.util.stream.Collectors;

/** A model uses ops this executor cannot run at the model's opset; lists every one of them. */
public class UnsupportedOpsException extends IllegalArgumentException {
    /** One unsupported use: the op, the first node using it, how many nodes use it, the opset. */
    public record UnsupportedOp(String domain, String opType, String exampleNode, int nodeCount, long opset) {
        @Override
        public String toString() {
            return (domain.isEmpty() ? "" : domain + ".") + opType + " (node '" + exampleNode + "'"
                    + (nodeCount > 1 ? " and " + (nodeCount - 1) + " more" : "") + ", opset " + opset + ")";
        }
    }

    private final transient List<UnsupportedOp> ops;

    public UnsupportedOpsException(String modelName, List<UnsupportedOp> ops) {
        super("model " + modelName + " uses " + ops.size() + " unsupported op type" + (ops.size() == 1 ? "" : "s") + ": "
                + ops.stream().map(UnsupportedOp::toString).collect(Collectors.joining(", ")));
        this.ops = List.copyOf(ops);
    }

    public List<UnsupportedOp> ops() {
        return ops;
    }

    /** The unsupported op types, e.g. for a skip reason. */
    public List<String> opTypes() {
        return ops.stream().map(UnsupportedOp::opType).toList();
    }
}
