package dev.quantize.core.graph;

import dev.quantize.core.SharedData;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.quantize.core.onnx.OnnxReader;
import dev.quantize.core.tensor.DataType;
import dev.quantize.core.tensor.Tensor;
import java.io.IOException;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;

/** ModelSummary on the shared models; expected numbers come from the README's architecture. */
class ModelSummaryTest {

    private static Model shared(String name) throws IOException {
        return OnnxReader.read(SharedData.model(name));
    }

    private static long dense(int in, int out) {
        return (long) in * out + out;
    }

    @Test
    void dlrmSmall() throws IOException {
        ModelSummary s = ModelSummary.of(shared("dlrm_small"));
        assertEquals(List.of("Constant", "Gather", "Unsqueeze", "ReduceSum", "Gemm", "Relu", "Concat", "Flatten",
                "MatMul", "Sigmoid", "Transpose"), List.copyOf(s.opCensus().keySet()), "sorted by count desc, then name");
        assertEquals(List.of(10, 9, 9, 8, 6, 5, 2, 1, 1, 1, 1), List.copyOf(s.opCensus().values()));
        long tables = (1000 + 50000 + 200 + 8000 + 100 + 20000 + 3000 + 500) * 16L;
        long mlps = dense(13, 64) + dense(64, 32) + dense(32, 16) + dense(52, 64) + dense(64, 32) + dense(32, 1);
        long triangle = 9 * 8 / 2; // int64 indices of the strictly-lower triangle of the 9x9 interaction
        assertEquals(tables + mlps + triangle, s.parameterCount());
        assertEquals(4 * (tables + mlps) + 8 * triangle, s.parameterBytes(), "float32 weights, int64 index");
        assertEquals(9, s.inputs().size());
        assertEquals("prob", s.outputs().get(0).name());
        Map<ModelSummary.Role, Long> roles = s.quantizable().stream().collect(
                java.util.stream.Collectors.groupingBy(ModelSummary.QuantizableNode::role, java.util.stream.Collectors.counting()));
        assertEquals(Map.of(ModelSummary.Role.WEIGHTS_AND_ACTIVATIONS, 6L, ModelSummary.Role.EMBEDDING, 8L,
                ModelSummary.Role.ACTIVATIONS_ONLY, 1L), roles, "6 Gemm, 8 embedding Gathers, the interaction MatMul");
        ModelSummary.QuantizableNode matmul = s.quantizable().stream()
                .filter(q -> q.role() == ModelSummary.Role.ACTIVATIONS_ONLY).findFirst().orElseThrow();
        assertEquals("MatMul", matmul.opType());
        assertEquals("", matmul.weight());
    }

    @Test
    void mlpTabular() throws IOException {
        Model m = shared("mlp_tabular");
        ModelSummary s = ModelSummary.of(m);
        assertEquals(Map.of("Constant", 10, "Add", 6, "Mul", 6, "Div", 4, "ReduceMean", 4, "Gemm", 3,
                "Erf", 2, "Pow", 2, "Sqrt", 2, "Sub", 2), s.opCensus());
        assertEquals("Constant", s.opCensus().keySet().iterator().next());
        long gemms = dense(64, 256) + dense(256, 256) + dense(256, 10);
        // LayerNorm scale and shift may be initializers (2 x 256 per LayerNorm) or Constant nodes.
        long layerNorm = s.parameterCount() - gemms;
        assertTrue(layerNorm == 0 || layerNorm == 4 * 256, "parameters beyond the Gemms: " + layerNorm);
        assertEquals(3, s.quantizable().size());
        for (ModelSummary.QuantizableNode q : s.quantizable()) {
            assertEquals("Gemm", q.opType());
            assertEquals(ModelSummary.Role.WEIGHTS_AND_ACTIVATIONS, q.role());
            assertEquals(2, m.graph().initializers().get(q.weight()).rank());
        }
    }

    @Test
    void unsupportedListsEveryMissingOpWithItsNodesAndOpset() throws IOException {
        Model m = shared("mlp_tabular");
        Set<String> have = Set.of("Constant", "Add", "Mul", "Div", "ReduceMean", "Gemm", "Sqrt", "Sub");
        List<UnsupportedOp> missing = ModelSummary.unsupported(m, op -> op.domain().isEmpty() && have.contains(op.opType()));
        assertEquals(List.of("Pow", "Erf"), missing.stream().map(u -> u.op().opType()).sorted(java.util.Comparator.reverseOrder()).toList());
        for (UnsupportedOp u : missing) {
            assertEquals(13, u.op().opset());
            assertEquals(2, u.nodes().size(), u.toString());
        }
        String msg = UnsupportedOp.describe(missing);
        assertTrue(msg.startsWith("unsupported operators: ") && msg.contains("Erf (opset 13)") && msg.contains("Pow (opset 13)"), msg);
        assertEquals(List.of(), ModelSummary.unsupported(m, op -> true));
        // Opset-aware: a runtime whose Gemm starts at opset 14 rejects this opset-13 model's Gemms.
        List<UnsupportedOp> old = ModelSummary.unsupported(m, op -> !op.opType().equals("Gemm") || op.opset() >= 14);
        assertEquals(1, old.size());
        assertEquals(3, old.get(0).nodes().size());
    }

    @Test
    void unsupportedLooksInsideSubgraphs() {
        Graph body = new Graph("body", List.of(new Node("inner", "Fancy", "com.x", List.of("a"), List.of("b"), Map.of())),
                List.of(), List.of(), Map.of(), List.of());
        Graph main = new Graph("main", List.of(new Node("if", "If", List.of("c"), List.of("o"),
                List.of(Attribute.of("then_branch", body), new Attribute("branches", Attribute.Kind.GRAPHS, List.of(body))))),
                List.of(new ValueInfo("c", DataType.BOOL, List.of())), List.of(),
                Map.of("t", Tensor.ofLongs(DataType.INT4, new int[] {3}, new long[] {1, 2, 3})), List.of());
        Model m = new Model(8, Map.of("", 17L, "com.x", 2L), "", "", main, Map.of());
        List<UnsupportedOp> u = ModelSummary.unsupported(m, op -> op.domain().isEmpty());
        assertEquals(List.of(new UnsupportedOp(new OpId("com.x", "Fancy", 2), List.of("inner", "inner"))), u);
        assertEquals(2, ModelSummary.of(m).parameterBytes(), "three int4 values pack into two bytes");
    }
}
