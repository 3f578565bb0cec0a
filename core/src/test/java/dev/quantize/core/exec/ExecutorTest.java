package dev.quantize.core.exec;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.quantize.core.graph.Attribute;
import dev.quantize.core.graph.Model;
import dev.quantize.core.graph.Node;
import dev.quantize.core.tensor.DataType;
import dev.quantize.core.tensor.Tensor;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import org.junit.jupiter.api.Test;

class ExecutorTest {
    private static final int B = 3;
    private static final int K = 4;
    private static final int N = 5;

    private static float[] random(Random r, int n) {
        float[] f = new float[n];
        for (int i = 0; i < n; i++) {
            f[i] = (float) r.nextGaussian();
        }
        return f;
    }

    /** x (B,K) -> Gemm(W (N,K) transposed, b) -> Relu -> y; plus an Identity side output. */
    private static Model mlp(float[] w, float[] b) {
        return new Graphs()
                .input("x", DataType.FLOAT32, -1, K)
                .init("W", Tensor.ofFloats(new int[] {N, K}, w))
                .init("b", Tensor.ofFloats(new int[] {N}, b))
                .node("fc", "Gemm", List.of("x", "W", "b"), List.of("h"), Attribute.of("transB", 1L))
                .node("act", "Relu", List.of("h"), List.of("y"))
                .output("y")
                .model();
    }

    /** relu(x W^T + b), computed here in double with plain loops. */
    private static float[] expectedMlp(float[] x, float[] w, float[] b, boolean relu) {
        float[] y = new float[B * N];
        for (int i = 0; i < B; i++) {
            for (int j = 0; j < N; j++) {
                double s = b[j];
                for (int k = 0; k < K; k++) {
                    s += (double) x[i * K + k] * w[j * K + k];
                }
                y[i * N + j] = (float) (relu ? Math.max(0, s) : s);
            }
        }
        return y;
    }

    @Test
    void runsGemmReluAgainstHandComputation() {
        Random r = new Random(7);
        float[] w = random(r, N * K);
        float[] b = random(r, N);
        float[] x = random(r, B * K);
        for (int threads : new int[] {1, 2}) {
            Executor ex = Executor.builder(mlp(w, b)).threads(threads).build();
            Tensor y = ex.run(Map.of("x", Tensor.ofFloats(new int[] {B, K}, x))).get("y");
            assertArrayEquals(new int[] {B, N}, y.shape());
            assertArrayEquals(expectedMlp(x, w, b, true), y.floats(), 1e-5f);
        }
    }

    @Test
    void listenersSeeEveryNodeInOrderAndInitializersAreNotCopied() {
        Random r = new Random(8);
        float[] w = random(r, N * K);
        float[] b = random(r, N);
        Model m = mlp(w, b);
        List<String> events = new ArrayList<>();
        List<Tensor> seenWeights = new ArrayList<>();
        ExecutionListener first = new ExecutionListener() {
            @Override
            public void beforeNode(NodeContext node, List<Tensor> inputs) {
                events.add("1:before:" + node.index() + ":" + node.name() + ":" + node.opType());
                if (node.opType().equals("Gemm")) {
                    seenWeights.add(inputs.get(1));
                    assertEquals(1L, node.attributes().get("transB").asLong());
                }
            }

            @Override
            public void afterNode(NodeContext node, List<Tensor> inputs, List<Tensor> outputs) {
                events.add("1:after:" + node.name() + ":" + outputs.get(0).shape()[1]);
            }
        };
        ExecutionListener second = new ExecutionListener() {
            @Override
            public void afterNode(NodeContext node, List<Tensor> inputs, List<Tensor> outputs) {
                events.add("2:after:" + node.name());
            }
        };
        Executor ex = Executor.builder(m).threads(1).listener(first).build();
        ex.addListener(second);
        ex.run(Map.of("x", Tensor.ofFloats(new int[] {B, K}, random(r, B * K))));
        assertEquals(List.of("1:before:0:fc:Gemm", "1:after:fc:5", "2:after:fc",
                "1:before:1:act:Relu", "1:after:act:5", "2:after:act"), events);
        assertSame(m.graph().initializers().get("W"), seenWeights.get(0));
    }

