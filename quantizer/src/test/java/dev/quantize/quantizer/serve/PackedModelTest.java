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
import dev.quantize.core.kernel.lowp.Int8Gemm;
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

    /**
     * Every INT8 layer against the emulated layer on the inputs the emulation gives it: the packed
     * kernel's output (integer accumulation, one rounding in the epilogue) differs from the FP32 GEMM of
     * the fake-quantized operands by at most (K + 10) * 2^-24 * (sum_k |x'[k] w'[k,n]| + |bias[n]|),
     * the bound Int8Gemm states. Returns the number of outputs checked.
     */
    long assertInt8LayersWithinBound(Path dir, Path data, String label, QuantPlan plan, int rows) throws IOException {
        Path file = artifact(dir, label, plan);
        long checked = 0;
        try (PackedModel pm = PackedModel.open(file, true)) {
            Artifact a = pm.artifact();
            Model m = a.emulationModel();
            Map<String, Tensor> raw = new java.util.HashMap<>();
            Map<String, List<Tensor>> quantized = new java.util.HashMap<>();
            Map<String, Tensor> outputs = new java.util.HashMap<>();
            Parallelism par = Parallelism.of(2);
            Executor emu = Executor.builder(m).parallelism(par)
                    .interceptor((ctx, in) -> {
                        if (!in.isEmpty()) {
                            raw.put(ctx.name(), in.get(0));
                        }
                        return in;
                    })
                    .interceptor(new PlanInterceptor(m, a.plan(), par, false))
                    .listener(new dev.quantize.core.exec.ExecutionListener() {
                        @Override
                        public void afterNode(dev.quantize.core.exec.NodeContext ctx, List<Tensor> in, List<Tensor> out) {
                            if (!in.isEmpty()) {
                                quantized.put(ctx.name(), in);
                                outputs.put(ctx.name(), out.get(0));
                            }
                        }
                    }).build();
            emu.run(rows(data, a.strippedModel(), 0, rows));
            for (LayerPlan l : plan.layers()) {
                PackedOps.Int8 layer = pm.ops().int8(l.node());
                if (layer == null) {
                    continue;
                }
                float[] x = raw.get(l.node()).floats();
                int k = layer.weights().k();
                int n = layer.weights().n();
                int rowsIn = x.length / k;
                float[] got = new float[rowsIn * n];
                dev.quantize.core.kernel.lowp.Int8Gemm.run(layer.weights(), x, rowsIn, layer.activation(), layer.bias(),
                        false, got, par);
                float[] xq = quantized.get(l.node()).get(0).floats();
                Tensor wq = quantized.get(l.node()).get(1);
                boolean transB = m.graph().nodesByDisplayName().get(l.node()).intAttr("transB", 0) != 0;
                float[] w = wq.floats();
                float[] want = outputs.get(l.node()).floats();
                for (int i = 0; i < rowsIn; i++) {
                    for (int j = 0; j < n; j++) {
                        double mag = layer.bias() == null ? 0 : Math.abs(layer.bias()[j]);
                        for (int p = 0; p < k; p++) {
                            mag += Math.abs((double) xq[i * k + p] * w[transB ? j * k + p : p * n + j]);
                        }
                        double bound = (k + 10) * Math.scalb(1.0, -24) * mag;
                        double diff = Math.abs((double) got[i * n + j] - want[i * n + j]);
                        assertTrue(diff <= bound, label + " " + l.node() + " [" + i + "," + j + "]: |" + got[i * n + j]
                                + " - " + want[i * n + j] + "| = " + diff + " > " + bound);
                        checked++;
                    }
                }
            }
        }
        return checked;
    }

    @Test
    void int8LayersStayWithinTheStatedBoundOfEmulation() throws IOException {
        Path dir = SharedData.root().resolve("models/dlrm_small");
        Model model = OnnxReader.read(dir.resolve("model.onnx"));
        QuantPlan dlrm = QuantPlan.uniform(model, "rowwise_8bit", "fp32", Map.of()).map(l ->
                l.role() == ModelSummary.Role.WEIGHTS_AND_ACTIVATIONS
                        ? l.withWeightFormat("int8_per_channel").withActivationFormat("int8_per_tensor")
                        .withActivationRange(new ActivationRange(-8f, 8f)) : l);
        // 6 layers of DLRM over 1024 rows: 64+32+16+64+32+1 outputs per row.
        assertEquals(1024L * (64 + 32 + 16 + 64 + 32 + 1), assertInt8LayersWithinBound(dir, dir.resolve("eval"), "dlrm-int8", dlrm, 1024));
        Path mdir = SharedData.root().resolve("models/mlp_tabular");
        Model mlp = OnnxReader.read(mdir.resolve("model.onnx"));
        for (String act : List.of("int8_per_tensor", "int8_per_tensor_affine")) {
            long n = assertInt8LayersWithinBound(mdir, mdir.resolve("eval"), "mlp-" + act,
                    QuantPlan.uniform(mlp, "int8_per_channel", act, ranges(mlp)), 257);
            assertTrue(n > 257L * 10, "every INT8 layer of the MLP was checked: " + n);
        }
    }

    /**
     * mlp_tabular's fc2 and head read GELU then LayerNorm: packed, that chain is the INT8 GEMM's
     * prologue. On the emulation's own input to the chain (fc1's / fc2's float output), the prologue with
     * every step as the executor computes it gives exactly the codes the emulation quantizes the layer's
     * input to; the served prologue (the cheap GELU, within GeluCodes.MAX_ERROR, before the LayerNorm)
     * differs from them by at most one code, on a small measured share. Whole-model outputs at batch 1,
     * 7, 17, 33 and 257 stay within a bound of the emulation's.
     */
    @Test
    void mlpPrologueLayersQuantizeAsTheEmulationDoes() throws IOException {
        Path dir = SharedData.root().resolve("models/mlp_tabular");
        prologueLayersQuantizeAsTheEmulationDoes(dir, dir.resolve("eval"), true);
    }

    /** The sample MLP reads an ONNX LayerNormalization then GELU: prologue bit for bit, GELU straight to codes. */
    @Test
    void sampleMlpPrologueLayersQuantizeAsTheEmulationDoes() throws IOException {
        Path dir = Path.of("..", "samples", "data", "mlp").toAbsolutePath().normalize();
        org.junit.jupiter.api.Assumptions.assumeTrue(Files.isDirectory(dir), "samples not found at " + dir);
        prologueLayersQuantizeAsTheEmulationDoes(dir, dir.resolve("eval.arrow"), false);
    }

    private void prologueLayersQuantizeAsTheEmulationDoes(Path dir, Path data, boolean cheapGelu) throws IOException {
        Model mlp = OnnxReader.read(dir.resolve("model.onnx"));
        for (String act : List.of("int8_per_tensor", "int8_per_tensor_affine")) {
            QuantPlan plan = QuantPlan.uniform(mlp, "int8_per_channel", act, ranges(mlp));
            Path file = artifact(dir, "mlp-prologue-" + act, plan);
            try (PackedModel pm = PackedModel.open(file, true)) {
                Artifact a = pm.artifact();
                Model m = a.emulationModel();
                Map<String, Tensor> values = new java.util.HashMap<>();
                Map<String, Tensor> quantizedInput = new java.util.HashMap<>();
                Parallelism par = Parallelism.of(2);
                Executor emu = Executor.builder(m).parallelism(par)
                        .interceptor(new PlanInterceptor(m, a.plan(), par, false))
                        .listener(new dev.quantize.core.exec.ExecutionListener() {
                            @Override
                            public void afterNode(dev.quantize.core.exec.NodeContext ctx, List<Tensor> in, List<Tensor> out) {
                                for (int i = 0; i < out.size(); i++) {
                                    values.put(ctx.node().outputs().get(i), out.get(i));
                                }
                                if (!in.isEmpty()) {
                                    quantizedInput.put(ctx.name(), in.get(0));
                                }
                            }
                        }).build();
                int rows = 512;
                emu.run(rows(data, a.strippedModel(), 0, rows));
                int prologues = 0;
                long codes = 0;
                long differing = 0;
                for (LayerPlan l : plan.layers()) {
                    PackedOps.Int8 layer = pm.ops().int8(l.node());
                    if (layer == null || layer.prologue() == null) {
                        continue;
                    }
                    prologues++;
                    assertEquals("int8 GEMM with the LayerNorm/GELU before it fused in, per row block", pm.kernels().get(l.node()));
                    String chainInput = pm.model().graph().nodesByDisplayName().get(l.node()).input(0);
                    float[] x = values.get(chainInput).floats();
                    int k = layer.weights().k();
                    Int8Gemm.Activation q = layer.activation();
                    float[] want = quantizedInput.get(l.node()).floats(); // (code - zp) * scale, as emulated
                    Int8Gemm.Prologue served = layer.prologue();
                    List<Int8Gemm.Step> exactSteps = served.steps().stream().map(st -> st instanceof Int8Gemm.GeluStep g
                            ? (Int8Gemm.Step) new Int8Gemm.GeluStep(g.divisor(), false) : st).toList();
                    assertEquals(cheapGelu, served.steps().stream().anyMatch(st -> st instanceof Int8Gemm.GeluStep g && g.cheap()),
                            "a GELU before a LayerNorm is the cheap one: " + served.steps());
                    assertEquals(!cheapGelu, served.codes() != null, "a GELU just before the layer goes straight to codes");
                    float[] exact = new float[x.length];
                    Int8Gemm.codes(new Int8Gemm.Prologue(exactSteps, served.codes()), q, x, rows, k, exact);
                    float[] got = new float[x.length];
                    Int8Gemm.codes(served, q, x, rows, k, got);
                    for (int i = 0; i < x.length; i++) {
                        float dequantized = (exact[i] - q.zeroPoint()) * q.scale();
                        assertEquals(Float.floatToIntBits(want[i]), Float.floatToIntBits(dequantized),
                                act + " " + l.node() + " element " + i + ": exact prologue code " + exact[i]);
                        assertTrue(Math.abs(got[i] - exact[i]) <= 1f, l.node() + " element " + i + ": " + got[i] + " vs " + exact[i]);
                        differing += got[i] != exact[i] ? 1 : 0;
                    }
                    codes += x.length;
                }
                assertEquals(2, prologues, "the second and last layers take the GELU and LayerNorm before them");
                // Measured: a few codes in 10^5 (elements within ~1e-5 of a step of a rounding boundary);
                // none without the cheap GELU.
                assertTrue(cheapGelu ? differing <= codes / 10_000 : differing == 0, act + ": " + differing + " of " + codes
                        + " codes differ");
                System.out.println(dir.getFileName() + " prologue " + act + ": " + differing + " of " + codes + " codes differ from emulation");

                Model model = pm.artifact().strippedModel();
                for (int threads : new int[] {1, 2}) {
                    Executor packed = pm.executor().parallelism(Parallelism.of(threads)).build();
                    for (int batch : new int[] {1, 7, 17, 33, 257}) {
                        Map<String, Tensor> in = rows(data, model, 1, batch);
                        String out = model.graph().outputs().get(0).name();
                        float[] w = emulated(a, in, Parallelism.of(threads)).get(out).floats();
                        float[] g = packed.run(in).get(out).floats();
                        for (int i = 0; i < w.length; i++) {
                            assertEquals(w[i], g[i], 1e-2 * (1 + Math.abs(w[i])), act + " batch " + batch + " logits[" + i + "]");
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
                "fp16", "bf16", "fp8_e4m3", "int8_per_channel", "int8_per_channel_affine")) {
            assertBitExact(dir, dir.resolve("eval"), f, QuantPlan.uniform(model, f, "fp32", Map.of()));
        }
        assertBitExact(dir, dir.resolve("eval"), "mxfp4-activations", QuantPlan.uniform(model, "mxfp4_e2m1", "mxfp4_e2m1", Map.of()));
        // INT8 activations without a calibrated range are dynamic: float path, weight-only kernel.
        assertBitExact(dir, dir.resolve("eval"), "int8-dynamic", QuantPlan.uniform(model, "int8_per_channel", "int8_per_tensor", Map.of()));
    }

    /** The sample DLRM keeps its bag axes in an initializer, which the artifact stores as a file tensor. */
    @Test
    void sampleDlrmBagsAreFusedAndMatchEmulationBitForBit() throws IOException {
        Path dir = Path.of("..", "samples", "data", "dlrm").toAbsolutePath().normalize();
        org.junit.jupiter.api.Assumptions.assumeTrue(Files.isDirectory(dir), "samples not found at " + dir);
        Model model = OnnxReader.read(dir.resolve("model.onnx"));
        QuantPlan plan = tables(QuantPlan.uniform(model, "mxint8", "fp32", Map.of()), List.of("rowwise_8bit", "rowwise_2bit"));
        assertBitExact(dir, dir.resolve("eval.arrow"), "sample-dlrm", plan);
        try (PackedModel pm = PackedModel.open(artifact(dir, "sample-dlrm-2", plan), false)) {
            assertEquals(8, pm.kernels().values().stream().filter(k -> k.startsWith("row-wise embedding bag")).count(), pm.kernels().toString());
        }
    }

    @Test
    void embeddingBagsBecomeOnePackedNodeUnderTheGathersName() throws IOException {
        Path dir = SharedData.root().resolve("models/dlrm_small");
        Model model = OnnxReader.read(dir.resolve("model.onnx"));
        QuantPlan plan = tables(QuantPlan.uniform(model, "mxfp6_e2m3", "fp32", Map.of()), List.of("rowwise_8bit"));
        Path file = artifact(dir, "rowwise8", plan);
        try (PackedModel pm = PackedModel.open(file, false)) {
            Map<String, Node> nodes = pm.model().graph().nodesByDisplayName();
            Node bag = nodes.get("/emb_bags.1/emb/Gather");
            assertEquals("PackedEmbeddingBag", bag.opType());
            assertEquals(List.of("cat_1"), bag.inputs());
            assertEquals(List.of("/emb_bags.1/ReduceSum_output_0"), bag.outputs());
            assertFalse(nodes.containsKey("/emb_bags.1/ReduceSum"));
            assertFalse(pm.model().graph().initializers().containsKey("emb_bags.1.emb.weight"), "no FP32 table");
            assertEquals("row-wise embedding bag (packed, mapped)", pm.kernels().get("/emb_bags.1/emb/Gather"));
            assertEquals("weight-only GEMM (panels decoded as consumed)", pm.kernels().get("/top_mlp/top_mlp.0/Gemm"));
            assertFalse(pm.model().graph().initializers().containsKey("top_mlp.0.weight"), "no FP32 weight");
            assertEquals(14, pm.kernels().size());
        }
    }
}
