package dev.quantize.quantizer.emulate;

import dev.quantize.core.graph.Node;

/**
 * Which axis of a node's operand is the reduction axis (where MX/BDR blocks and int4 groups run:
 * the elements that are multiplied and summed together) and which is the output-channel axis (where
 * per-channel scales vary), derived from the op and its attributes.
 */
public record LayerAxes(int reduction, int channel) {
    /** Axes of the weight operand at {@code inputIndex} of {@code node}, whose rank is {@code rank}. */
    public static LayerAxes weight(Node node, int inputIndex, int rank) {
        return switch (node.opType()) {
            case "Gemm" -> inputIndex == 1
                    ? (node.intAttr("transB", 0) != 0 ? new LayerAxes(1, 0) : new LayerAxes(0, 1))
                    : (node.intAttr("transA", 0) != 0 ? new LayerAxes(0, 1) : new LayerAxes(1, 0));
            case "MatMul" -> inputIndex == 1 ? new LayerAxes(rank - 2, rank - 1) : new LayerAxes(rank - 1, rank - 2);
            case "Conv" -> new LayerAxes(1, 0);
            case "Gather" -> new LayerAxes(rank - 1, 0); // a table: blocks along the embedding, scales per row
            default -> new LayerAxes(rank - 1, 0);
        };
    }

    /** Axes of an activation operand: the same rules, the channel axis being the rows (batch) side. */
    public static LayerAxes activation(Node node, int inputIndex, int rank) {
        return switch (node.opType()) {
            case "Conv" -> new LayerAxes(1, 1);
            default -> weight(node, inputIndex, rank);
        };
    }
}
