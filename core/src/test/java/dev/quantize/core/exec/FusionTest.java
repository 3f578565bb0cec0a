package dev.quantize.core.exec;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.quantize.core.data.Batch;
import dev.quantize.core.data.BatchReader;
import dev.quantize.core.data.NpyDataset;
import dev.quantize.core.exec.ops.FusedOps;
import dev.quantize.core.graph.Model;
import dev.quantize.core.graph.Node;
import dev.quantize.core.onnx.OnnxReader;
import dev.quantize.core.tensor.Tensor;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

/** Fused LayerNorm and GELU against the nodes they replace: bit for bit. */
class FusionTest {
    private static Model mlp() throws Exception {
        return OnnxReader.read(ModelParityTest.shared().resolve("models/mlp_tabular/model.onnx"));
    }

    private static void assertBitIdentical(Tensor want, Tensor got, String what) {
        assertArrayEquals(want.shape(), got.shape(), what);
        float[] w = want.floats();
        float[] g = got.floats();
        for (int i = 0; i < w.length; i++) {
            assertEquals(Float.floatToRawIntBits(w[i]), Float.floatToRawIntBits(g[i]),
                    what + " element " + i + ": unfused " + w[i] + ", fused " + g[i]);
        }
    }

    @Test
    void mlpTabularFusesEveryLayerNormAndGelu() throws Exception {
        Executor fused = Executor.builder(mlp()).threads(2).build();
        List<String> ops = fused.executionOrder().stream().map(Node::opType).toList();
        assertEquals(2, ops.stream().filter(FusedOps.LAYER_NORM::equals).count(), ops.toString());
        assertEquals(2, ops.stream().filter(FusedOps.GELU::equals).count(), ops.toString());
        assertTrue(ops.stream().noneMatch(o -> o.equals("Erf") || o.equals("ReduceMean") || o.equals("Sqrt")), ops.toString());
    }

    @Test
    void fusedEqualsUnfusedOnEvalData() throws Exception {
        Model model = mlp();
        Executor fused = Executor.builder(model).threads(2).build();
        Executor plain = Executor.builder(model).threads(2).fuse(false).build();
        // Every value the fused plan still produces: the layer outputs feeding the Gemms and the logits.
        List<String> seen = new ArrayList<>();
        fused.addListener(new ExecutionListener() {
            @Override
            public void afterNode(NodeContext node, List<Tensor> inputs, List<Tensor> outputs) {
                seen.add(node.node().outputs().get(0));
            }
        });
        Path eval = ModelParityTest.shared().resolve("models/mlp_tabular/eval");
        try (NpyDataset data = NpyDataset.open(eval); BatchReader in = data.batches(1000)) {
            Batch b = in.next().withoutLabels();
            Map<String, Tensor> f = fused.run(b.columns());
            List<String> names = List.copyOf(seen);
            Map<String, Tensor> want = plain.run(b.columns(), names);
            Map<String, Tensor> got = fused.run(b.columns(), names);
            for (String name : names) {
                assertBitIdentical(want.get(name), got.get(name), name);
            }
            assertBitIdentical(want.get("logits"), f.get("logits"), "logits");
        }
    }

    @Test
    void fusedEqualsUnfusedOnRandomInputsOfAnyBatch() throws Exception {
        Model model = mlp();
        Executor fused = Executor.builder(model).threads(2).build();
        Executor plain = Executor.builder(model).threads(1).fuse(false).build();
        SplittableRandom r = new SplittableRandom(42);
        for (int rows : new int[] {1, 3, 64, 257}) {
            float[] x = new float[rows * 64];
            for (int i = 0; i < x.length; i++) {
                // Wide range, with exact zeros and large values so erf saturates and LayerNorm sees outliers.
                x[i] = i % 17 == 0 ? 0f : (float) (r.nextGaussian() * (i % 5 == 0 ? 40 : 2));
            }
            Map<String, Tensor> in = Map.of("features", Tensor.ofFloats(new int[] {rows, 64}, x));
            List<String> values = List.of("/act1/Mul_1_output_0", "/ln1/Add_1_output_0", "/act2/Mul_1_output_0",
                    "/ln2/Add_1_output_0", "logits");
            Map<String, Tensor> want = plain.run(in, values);
            Map<String, Tensor> got = fused.run(in, values);
            for (String v : values) {
                assertBitIdentical(want.get(v), got.get(v), rows + " rows, " + v);
            }
        }
    }

