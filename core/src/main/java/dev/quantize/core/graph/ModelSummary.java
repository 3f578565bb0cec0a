package dev.quantize.core.graph;

import dev.quantize.core.tensor.DataType;
import dev.quantize.core.tensor.Tensor;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Predicate;

/**
 * What {@code quantize inspect} shows about a model: run-time inputs and outputs, an op census,
 * parameter count and bytes (initializers of the main graph), and which nodes a quantizer can act
 * on. It lives with the graph IR, not the ONNX package, because it needs nothing but the IR and the
 * executor uses {@link #unsupported} without depending on any file format.
 *
 * @param opCensus op type to node count (main graph), by count descending, then name
 */
public record ModelSummary(List<ValueInfo> inputs, List<ValueInfo> outputs, Map<String, Integer> opCensus,
                           long parameterCount, long parameterBytes, List<QuantizableNode> quantizable) {

    /** How a node can be quantized. */
    public enum Role {
        /** Gemm, MatMul or Conv with an initializer weight: weights and input activations. */
        WEIGHTS_AND_ACTIVATIONS,
        /** Matmul-like compute between two activations (e.g. attention, DLRM interaction). */
        ACTIVATIONS_ONLY,
        /** Gather from an initializer table: the table (rows are looked up, not multiplied). */
        EMBEDDING
    }

    /** A quantizable node; {@code weight} is the initializer it reads, or "" for ACTIVATIONS_ONLY. */
    public record QuantizableNode(String node, String opType, Role role, String weight) {
    }

    public ModelSummary {
        inputs = List.copyOf(inputs);
        outputs = List.copyOf(outputs);
        opCensus = java.util.Collections.unmodifiableMap(new LinkedHashMap<>(opCensus));
        quantizable = List.copyOf(quantizable);
    }

    public static ModelSummary of(Model model) {
        Graph g = model.graph();
        Map<String, Integer> counts = new LinkedHashMap<>();
        for (Node n : g.nodes()) {
            counts.merge(n.opType(), 1, Integer::sum);
        }
        Map<String, Integer> census = new LinkedHashMap<>();
        counts.entrySet().stream()
                .sorted(Map.Entry.<String, Integer>comparingByValue().reversed().thenComparing(Map.Entry.comparingByKey()))
                .forEach(e -> census.put(e.getKey(), e.getValue()));
        long count = 0;
        long bytes = 0;
        for (Tensor t : g.initializers().values()) {
            count += t.size();
            bytes += storedBytes(t);
        }
        return new ModelSummary(g.runtimeInputs(), g.outputs(), census, count, bytes, quantizableNodes(g));
    }

    /** Bytes a tensor takes in the model file's element type (4-bit types packed two per byte). */
    static long storedBytes(Tensor t) {
        return switch (t.type()) {
            case STRING -> {
                long b = 0;
                for (String s : t.strings()) {
                    b += s.getBytes(StandardCharsets.UTF_8).length;
                }
                yield b;
            }
            case INT4, UINT4 -> (t.size() + 1L) / 2;
            default -> (long) t.size() * t.type().byteSize();
        };
    }

    private static List<QuantizableNode> quantizableNodes(Graph g) {
        List<QuantizableNode> out = new ArrayList<>();
        Map<String, Tensor> inits = g.initializers();
        for (Node n : g.nodes()) {
            switch (n.opType()) {
                case "Gemm", "Conv" -> out.add(weighted(n, inits.containsKey(n.input(1)) ? n.input(1) : ""));
                case "MatMul" -> {
                    String w = inits.containsKey(n.input(1)) ? n.input(1) : inits.containsKey(n.input(0)) ? n.input(0) : "";
                    out.add(weighted(n, w));
                }
                case "Gather" -> {
                    Tensor table = inits.get(n.input(0));
                    if (table != null && table.type().storage() == DataType.Storage.FLOAT) {
                        out.add(new QuantizableNode(n.displayName(), n.opType(), Role.EMBEDDING, n.input(0)));
                    }
                }
                default -> { }
            }
        }
        return out;
    }

    private static QuantizableNode weighted(Node n, String weight) {
        return new QuantizableNode(n.displayName(), n.opType(),
                weight.isEmpty() ? Role.ACTIVATIONS_ONLY : Role.WEIGHTS_AND_ACTIVATIONS, weight);
    }

    /**
     * Every operator of the model (subgraphs included) that {@code supported} rejects, one entry per
     * (domain, op type) with all nodes using it, in order of first appearance. Empty when the whole
     * model can run.
     */
    public static List<UnsupportedOp> unsupported(Model model, Predicate<OpId> supported) {
        Map<OpId, List<String>> bad = new LinkedHashMap<>();
        collect(model, model.graph(), supported, bad);
        return bad.entrySet().stream().map(e -> new UnsupportedOp(e.getKey(), e.getValue())).toList();
    }

    private static void collect(Model model, Graph g, Predicate<OpId> supported, Map<OpId, List<String>> bad) {
        for (Node n : g.nodes()) {
            String domain = n.domain().equals("ai.onnx") ? "" : n.domain();
            OpId op = new OpId(domain, n.opType(), model.opsets().getOrDefault(domain, 0L));
            if (!supported.test(op)) {
                bad.computeIfAbsent(op, k -> new ArrayList<>()).add(n.displayName());
            }
            for (Attribute a : n.attributes().values()) {
                if (a.kind() == Attribute.Kind.GRAPH) {
                    collect(model, a.asGraph(), supported, bad);
                } else if (a.kind() == Attribute.Kind.GRAPHS) {
                    a.asGraphs().forEach(sub -> collect(model, sub, supported, bad));
                }
            }
        }
    }
}
