package dev.quantize.core.exec.ops;

import dev.quantize.core.graph.Attribute;
import dev.quantize.core.graph.Node;
import dev.quantize.core.kernel.Parallelism;
import dev.quantize.core.tensor.Tensor;

/** What an op may know while it runs: its node (attributes, output count), the opset, the threads. */
public final class OpContext {
    private final Node node;
    private final long opset;
    private final Parallelism parallelism;

    public OpContext(Node node, long opset, Parallelism parallelism) {
        this.node = node;
        this.opset = opset;
        this.parallelism = parallelism;
    }

    public Node node() {
        return node;
    }

    /** The opset version the model imports for this node's domain. */
    public long opset() {
        return opset;
    }

    public Parallelism parallelism() {
        return parallelism;
    }

    public boolean has(String attr) {
        return node.attributes().containsKey(attr);
    }

    public long intAttr(String attr, long dflt) {
        return node.intAttr(attr, dflt);
    }

    public float floatAttr(String attr, float dflt) {
        return node.floatAttr(attr, dflt);
    }

    public String stringAttr(String attr, String dflt) {
        return node.stringAttr(attr, dflt);
    }

    /** An INTS attribute, or {@code dflt} (may be null) when absent. */
    public long[] intsAttr(String attr, long[] dflt) {
        return node.intsAttr(attr, dflt);
    }

    public Tensor tensorAttr(String attr) {
        Attribute a = node.attribute(attr);
        return a == null ? null : a.asTensor();
    }

    /** Number of outputs the node declares (including omitted "" ones). */
    public int outputCount() {
        return node.outputs().size();
    }

    /** Whether the node names output {@code i} (so it must be produced). */
    public boolean wantsOutput(int i) {
        return i < node.outputs().size() && !node.outputs().get(i).isEmpty();
    }

    /** An error about this node's inputs or attributes, naming the node. */
    public IllegalArgumentException error(String message) {
        return new IllegalArgumentException(node.opType() + " node '" + node.displayName() + "': " + message);
    }

    public UnsupportedFeatureException unsupported(String message) {
        return new UnsupportedFeatureException(node.opType() + " node '" + node.displayName() + "': " + message);
    }
}