    @Test
    void askingForAValueInsideAFusedPatternRunsTheOriginalNodes() throws Exception {
        Model model = mlp();
        Executor fused = Executor.builder(model).threads(1).build();
        Executor plain = Executor.builder(model).threads(1).fuse(false).build();
        SplittableRandom r = new SplittableRandom(7);
        float[] x = new float[5 * 64];
        for (int i = 0; i < x.length; i++) {
            x[i] = (float) r.nextGaussian();
        }
        Map<String, Tensor> in = Map.of("features", Tensor.ofFloats(new int[] {5, 64}, x));
        List<String> inner = List.of("/act1/Erf_output_0", "/ln1/Sqrt_output_0", "logits");
        Map<String, Tensor> want = plain.run(in, inner);
        Map<String, Tensor> got = fused.run(in, inner);
        for (String v : inner) {
            assertBitIdentical(want.get(v), got.get(v), v);
        }
    }

    @Test
    void dlrmHookFreeRunsFuseGemmReluAndTheInteractionBitIdentically() throws Exception {
        Model model = OnnxReader.read(ModelParityTest.shared().resolve("models/dlrm_small/model.onnx"));
        Executor fused = Executor.builder(model).threads(2).build();
        Executor plain = Executor.builder(model).threads(1).fuse(false).build();
        Path eval = ModelParityTest.shared().resolve("models/dlrm_small/eval");
        // Batch sizes around the pairwise kernel's 16-row blocks, and 1 (where MatMul uses the GEMM kernel).
        for (int rows : new int[] {1, 2, 17, 1000}) {
            try (NpyDataset data = NpyDataset.open(eval); BatchReader in = data.batches(rows)) {
                Map<String, Tensor> cols = in.next().withoutLabels().columns();
                OpTimer timer = new OpTimer(); // accepts hidden nodes, so the hook-free plan runs
                fused.addListener(timer);
                Tensor got = fused.run(cols).get("prob");
                fused.removeListener(timer);
                List<String> ops = timer.byOpType().stream().map(OpTimer.Entry::opType).toList();
                assertTrue(ops.contains(FusedOps.GEMM_RELU) && ops.contains(FusedOps.PAIRWISE_DOTS)
                        && !ops.contains("Relu") && !ops.contains("MatMul"), ops.toString());
                assertBitIdentical(plain.run(cols).get("prob"), got, rows + " rows, prob");
                // The interaction's output (a value inside no fused pattern) matches too.
                String inter = "/interaction/Gather_output_0";
                assertBitIdentical(plain.run(cols, List.of(inter)).get(inter), fused.run(cols, List.of(inter)).get(inter),
                        rows + " rows, " + inter);
            }
        }
    }

    @Test
    void hooksSeeTheGemmAndReluNodes() throws Exception {
        Model model = OnnxReader.read(ModelParityTest.shared().resolve("models/dlrm_small/model.onnx"));
        Executor ex = Executor.builder(model).threads(1).build();
        List<String> seen = new ArrayList<>();
        ex.addListener(new ExecutionListener() {
            @Override
            public void afterNode(NodeContext node, List<Tensor> inputs, List<Tensor> outputs) {
                seen.add(node.opType());
            }
        });
        try (NpyDataset data = NpyDataset.open(ModelParityTest.shared().resolve("models/dlrm_small/eval"));
             BatchReader in = data.batches(8)) {
            ex.run(in.next().withoutLabels().columns());
        }
        assertEquals(6, seen.stream().filter("Gemm"::equals).count(), seen.toString());
        assertEquals(5, seen.stream().filter("Relu"::equals).count(), seen.toString());
        assertEquals(1, seen.stream().filter("MatMul"::equals).count(), seen.toString());
    }
}
