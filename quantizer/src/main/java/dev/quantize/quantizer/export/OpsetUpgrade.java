package dev.quantize.quantizer.export;

import dev.quantize.core.graph.Attribute;
import dev.quantize.core.graph.Node;
import dev.quantize.core.tensor.Tensor;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Moves a graph's nodes to a newer default-domain opset without changing what they compute. Ops
 * whose signature changed in a way that can be rewritten are rewritten (the Reduce ops other than
 * ReduceSum took {@code axes} as an attribute until opset 18 and as an input from 18); ops whose
 * meaning changed otherwise are refused with the node's name.
 */
final class OpsetUpgrade {
    /** Reduce ops whose axes moved from attribute to input at opset 18. */
    private static final Set<String> REDUCE_18 = Set.of("ReduceMean", "ReduceMax", "ReduceMin", "ReduceProd",
            "ReduceL1", "ReduceL2", "ReduceLogSum", "ReduceLogSumExp", "ReduceSumSquare");

    /**
     * Ops whose inputs, attributes or results changed incompatibly at the given opset (within 1..21),
     * with what changed; upgrading a model across such a version is refused.
     */
    private static final Map<String, Change> INCOMPATIBLE = Map.ofEntries(
            Map.entry("Split", new Change(13, "'split' moved from attribute to input")),
            Map.entry("Squeeze", new Change(13, "'axes' moved from attribute to input")),
            Map.entry("Unsqueeze", new Change(13, "'axes' moved from attribute to input")),
            Map.entry("ReduceSum", new Change(13, "'axes' moved from attribute to input")),
            Map.entry("Clip", new Change(11, "'min'/'max' moved from attributes to inputs")),
            Map.entry("Pad", new Change(11, "'pads' moved from attribute to input")),
            Map.entry("Slice", new Change(10, "'starts'/'ends' moved from attributes to inputs")),
            Map.entry("TopK", new Change(10, "'k' moved from attribute to input")),
            Map.entry("Dropout", new Change(12, "'ratio' moved from attribute to input")),
            Map.entry("Resize", new Change(11, "inputs and coordinate modes changed")),
            Map.entry("Upsample", new Change(10, "deprecated")),
            Map.entry("GridSample", new Change(20, "mode names changed")),
            Map.entry("DFT", new Change(20, "'axis' moved from attribute to input")),
            Map.entry("GroupNormalization", new Change(21, "scale and bias became per channel")));

    private record Change(int version, String what) {
    }

    private OpsetUpgrade() {
    }

    /**
     * The nodes rewritten for opset {@code to} (from {@code from}); constants the rewrites need are
     * added to {@code initializers} under names not in {@code names} (which receives them). Throws IllegalArgumentException naming the node when an op
     * cannot be carried over.
     */
    static List<Node> upgrade(List<Node> nodes, long from, long to, Map<String, Tensor> initializers, Set<String> names) {
        List<Node> out = new ArrayList<>(nodes.size());
        for (Node n : nodes) {
            if (!n.domain().isEmpty() && !n.domain().equals("ai.onnx")) {
                out.add(n);
                continue;
            }
            Change c = INCOMPATIBLE.get(n.opType());
            if (c != null && from < c.version() && c.version() <= to) {
                throw new IllegalArgumentException("node '" + n.displayName() + "' (" + n.opType() + "): cannot move it from opset "
                        + from + " to " + to + ": at opset " + c.version() + " " + c.what());
            }
            if (REDUCE_18.contains(n.opType()) && from < 18 && to >= 18 && n.attribute("axes") != null) {
                String name = uniqueName(n.displayName() + "_axes", names);
                initializers.put(name, Tensor.ofLongs(new int[] {n.intsAttr("axes", null).length}, n.intsAttr("axes", null)));
                List<String> inputs = new ArrayList<>(n.inputs());
                inputs.add(name);
                Map<String, Attribute> attrs = new LinkedHashMap<>(n.attributes());
                attrs.remove("axes");
                out.add(new Node(n.name(), n.opType(), n.domain(), inputs, n.outputs(), attrs));
            } else {
                out.add(n);
            }
        }
        return out;
    }

    /** {@code base}, or base_1, base_2... whichever is not taken yet; it is then taken. */
    static String uniqueName(String base, Set<String> taken) {
        String name = base;
        for (int i = 1; taken.contains(name); i++) {
            name = base + "_" + i;
        }
        taken.add(name);
        return name;
    }
}
