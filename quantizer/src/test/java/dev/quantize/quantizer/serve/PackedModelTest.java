package dev.quantize.quantizer.serve;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.quantize.core.data.BatchReader;
import dev.quantize.core.data.Dataset;
import dev.quantize.core.data.DatasetBinding;
import dev.quantize.core.data.Datasets;
import dev.quantize.core.exec.Executor;
import dev.quantize.core.graph.Model;
import dev.quantize.core.graph.ModelSummary;
import dev.quantize.core.graph.Node;
import dev.quantize.core.graph.ValueInfo;
import dev.quantize.core.kernel.Parallelism;
import dev.quantize.core.onnx.OnnxReader;
import dev.quantize.core.tensor.Tensor;
import dev.quantize.quantizer.SharedData;
import dev.quantize.quantizer.artifact.Artifact;
import dev.quantize.quantizer.artifact.ArtifactWriter;
import dev.quantize.quantizer.emulate.PlanInterceptor;
import dev.quantize.quantizer.plan.ActivationRange;
import dev.quantize.quantizer.plan.LayerPlan;
import dev.quantize.quantizer.plan.QuantPlan;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Packed execution of artifacts of the shared models against the emulated path, output by output. */
class PackedModelTest {
    @TempDir
    Path tmp;

    /** A calibrated-looking range per layer, different for each layer. */
    static Map<String, ActivationRange> ranges(Model model) {
        Map<String, ActivationRange> out = new LinkedHashMap<>();
        int i = 0;
        for (ModelSummary.QuantizableNode q : ModelSummary.of(model).quantizable()) {
            out.put(q.node(), new ActivationRange(-1.5f - i, 3.25f + 2 * i));
            i++;
        }
        return out;
    }

    static Map<String, Tensor> rows(Path data, Model model, int from, int rows) {
        try (Dataset ds = Datasets.open(data); BatchReader r = ds.batches(rows)) {
            for (int i = 0; i < from; i++) {
                r.next();
            }
            return DatasetBinding.bind(ds, model.graph().runtimeInputs()).feed(r.next());
        }
    }

    /** The emulated outputs (artifact's emulation model + activation interceptor) of one batch. */
    static Map<String, Tensor> emulated(Artifact a, Map<String, Tensor> in, Parallelism par) {
        Model m = a.emulationModel();
        return Executor.builder(m).parallelism(par).interceptor(new PlanInterceptor(m, a.plan(), par, false)).build().run(in);
    }

    /** Writes the plan's artifact and returns it. */
    Path artifact(Path dir, String label, QuantPlan plan) throws IOException {
        byte[] bytes = Files.readAllBytes(dir.resolve("model.onnx"));
        Model model = OnnxReader.read(bytes, "model.onnx", dir);
        Path out = tmp.resolve(label + ".qz");
        ArtifactWriter.write(out, model, bytes, "model.onnx", plan, null, null, "test");
        return out;
    }

    /** Packed and emulated outputs equal bit for bit, at batch sizes 1, 7, 17, 33 and 257 and 1 or 2 threads. */
    void assertBitExact(Path dir, Path data, String label, QuantPlan plan) throws IOException {
        Path file = artifact(dir, label, plan);
        try (PackedModel pm = PackedModel.open(file, true)) {
            Model model = pm.artifact().strippedModel();
            for (int threads : new int[] {1, 2}) {
                Parallelism par = Parallelism.of(threads);
                Executor packed = pm.executor().parallelism(par).build();
                for (int batch : new int[] {1, 7, 17, 33, 257}) {
                    Map<String, Tensor> in = rows(data, model, 1, batch);
                    Map<String, Tensor> want = emulated(pm.artifact(), in, par);
                    Map<String, Tensor> got = packed.run(in);
                    for (ValueInfo o : model.graph().outputs()) {
                        float[] w = want.get(o.name()).floats();
                        float[] g = got.get(o.name()).floats();
                        assertEquals(w.length, g.length);
                        for (int i = 0; i < w.length; i++) {
                            assertEquals(Float.floatToIntBits(w[i]), Float.floatToIntBits(g[i]),
                                    label + " batch " + batch + " threads " + threads + " " + o.name() + "[" + i + "]");
                        }
                    }
                }
            }
        }
    }

    static QuantPlan tables(QuantPlan plan, List<String> formats) {
        int i = 0;
        for (LayerPlan l : plan.layers()) {
            if (l.role() == ModelSummary.Role.EMBEDDING) {
                plan = plan.with(l.withWeightFormat(formats.get(i++ % formats.size())));
            }
        }
        return plan;
    }

    @Test
    void dlrmRowwiseTablesRunPackedAndMatchEmulationBitForBit() throws IOException {
        Path dir = SharedData.root().resolve("models/dlrm_small");
        Model model = OnnxReader.read(dir.resolve("model.onnx"));
        QuantPlan weightOnly = tables(QuantPlan.uniform(model, "mxfp8_e4m3", "fp32", Map.of()),
                List.of("rowwise_8bit", "rowwise_4bit", "rowwise_2bit"));
        assertBitExact(dir, dir.resolve("eval"), "rowwise-mxfp8", weightOnly);
        QuantPlan withActivations = tables(QuantPlan.uniform(model, "int4_per_group", "mxfp6_e2m3", Map.of()),
                List.of("rowwise_4bit", "fp16", "rowwise_8bit", "mxfp6_e2m3"));
        assertBitExact(dir, dir.resolve("eval"), "rowwise-mixed-activations", withActivations);
    }

    @Test
    void mlpWeightOnlyFormatsMatchEmulationBitForBit() throws IOException {
        Path dir = SharedData.root().resolve("models/mlp_tabular");
        Model model = OnnxReader.read(dir.resolve("model.onnx"));
        for (String f : List.of("int4_per_group", "mxint8", "mxfp8_e4m3", "mxfp6_e2m3", "mxfp4_e2m1", "mx9", "mx6", "mx4",
                "fp16", "bf16")) {
            assertBitExact(dir, dir.resolve("eval"), f, QuantPlan.uniform(model, f, "fp32", Map.of()));
        }
        assertBitExact(dir, dir.resolve("eval"), "mxfp4-activations", QuantPlan.uniform(model, "mxfp4_e2m1", "mxfp4_e2m1", Map.of()));
    }

    @Test
    void embeddingBagsBecomeOnePackedNodeUnderTheGathersName() throws IOException {
        Path dir = SharedData.root().resolve("models/dlrm_small");
        Model model = OnnxReader.read(dir.resolve("model.onnx"));
        Path file = artifact(dir, "rowwise8", QuantPlan.uniform(model, "rowwise_8bit", "fp32", Map.of()));
        try (PackedModel pm = PackedModel.open(file, false)) {
            Map<String, Node> nodes = pm.model().graph().nodesByDisplayName();
            Node bag = nodes.get("/emb_bags.1/emb/Gather");
            assertEquals("PackedEmbeddingBag", bag.opType());
            assertEquals(List.of("cat_1"), bag.inputs());
            assertEquals(List.of("/emb_bags.1/ReduceSum_output_0"), bag.outputs());
            assertFalse(nodes.containsKey("/emb_bags.1/ReduceSum"));
            assertFalse(pm.model().graph().initializers().containsKey("emb_bags.1.emb.weight"), "no FP32 table");
            assertEquals("row-wise embedding bag (packed, mapped)", pm.kernels().get("/emb_bags.1/emb/Gather"));
            assertTrue(pm.kernels().size() >= 8);
        }
    }
}
