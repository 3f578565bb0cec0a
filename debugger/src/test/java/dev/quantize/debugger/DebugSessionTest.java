package dev.quantize.debugger;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.quantize.core.data.Batch;
import dev.quantize.core.data.BatchReader;
import dev.quantize.core.data.Dataset;
import dev.quantize.core.data.DatasetBinding;
import dev.quantize.core.data.Datasets;
import dev.quantize.core.exec.Executor;
import dev.quantize.core.graph.Model;
import dev.quantize.core.kernel.Parallelism;
import dev.quantize.core.metrics.ErrorStats;
import dev.quantize.core.onnx.OnnxReader;
import dev.quantize.core.tensor.Tensor;
import dev.quantize.quantizer.artifact.Artifact;
import dev.quantize.quantizer.emulate.PlanInterceptor;
import dev.quantize.quantizer.plan.LayerPlan;
import dev.quantize.quantizer.plan.QuantPlan;
import dev.quantize.quantizer.search.Budget;
import dev.quantize.quantizer.search.UniformPlans;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The session API on the embedded MLP sample, checked against executors run directly. */
class DebugSessionTest {
    static final Path SAMPLE = Path.of("..", "samples", "data", "mlp");
    static final Parallelism PAR = Parallelism.single();

    Model model;
    byte[] bytes;
    Dataset data;

    @BeforeEach
    void open() throws Exception {
        Assumptions.assumeTrue(Files.isRegularFile(SAMPLE.resolve("model.onnx")), "embedded sample not found at " + SAMPLE);
        bytes = Files.readAllBytes(SAMPLE.resolve("model.onnx"));
        model = OnnxReader.read(bytes, "model.onnx", SAMPLE);
        data = Datasets.open(SAMPLE.resolve("eval.arrow"));
    }

    @AfterEach
    void close() throws Exception {
        if (data != null) {
            data.close();
        }
    }

    DebugSession session(QuantPlan plan) {
        return new DebugSession(model, plan, false, data, 64, 512, PAR, new DebugSession.Fp32Source(model, bytes, "model.onnx"));
    }

    QuantPlan int8() {
        return UniformPlans.plan(model, "int8_per_tensor", Map.of());
    }

    /** The model output of the first {@code rows} rows, FP32 or under a plan, run without the debugger. */
    float[] direct(QuantPlan plan, int rows) {
        Executor.Builder b = Executor.builder(model).parallelism(PAR);
        if (plan != null) {
            b.interceptor(new PlanInterceptor(model, plan, PAR));
        }
        Executor e = b.build();
        DatasetBinding binding = DatasetBinding.bind(data, model.graph().runtimeInputs());
        List<float[]> parts = new ArrayList<>();
        int n = 0;
        try (BatchReader r = data.batches(64)) {
            while (r.hasNext() && n < rows) {
                Batch batch = r.next();
                parts.add(e.run(binding.feed(batch)).get(model.graph().outputs().get(0).name()).floats());
                n += batch.rows();
            }
        }
        int total = parts.stream().mapToInt(p -> p.length).sum();
        float[] out = new float[total];
        int pos = 0;
        for (float[] p : parts) {
            System.arraycopy(p, 0, out, pos, p.length);
            pos += p.length;
        }
        return out;
    }

    @Test
    void fp32PlanIsExactEverywhere() {
        DebugSession s = session(QuantPlan.fp32(model));
        assertEquals(128, s.run(128).rows());
        Results.Comparison c = s.compare();
        assertEquals(s.layerNames().size(), c.layers().size());
        for (Results.CompareRow r : c.layers()) {
            assertEquals(Double.POSITIVE_INFINITY, r.local().sqnrDb(), r.node());
            assertEquals(0, r.cumulative().maxAbsError(), r.node());
        }
        assertNull(s.diverge(30).node());
    }

    @Test
    void outputErrorMatchesDirectRunsAndFirstLayerLocalEqualsCumulative() {
        DebugSession s = session(int8());
        s.run(128);
        Results.Comparison c = s.compare();
        ErrorStats expected = ErrorStats.of(direct(null, 128), direct(int8(), 128));
        assertEquals(expected.sqnrDb(), c.output().sqnrDb(), 1e-9);
        assertEquals(expected.maxAbsError(), c.output().maxAbsError(), 0);
        // The first layer's input is the model input in both runs: local and cumulative must agree exactly.
        Results.CompareRow first = c.layers().get(0);
        assertEquals(first.local().sqnrDb(), first.cumulative().sqnrDb(), 0);
        assertTrue(first.local().sqnrDb() < 60 && first.local().sqnrDb() > 10, "int8 sqnr " + first.local().sqnrDb());
        // Cumulative error can only match the local one at the first layer; later layers differ.
        assertTrue(c.layers().stream().skip(1).anyMatch(r -> r.local().sqnrDb() != r.cumulative().sqnrDb()));
    }

