package dev.quantize.quantizer.export;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.quantize.calibration.CalibrationConfig;
import dev.quantize.calibration.CalibrationRunner;
import dev.quantize.calibration.CalibrationStats;
import dev.quantize.calibration.Method;
import dev.quantize.core.data.Dataset;
import dev.quantize.core.data.Datasets;
import dev.quantize.core.graph.Dim;
import dev.quantize.core.graph.Graph;
import dev.quantize.core.graph.Model;
import dev.quantize.core.graph.Node;
import dev.quantize.core.graph.ValueInfo;
import dev.quantize.core.onnx.OnnxReader;
import dev.quantize.core.onnx.OnnxWriter;
import dev.quantize.core.oracle.OnnxRuntimeOracle;
import dev.quantize.core.tensor.DataType;
import dev.quantize.core.tensor.Tensor;
import dev.quantize.quantizer.artifact.Artifact;
import dev.quantize.quantizer.artifact.ArtifactWriter;
import dev.quantize.quantizer.job.QuantizeJob;
import dev.quantize.quantizer.plan.ActivationRange;
import dev.quantize.quantizer.plan.LayerPlan;
import dev.quantize.quantizer.plan.QuantPlan;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** The acceptance of issue 8 on the two shared models: INT8, FP8 and MX plans exported and run in ONNX Runtime. */
class SharedModelExportTest {
    /** One probe for the whole class: ORT sessions take a moment to create. */
    static final OrtProbe.Cache PROBE = new OrtProbe.Cache();

    @TempDir
    Path tmp;

    static Path modelDir(String name) {
        String p = System.getProperty("quantize.shared");
        Path root = p != null ? Path.of(p) : Path.of("..", "..", "shared");
        Path dir = root.resolve("models").resolve(name);
        Assumptions.assumeTrue(Files.isRegularFile(dir.resolve("model.onnx")), "shared model " + dir + " not found; skipping");
        return dir;
    }

    static Map<String, ActivationRange> ranges(Model model, Path dir) {
        try (Dataset calib = Datasets.open(dir.resolve("calib"))) {
            CalibrationStats s = CalibrationRunner.run(model, calib,
                    CalibrationConfig.defaults().withBatchSize(256).withMaxRows(256).withWeights(false));
            return QuantizeJob.activationRanges(model, s, Method.MIN_MAX);
        }
    }

    /** Writes the plan's artifact, exports it, checks the file reads back and agrees with the emulation in ORT. */
    private ExportResult exportAndCheck(Path dir, String label, QuantPlan plan) throws IOException {
        Path art = tmp.resolve(label + ".qart");
        ArtifactWriter.write(art, dir.resolve("model.onnx"), plan, null, null, "test");
        try (Artifact a = Artifact.open(art)) {
            ExportResult r = QdqExporter.export(a, new QdqExporter.Options(null, PROBE));
            Path onnx = tmp.resolve(label + ".qdq.onnx");
            OnnxWriter.write(r.model(), onnx);
            Model back = OnnxReader.read(onnx);
            assertEquals(r.model().graph().nodes().size(), back.graph().nodes().size());
            assertEquals(r.model().metadata().get(ExportResult.FP32_KEY), back.metadata().get(ExportResult.FP32_KEY));
            List<ExportCheck.OutputDiff> diffs;
            try (Dataset eval = Datasets.open(dir.resolve("eval"))) {
                diffs = ExportCheck.compare(onnx, a.emulationModel(), a.plan(), eval, 1024, 256, 2);
            }
            for (ExportCheck.OutputDiff d : diffs) {
                System.out.printf("%s %s: output %s max|diff| %.3g (tolerance %.3g, max|y| %.3g), %d of %d over%n",
                        dir.getFileName(), label, d.output(), d.maxAbsDiff(), d.tolerance(), d.maxAbsOutput(), d.overTolerance(), d.elements());
                assertTrue(d.passes(), label + ": " + d);
            }
            assertEquals(1, diffs.size());
            return r;
        }
    }

