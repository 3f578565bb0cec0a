package dev.quantize.core.graph;

import java.util.List;
import java.util.stream.Collectors;

/** One operator a runtime lacks, with the display names of every node (subgraphs included) using it. */
public record UnsupportedOp(OpId op, List<String> nodes) {
    public UnsupportedOp {
        nodes = List.copyOf(nodes);
    }

    /** One message listing every unsupported operator, for failing before anything runs. */
    public static String describe(List<UnsupportedOp> ops) {
        return "unsupported operators: " + ops.stream()
                .map(u -> u.op() + " at " + String.join(", ", u.nodes()))
                .collect(Collectors.joining("; "));
    }
}