    @Test
    void interceptorZeroingTheWeightLeavesTheBias() {
        Random r = new Random(9);
        float[] w = random(r, N * K);
        float[] b = random(r, N);
        float[] x = random(r, B * K);
        Model m = mlp(w, b);
        Executor ex = Executor.builder(m).threads(1).build();
        Map<String, Tensor> feed = Map.of("x", Tensor.ofFloats(new int[] {B, K}, x));
        float[] plain = ex.run(feed).get("y").floats();
        assertArrayEquals(expectedMlp(x, w, b, true), plain, 1e-5f);

        List<Tensor> listenerSaw = new ArrayList<>();
        ex.addInterceptor((node, inputs) -> {
            if (!node.opType().equals("Gemm")) {
                return inputs;
            }
            List<Tensor> out = new ArrayList<>(inputs);
            out.set(1, Tensor.zeros(DataType.FLOAT32, inputs.get(1).shape()));
            return out;
        });
        ex.addListener(new ExecutionListener() {
            @Override
            public void beforeNode(NodeContext node, List<Tensor> inputs) {
                if (node.opType().equals("Gemm")) {
                    listenerSaw.add(inputs.get(1));
                }
            }
        });
        float[] zeroed = ex.run(feed).get("y").floats();
        // relu(0 * x + b) = relu(b) in every row.
        float[] expected = new float[B * N];
        for (int i = 0; i < B; i++) {
            for (int j = 0; j < N; j++) {
                expected[i * N + j] = Math.max(0, b[j]);
            }
        }
        assertArrayEquals(expected, zeroed, 0f);
        assertEquals(0f, listenerSaw.get(0).floats()[0]);
        // The model's weight is untouched.
        assertArrayEquals(w, m.graph().initializers().get("W").floats(), 0f);
    }

    @Test
    void interceptorReturningWrongArityIsAnError() {
        Executor ex = Executor.builder(mlp(new float[N * K], new float[N])).threads(1).build();
        ex.addInterceptor((node, inputs) -> List.of());
        IllegalStateException e = assertThrows(IllegalStateException.class,
                () -> ex.run(Map.of("x", Tensor.zeros(DataType.FLOAT32, new int[] {B, K}))));
        assertTrue(e.getMessage().contains("'fc'"), e.getMessage());
    }

    @Test
    void unsupportedOpsAreAllListedInOneException() {
        Model m = new Graphs().opset(13)
                .input("x", DataType.FLOAT32, 2)
                .node("a", "FancyOp", List.of("x"), List.of("y1"))
                .node("b", "Relu", List.of("y1"), List.of("y2"))
                .node("c", "OtherOp", List.of("y2"), List.of("y3"))
                .node("d", "FancyOp", List.of("y3"), List.of("y4"))
                .node("e", "Gelu", List.of("y4"), List.of("y5")) // Gelu starts at opset 20
                .output("y5").model();
        UnsupportedOpsException e = assertThrows(UnsupportedOpsException.class, () -> new Executor(m));
        assertEquals(List.of("FancyOp", "OtherOp", "Gelu"), e.opTypes());
        assertTrue(e.getMessage().contains("FancyOp (node 'a' and 1 more, opset 13)"), e.getMessage());
        assertTrue(e.getMessage().contains("Gelu (node 'e', opset 13)"), e.getMessage());
    }

    @Test
    void missingInputsAndCyclesAreRejected() {
        Model missing = new Graphs().input("x", DataType.FLOAT32, 2)
                .node("n1", "Add", List.of("x", "ghost"), List.of("y"))
                .output("y").model();
        IllegalArgumentException e1 = assertThrows(IllegalArgumentException.class, () -> new Executor(missing));
        assertTrue(e1.getMessage().contains("node 'n1' (Add) reads 'ghost'"), e1.getMessage());

        Model cycle = new Graphs().input("x", DataType.FLOAT32, 2)
                .node("p", "Add", List.of("x", "q_out"), List.of("p_out"))
                .node("q", "Relu", List.of("p_out"), List.of("q_out"))
                .output("q_out").model();
        IllegalArgumentException e2 = assertThrows(IllegalArgumentException.class, () -> new Executor(cycle));
        assertTrue(e2.getMessage().contains("cycle") && e2.getMessage().contains("p"), e2.getMessage());
    }

    @Test
    void nodesOutOfOrderAreSortedTopologically() {
        Model m = new Graphs().input("x", DataType.FLOAT32, 2)
                .node("second", "Neg", List.of("h"), List.of("y"))
                .node("first", "Abs", List.of("x"), List.of("h"))
                .output("y").model();
        Executor ex = Executor.builder(m).threads(1).build();
        assertEquals(List.of("first", "second"), ex.executionOrder().stream().map(Node::name).toList());
        Tensor y = ex.run(Map.of("x", Tensor.ofFloats(new int[] {2}, new float[] {-3, 4}))).get("y");
        assertArrayEquals(new float[] {-3, -4}, y.floats());
    }