    @ParameterizedTest
    @ValueSource(strings = {"dlrm_small", "mlp_tabular"})
    void int8PlanRunsInOrtAndAgreesWithEmulation(String name) throws IOException {
        Path dir = modelDir(name);
        Model model = OnnxReader.read(dir.resolve("model.onnx"));
        QuantPlan plan = QuantPlan.uniform(model, "int8_per_channel", "int8_per_tensor", ranges(model, dir));
        ExportResult r = exportAndCheck(dir, "int8", plan);
        assertEquals(13L, r.model().opset(), "INT8 needs no more than the model's opset 13");
        // Embedding tables per channel and every matmul input with a calibrated range have their forms.
        assertTrue(r.fallbacks().isEmpty(), r.fallbacks().toString());
        long qdq = r.model().graph().nodes().stream().filter(n -> n.opType().equals("QuantizeLinear")).count();
        long activations = plan.layers().stream().filter(l -> !l.activationFormat().equals(LayerPlan.FP32))
                .mapToLong(l -> l.role() == dev.quantize.core.graph.ModelSummary.Role.ACTIVATIONS_ONLY ? 2 : 1).sum();
        assertEquals(activations, qdq);
    }

    @ParameterizedTest
    @ValueSource(strings = {"dlrm_small", "mlp_tabular"})
    void fp8PlanRunsInOrtAndAgreesWithEmulation(String name) throws IOException {
        Path dir = modelDir(name);
        Model model = OnnxReader.read(dir.resolve("model.onnx"));
        QuantPlan plan = QuantPlan.uniform(model, "fp8_e4m3", "fp8_e4m3", ranges(model, dir));
        ExportResult r = exportAndCheck(dir, "fp8", plan);
        assertEquals(19L, r.model().opset());
        assertTrue(r.fallbacks().isEmpty(), r.fallbacks().toString());
    }

    @ParameterizedTest
    @ValueSource(strings = {"dlrm_small", "mlp_tabular"})
    void mxWeightOnlyPlansAreExactAtTheWeights(String name) throws IOException {
        Path dir = modelDir(name);
        Model model = OnnxReader.read(dir.resolve("model.onnx"));
        for (String f : List.of("mxfp8_e4m3", "mxfp4_e2m1", "mxint8")) {
            QuantPlan plan = QuantPlan.uniform(model, f, "fp32", Map.of());
            ExportResult r = exportAndCheck(dir, f, plan);
            assertEquals(21L, r.model().opset());
            assertTrue(r.fallbacks().isEmpty(), r.fallbacks().toString());
            try (Artifact a = Artifact.open(tmp.resolve(f + ".qart"))) {
                assertWeightsExact(r.model(), a, f);
            }
        }
    }

    /** Runs only the weights' DequantizeLinear nodes in ORT and compares their outputs with the artifact's values bit for bit. */
    private void assertWeightsExact(Model exported, Artifact a, String label) throws IOException {
        Graph g = exported.graph();
        List<Node> dq = new ArrayList<>();
        List<ValueInfo> outs = new ArrayList<>();
        Map<String, Tensor> inits = new LinkedHashMap<>();
        Map<String, String> weightOf = new LinkedHashMap<>();
        for (Node n : g.nodes()) {
            if (n.opType().equals("DequantizeLinear") && g.initializers().containsKey(n.input(0))) {
                dq.add(n);
                outs.add(new ValueInfo(n.outputs().get(0), DataType.FLOAT32, null));
                for (String in : n.inputs()) {
                    inits.put(in, g.initializers().get(in));
                }
                weightOf.put(n.outputs().get(0), n.outputs().get(0).replaceFirst("_dequantized$", ""));
            }
        }
        assertTrue(!dq.isEmpty(), label + ": no weight DequantizeLinear nodes");
        ValueInfo x = new ValueInfo("unused", DataType.FLOAT32, List.of(Dim.of(1)));
        Model weightsOnly = new Model(exported.irVersion(), exported.opsets(), "test", "",
                new Graph("weights", dq, List.of(x), outs, inits, List.of()), Map.of());
        Path file = tmp.resolve(label + ".weights.onnx");
        OnnxWriter.write(weightsOnly, file);
        try (OnnxRuntimeOracle ort = OnnxRuntimeOracle.open(file, 1)) {
            Map<String, Tensor> got = ort.run(Map.of("unused", Tensor.ofFloats(new int[] {1}, new float[] {0})));
            long checked = 0;
            for (Map.Entry<String, String> e : weightOf.entrySet()) {
                float[] want = a.value(e.getValue()).floats();
                float[] have = got.get(e.getKey()).floats();
                assertEquals(want.length, have.length, e.getValue());
                for (int i = 0; i < want.length; i++) {
                    if (Float.floatToIntBits(want[i]) != Float.floatToIntBits(have[i])) {
                        throw new AssertionError(label + ": weight " + e.getValue() + "[" + i + "]: ORT " + have[i] + ", emulation " + want[i]);
                    }
                }
                checked += want.length;
            }
            System.out.println(label + ": " + checked + " weight values of " + weightOf.size() + " tensors equal bit for bit in ORT");
        }
    }
}
