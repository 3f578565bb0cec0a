package dev.quantize.quantizer.search;

import dev.quantize.quantizer.SharedData;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.quantize.core.data.Dataset;
import dev.quantize.core.data.Datasets;
import dev.quantize.core.graph.Model;
import dev.quantize.core.kernel.Parallelism;
import dev.quantize.core.onnx.OnnxReader;
import dev.quantize.quantizer.plan.QuantPlan;
import java.io.IOException;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.Test;

class FormatSearchTest {
    static Path shared() {
        return SharedData.root();
    }

    /** The searched plan meets the default budget, is verified, and is smaller than every uniform plan that meets it. */
    @Test
    void searchBeatsTheUniformPlansOnMlp() throws IOException {
        Path dir = shared().resolve("models/mlp_tabular");
        Model model = OnnxReader.read(dir.resolve("model.onnx"));
        try (Dataset eval = Datasets.open(dir.resolve("eval"))) {
            Evaluator ev = new Evaluator(model, eval, 2048, 512, Parallelism.of(2));
            assertEquals(Task.MULTICLASS, ev.task());
            Budget budget = Budget.defaultFor(ev.task().primary());
            SearchResult r = new FormatSearch(model, ev, budget, FormatSearch.DEFAULT_FORMATS, Map.of(), (w, d, t) -> { }).run();
            assertTrue(r.budgetMet(), "budget met: " + r.metrics());
            assertEquals(r.metrics(), ev.evaluate(r.plan()), "the reported metric is the plan's verified metric");
            assertTrue(r.bytes() < r.fp32Bytes() / 2, "smaller than half of FP32: " + r.bytes() + " vs " + r.fp32Bytes());
            double fp32 = ev.fp32Metrics().get(Metric.ACCURACY);
            for (String f : new String[] {"fp16", "mxfp8_e4m3", "mxfp6_e2m3", "mxfp4_e2m1"}) {
                QuantPlan uniform = QuantPlan.uniform(model, f, f, Map.of());
                double acc = ev.evaluate(uniform).get(Metric.ACCURACY);
                long bytes = LayerCost.weightBytes(model, uniform);
                System.out.printf("uniform %s: %d bytes, accuracy %.4f (fp32 %.4f)%n", f, bytes, acc, fp32);
                if (budget.met(fp32, acc)) {
                    assertTrue(r.bytes() <= bytes, "searched " + r.bytes() + " vs uniform " + f + " " + bytes);
                }
            }
            System.out.println("searched: " + r.bytes() + " bytes, " + r.metrics() + "; plan " + r.plan().toJson());
            assertTrue(r.pareto().size() >= 2);
        }
    }

    /** DLRM: a binary CTR task judged by normalized entropy; the tables dominate the bytes. */
    @Test
    void searchOnDlrmMeetsTheNeBudget() throws IOException {
        Path dir = shared().resolve("models/dlrm_small");
        Model model = OnnxReader.read(dir.resolve("model.onnx"));
        try (Dataset eval = Datasets.open(dir.resolve("eval"))) {
            Evaluator ev = new Evaluator(model, eval, 4096, 1024, Parallelism.of(2));
            assertEquals(Task.BINARY, ev.task());
            Budget budget = Budget.defaultFor(ev.task().primary());
            assertEquals("ne+0.1%", budget.toString());
            SearchResult r = new FormatSearch(model, ev, budget, FormatSearch.DEFAULT_FORMATS, Map.of(), (w, d, t) -> { }).run();
            assertTrue(r.budgetMet(), "budget met: " + r.metrics() + " vs " + r.fp32Metrics());
            double fp32 = ev.fp32Metrics().get(Metric.NE);
            long bestUniform = Long.MAX_VALUE;
            for (String f : new String[] {"fp16", "int8", "mxfp8_e4m3", "mxfp6_e2m3", "mxfp4_e2m1", "rowwise_4bit"}) {
                Candidate table = Candidate.of(f, dev.quantize.core.graph.ModelSummary.Role.EMBEDDING);
                Candidate layer = Candidate.of(f.equals("rowwise_4bit") ? "fp16" : f, dev.quantize.core.graph.ModelSummary.Role.WEIGHTS_AND_ACTIVATIONS);
                QuantPlan uniform = QuantPlan.fp32(model).map(l -> switch (l.role()) {
                    case EMBEDDING -> table.applyTo(l);
                    case WEIGHTS_AND_ACTIVATIONS -> layer.applyTo(l);
                    case ACTIVATIONS_ONLY -> l;
                });
                var m = ev.evaluate(uniform);
                long bytes = LayerCost.weightBytes(model, uniform);
                System.out.printf("dlrm uniform %s: %d bytes, NE %.5f AUC %.5f (fp32 NE %.5f)%n", f, bytes, m.get(Metric.NE), m.get(Metric.AUC), fp32);
                if (budget.met(fp32, m.get(Metric.NE))) {
                    bestUniform = Math.min(bestUniform, bytes);
                }
            }
            System.out.println("dlrm searched: " + r.bytes() + " bytes of " + r.fp32Bytes() + ", " + r.metrics());
            assertTrue(r.bytes() <= bestUniform, "searched " + r.bytes() + " vs best uniform meeting the budget " + bestUniform);
        }
    }