    @Test
    void inputsAreCheckedWithClearMessages() {
        Executor ex = Executor.builder(mlp(new float[N * K], new float[N])).threads(1).build();
        IllegalArgumentException unknown = assertThrows(IllegalArgumentException.class,
                () -> ex.run(Map.of("x", Tensor.zeros(DataType.FLOAT32, new int[] {B, K}), "z", Tensor.scalar(1f))));
        assertTrue(unknown.getMessage().contains("unknown input 'z'") && unknown.getMessage().contains("[x]"),
                unknown.getMessage());
        IllegalArgumentException missing = assertThrows(IllegalArgumentException.class, () -> ex.run(Map.of()));
        assertTrue(missing.getMessage().contains("missing input 'x'"), missing.getMessage());
        IllegalArgumentException type = assertThrows(IllegalArgumentException.class,
                () -> ex.run(Map.of("x", Tensor.zeros(DataType.INT64, new int[] {B, K}))));
        assertEquals("input 'x': expected element type FLOAT32, got INT64", type.getMessage());
        IllegalArgumentException rank = assertThrows(IllegalArgumentException.class,
                () -> ex.run(Map.of("x", Tensor.zeros(DataType.FLOAT32, new int[] {B * K}))));
        assertEquals("input 'x': expected rank 2 [batch, 4], got shape [12]", rank.getMessage());
        IllegalArgumentException dim = assertThrows(IllegalArgumentException.class,
                () -> ex.run(Map.of("x", Tensor.zeros(DataType.FLOAT32, new int[] {B, K + 1}))));
        assertEquals("input 'x': expected shape [batch, 4], got [3, 5] (dimension 1 must be 4)", dim.getMessage());
        // The symbolic batch dimension accepts any size.
        assertArrayEquals(new int[] {7, N},
                ex.run(Map.of("x", Tensor.zeros(DataType.FLOAT32, new int[] {7, K})), List.of("y")).get("y").shape());
    }

    @Test
    void intermediatesAreReleasedAfterTheirLastConsumer() {
        // x -> a=Abs(x) -> b=Neg(a) -> c=Add(b, x) -> d=Relu(c); a is dead after b, b after c.
        Model m = new Graphs().input("x", DataType.FLOAT32, 2)
                .node("na", "Abs", List.of("x"), List.of("a"))
                .node("nb", "Neg", List.of("a"), List.of("b"))
                .node("nc", "Add", List.of("b", "x"), List.of("c"))
                .node("nd", "Relu", List.of("c"), List.of("d"))
                .output("d").model();
        Executor ex = Executor.builder(m).threads(1).build();
        List<Set<String>> live = new ArrayList<>();
        Map<String, Tensor> out = ex.run(Map.of("x", Tensor.ofFloats(new int[] {2}, new float[] {-1, 2})),
                List.of("d"), names -> live.add(new HashSet<>(names)));
        assertEquals(List.of(Set.of("x", "a"), Set.of("x", "b"), Set.of("c"), Set.of("d")), live);
        assertArrayEquals(new float[] {0, 0}, out.get("d").floats());
    }

    @Test
    void runsOnlyWhatRequestedOutputsNeed() {
        Model m = new Graphs().input("x", DataType.FLOAT32, 2)
                .node("na", "Abs", List.of("x"), List.of("a"))
                .node("nb", "Neg", List.of("a"), List.of("b"))
                .output("b").model();
        List<String> ran = new ArrayList<>();
        Executor ex = Executor.builder(m).threads(1).listener(new ExecutionListener() {
            @Override
            public void beforeNode(NodeContext node, List<Tensor> inputs) {
                ran.add(node.name());
            }
        }).build();
        Map<String, Tensor> out = ex.run(Map.of("x", Tensor.ofFloats(new int[] {2}, new float[] {-1, 2})), List.of("a"));
        assertEquals(List.of("na"), ran);
        assertArrayEquals(new float[] {1, 2}, out.get("a").floats());
        assertFalse(out.containsKey("b"));
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> ex.run(Map.of("x", Tensor.zeros(DataType.FLOAT32, new int[] {2})), List.of("nope")));
        assertTrue(e.getMessage().contains("'nope'"), e.getMessage());
    }

    @Test
    void opFailuresNameTheNode() {
        Model m = new Graphs().input("x", DataType.FLOAT32, 2).input("y", DataType.FLOAT32, 3)
                .node("adder", "Add", List.of("x", "y"), List.of("z"))
                .output("z").model();
        NodeExecutionException e = assertThrows(NodeExecutionException.class, () -> new Executor(m).run(Map.of(
                "x", Tensor.zeros(DataType.FLOAT32, new int[] {2}), "y", Tensor.zeros(DataType.FLOAT32, new int[] {3}))));
        assertTrue(e.getMessage().startsWith("node 'adder' (Add, #0): "), e.getMessage());
        assertTrue(e.getMessage().contains("[2] [3]"), e.getMessage());
    }
}
