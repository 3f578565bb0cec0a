package dev.quantize.core.exec;

/** A node failed while running; the message names the node, its op type and its position. */
public class NodeExecutionException extends RuntimeException {
    private final NodeContext node;

    public NodeExecutionException(NodeContext node, Throwable cause) {
        super("node '" + node.name() + "' (" + node.opType() + ", #" + node.index() + "): " + cause.getMessage(), cause);
        this.node = node;
    }

    public NodeContext node() {
        return node;
    }
}