    /** The prefix cache changes speed only: a single-layer trial run from the cached boundary equals a full run. */
    @Test
    void suffixRunsEqualFullRuns() throws IOException {
        Path dir = shared().resolve("models/dlrm_small");
        Model model = OnnxReader.read(dir.resolve("model.onnx"));
        try (Dataset eval = Datasets.open(dir.resolve("eval"))) {
            Evaluator ev = new Evaluator(model, eval, 1024, 512, Parallelism.of(2));
            QuantPlan base = QuantPlan.fp32(model);
            for (String node : new String[] {"/emb_bags.3/emb/Gather", "/interaction/MatMul", "/top_mlp/top_mlp.2/Gemm"}) {
                var layer = base.layer(node);
                var plans = java.util.List.of(
                        base.with(Candidate.of("mxfp4_e2m1", layer.role()).applyTo(layer)),
                        base.with(Candidate.of("int8", layer.role()).applyTo(layer)));
                var fromSuffix = ev.evaluateFrom(node, plans);
                for (int i = 0; i < plans.size(); i++) {
                    assertEquals(ev.evaluate(plans.get(i)), fromSuffix.get(i), node + " plan " + i);
                }
            }
        }
    }

    /** The bit-operations cost: work per row from real shapes, and a search that then quantizes compute-only layers too. */
    @Test
    void bitOpsCostCountsMultiplyAddsAndDrivesTheSearch() throws IOException {
        Path dir = shared().resolve("models/dlrm_small");
        Model model = OnnxReader.read(dir.resolve("model.onnx"));
        try (Dataset eval = Datasets.open(dir.resolve("eval"))) {
            Evaluator ev = new Evaluator(model, eval, 1024, 512, Parallelism.of(2));
            Map<String, LayerWork> work = ev.workPerRow();
            assertEquals(13L * 64, work.get("/bottom_mlp/bottom_mlp.0/Gemm").macs(), "13 inputs x 64 outputs");
            assertEquals(9L * 9 * 16, work.get("/interaction/MatMul").macs(), "9 vectors of 16, all pairs");
            assertEquals(2L * 16, work.get("/emb_bags.1/emb/Gather").macs(), "a bag of 2 ids of dimension 16");
            CostModel bitOps = CostModel.parse("bit-ops", model, work);
            QuantPlan fp32 = QuantPlan.fp32(model);
            assertEquals(13L * 64 * 32 * 32, bitOps.of(fp32.layer("/bottom_mlp/bottom_mlp.0/Gemm")));
            SearchResult r = new FormatSearch(model, ev, Budget.parse("ne+0.1%"), FormatSearch.DEFAULT_FORMATS, Map.of(), bitOps,
                    (w, d, t) -> { }).run();
            assertTrue(r.budgetMet());
            assertEquals("bit-ops", r.costModel());
            assertTrue(r.cost() < r.fp32Cost() / 4, r.cost() + " vs " + r.fp32Cost());
            assertTrue(!r.plan().layer("/interaction/MatMul").isFp32(), "under bit-ops the compute-only interaction is worth quantizing");
        }
    }

    /** Step 1 behind its seam: trials evaluated one at a time (as a fan-out would) give the same ranking and plan as the built-in runner. */
    @Test
    void sensitivityRunnerSeamGivesTheSameSearch() throws IOException {
        Path dir = shared().resolve("models/dlrm_small");
        Model model = OnnxReader.read(dir.resolve("model.onnx"));
        try (Dataset eval = Datasets.open(dir.resolve("eval"))) {
            Evaluator ev = new Evaluator(model, eval, 512, 256, Parallelism.of(1));
            java.util.List<String> formats = java.util.List.of("int8", "mxfp4_e2m1");
            FormatSearch search = new FormatSearch(model, ev, Budget.parse("ne+0.1%"), formats, Map.of(), (w, d, t) -> { });
            java.util.List<SensitivityRunner.Trial> trials = search.sensitivityTrials();
            long layers = QuantPlan.fp32(model).layers().size();
            assertEquals(layers * 2, trials.size(), "every layer with both formats: " + trials);
            assertEquals(new SensitivityRunner.Trial(QuantPlan.fp32(model).layers().get(0).node(), "int8"), trials.get(0));
            SearchResult local = search.run();
            int[] calls = {0};
            SearchResult oneByOne = new FormatSearch(model, ev, Budget.parse("ne+0.1%"), formats, Map.of(), (w, d, t) -> { }).run(ts -> {
                double[] out = new double[ts.size()];
                for (int i = ts.size() - 1; i >= 0; i--) { // any order, one trial per call
                    out[i] = search.measure(java.util.List.of(ts.get(i)))[0];
                    calls[0]++;
                }
                return out;
            });
            assertEquals(trials.size(), calls[0]);
            assertEquals(local.sensitivities(), oneByOne.sensitivities());
            assertEquals(local.plan(), oneByOne.plan());
            assertEquals(local.metrics(), oneByOne.metrics());
            var s = local.sensitivities().get(0);
            assertEquals(ev.evaluate(QuantPlan.fp32(model).with(Candidate.of("int8", QuantPlan.fp32(model).layer(s.layer()).role())
                    .applyTo(QuantPlan.fp32(model).layer(s.layer())))).get(Metric.NE), s.value());
            var bad = new FormatSearch(model, ev, Budget.parse("ne+0.1%"), formats, Map.of(), (w, d, t) -> { });
            org.junit.jupiter.api.Assertions.assertThrows(IllegalStateException.class, () -> bad.run(ts -> new double[1]));
        }
    }
}
