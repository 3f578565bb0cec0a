package dev.quantize.quantizer.search;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.quantize.core.data.Dataset;
import dev.quantize.core.data.Datasets;
import dev.quantize.core.graph.Model;
import dev.quantize.core.kernel.Parallelism;
import dev.quantize.core.onnx.OnnxReader;
import dev.quantize.quantizer.plan.QuantPlan;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;

class FormatSearchTest {
    static Path shared() {
        String p = System.getProperty("quantize.shared");
        Path root = p != null ? Path.of(p) : Path.of("..", "..", "shared");
        Assumptions.assumeTrue(Files.isDirectory(root), "shared material not found at " + root + "; skipping");
        return root;
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
}