    @Test
    void editsAreReflectedAndResetRestores() {
        DebugSession s = session(int8());
        s.run(64);
        String last = s.layerNames().get(s.layerNames().size() - 1);
        s.fp32(last);
        assertTrue(s.plan().layer(last).isFp32());
        assertEquals("fp32", s.compare().layers().get(s.layerNames().size() - 1).format());
        s.set(last, "fp16");
        assertEquals("fp16", s.plan().layer(last).weightFormat());
        s.reset();
        assertEquals(int8(), s.plan());
        assertThrows(IllegalArgumentException.class, () -> s.set("no-such-layer", "fp16"));
        assertThrows(IllegalArgumentException.class, () -> s.set(last, "int3_nonsense"));
        assertEquals(int8(), s.plan(), "a failed edit leaves the plan alone");
    }

    @Test
    void bisectMeetsTheBudgetConfirmedByTheEvaluator() {
        DebugSession s = session(UniformPlans.plan(model, "mxfp4_e2m1", Map.of()));
        Budget budget = Budget.parse("sqnr>=35");
        Results.Bisection b = s.bisect(budget);
        double measured = s.evaluator().evaluate(s.plan()).get(budget.metric());
        assertEquals(b.after(), measured, 0);
        assertTrue(b.met());
        assertTrue(budget.met(b.fp32(), measured));
        // Minimal: putting any kept layer back to its quantized format breaks the budget.
        QuantPlan original = UniformPlans.plan(model, "mxfp4_e2m1", Map.of());
        for (String kept : b.keptFp32()) {
            QuantPlan fewer = s.plan().with(original.layer(kept));
            assertFalse(budget.met(b.fp32(), s.evaluator().evaluate(fewer).get(budget.metric())), kept);
        }
    }

    @Test
    void saveWritesPlanAndArtifactThatReopens(@TempDir Path dir) throws Exception {
        DebugSession s = session(int8());
        s.fp32(s.layerNames().get(0));
        Results.Saved saved = s.save(dir.resolve("fixed.qart"), "test");
        assertEquals(s.plan(), QuantPlan.fromJson(Files.readString(Path.of(saved.plan()))));
        try (Artifact a = Artifact.open(Path.of(saved.artifact()))) {
            assertEquals(s.plan(), a.plan());
        }
        Path planOnly = dir.resolve("p.json");
        assertNull(s.save(planOnly, "test").artifact());
        assertEquals(s.plan(), QuantPlan.fromJson(Files.readString(planOnly)));
        DebugSession noSource = new DebugSession(model, int8(), false, data, 64, 512, PAR, null);
        Results.Saved r = noSource.save(dir.resolve("x.qart"), "test");
        assertNull(r.artifact());
        assertFalse(Files.exists(dir.resolve("x.qart")));
        assertTrue(r.note().contains("FP32 model is unknown"));
    }

    @Test
    void dumpIsReadableArrowHoldingTheReference(@TempDir Path dir) throws Exception {
        DebugSession s = session(int8());
        s.run(100);
        String last = s.layerNames().get(s.layerNames().size() - 1);
        Path f = dir.resolve("out.arrow");
        s.dump(last, f);
        float[] fp32 = direct(null, 100);
        float[] q = direct(int8(), 100);
        try (Dataset back = Datasets.open(f); BatchReader r = back.batches(1000)) {
            Batch b = r.next();
            assertEquals(100, b.rows());
            // The last layer of the sample produces the model output.
            Tensor ref = b.column("reference");
            // direct() runs whole batches of 64: compare its first 100 rows.
            assertArrayEquals(java.util.Arrays.copyOf(fp32, ref.size()), ref.floats());
            // Dynamic int8 scales depend on the batch: only the first (identical) batch of 64 rows compares exactly.
            int first = 64 * (ref.size() / 100);
            assertArrayEquals(java.util.Arrays.copyOf(q, first), java.util.Arrays.copyOf(b.column("quantized").floats(), first));
        }
    }

    @Test
    void showFindsTheWorstElement() {
        DebugSession s = session(int8());
        s.run(64);
        String last = s.layerNames().get(s.layerNames().size() - 1);
        Results.LayerDetail d = s.show(last, 3, 10);
        float[] fp32 = direct(null, 64);
        float[] q = direct(int8(), 64);
        double worst = 0;
        for (int i = 0; i < fp32.length; i++) {
            worst = Math.max(worst, Math.abs((double) fp32[i] - q[i]));
        }
        assertEquals(worst, d.worst().get(0).absError(), 1e-6);
        assertEquals(fp32.length, d.reference().count());
        long total = 0;
        for (long c : d.histogram().reference()) {
            total += c;
        }
        assertEquals(fp32.length, total);
    }

    @Test
    void clippingCountsValuesBeyondTheCalibratedRange() {
        LayerPlan l = new LayerPlan("n", "Gemm", dev.quantize.core.graph.ModelSummary.Role.WEIGHTS_AND_ACTIVATIONS, "w",
                "fp32", "int8_per_tensor", new dev.quantize.quantizer.plan.ActivationRange(-1f, 1f));
        assertEquals(0.5, Clipping.share(l, new float[] {0.5f, -1.5f, 2f, 0.99f}), 0);
        LayerPlan fp8 = l.withActivationFormat("fp8_e4m3").withActivationRange(new dev.quantize.quantizer.plan.ActivationRange(-3f, 2f));
        assertEquals(0.25, Clipping.share(fp8, new float[] {2.5f, -3f, 3.5f, 0f}), 0);
        assertTrue(Double.isNaN(Clipping.share(l.withActivationFormat("mxfp4_e2m1"), new float[] {1f})));
    }
}
