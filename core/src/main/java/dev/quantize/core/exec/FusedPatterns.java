package dev.quantize.core.exec;

import dev.quantize.core.graph.Graph;
import dev.quantize.core.graph.Node;
import java.util.List;

/**
 * The node patterns the executor fuses into one step whether or not hooks are attached (the decomposed
 * LayerNorm and Erf-form GELU, see {@code ops.FusedOps}), found in a graph without running it. Graph
 * rewrites that fuse further (packed serving) start from these, so they recognise exactly what the
 * executor recognises.
 */
public final class FusedPatterns {
    /** Op types of {@link Pattern#fused()}: {@code FusedOps.LAYER_NORM} and {@code FusedOps.GELU}. */
    public static final String LAYER_NORM = dev.quantize.core.exec.ops.FusedOps.LAYER_NORM;
    public static final String GELU = dev.quantize.core.exec.ops.FusedOps.GELU;

    /**
     * One occurrence: its member nodes in graph order, and the fused node (op type {@link #LAYER_NORM}
     * with inputs x, gamma, beta and attribute epsilon, or {@link #GELU} with input x and attributes
     * divisor, offset, scale) producing the last member's output. Intermediate values are read by no
     * node outside the pattern and are no graph outputs.
     */
    public record Pattern(List<Node> members, Node fused) {
    }

    private FusedPatterns() {
    }

    /** The LayerNorm and GELU patterns of a graph whose nodes are in execution (topological) order. */
    public static List<Pattern> find(Graph graph) {
        return Fusion.visiblePatterns(graph);
    }
}
