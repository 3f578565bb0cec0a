package dev.quantize.spark;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.quantize.core.data.Dataset;
import dev.quantize.core.data.Datasets;
import dev.quantize.core.graph.Model;
import dev.quantize.core.kernel.Parallelism;
import dev.quantize.core.onnx.OnnxReader;
import dev.quantize.calibration.Method;
import dev.quantize.quantizer.job.QuantizeJob;
import dev.quantize.quantizer.plan.ActivationRange;
import dev.quantize.quantizer.search.Budget;
import dev.quantize.quantizer.search.Evaluator;
import dev.quantize.quantizer.search.FormatSearch;
import dev.quantize.quantizer.search.SearchResult;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.apache.spark.sql.SparkSession;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** The format search's sensitivity trials as Spark tasks on {@code local[2]} rank exactly as one JVM does. */
class SparkSearchTest {
    private static SparkSession spark;

    @BeforeAll
    static void start() {
        spark = Sessions.local();
    }

    @AfterAll
    static void stop() {
        if (spark != null) {
            spark.stop();
        }
    }

    @Test
    void sensitivitiesAndPlanEqualOneJvm() throws Exception {
        Path dir = ScaleOutData.shared();
        Path modelPath = dir.resolve("model.onnx");
        Path eval = dir.resolve("eval");
        Model model = OnnxReader.read(modelPath);
        List<String> formats = List.of("int8", "mxfp4_e2m1", "rowwise_4bit");
        Map<String, ActivationRange> ranges = Map.of("/top_mlp/top_mlp.0/Gemm", new ActivationRange(-3f, 5f));
        int rows = 512;
        int batch = 200; // the sample ends inside a batch: 3 batches, 600 rows
        try (Dataset data = Datasets.open(eval)) {
            Evaluator ev = new Evaluator(model, data, rows, batch, Parallelism.single());
            FormatSearch search = new FormatSearch(model, ev, Budget.parse("ne+0.1%"), formats, ranges, (w, d, t) -> { });
            long t0 = System.nanoTime();
            SearchResult local = search.run();
            long t1 = System.nanoTime();
            SearchResult spread = new FormatSearch(model, ev, Budget.parse("ne+0.1%"), formats, ranges, (w, d, t) -> { })
                    .run(SparkSearch.runner(spark, modelPath, eval, rows, batch,
                            new SparkSearch.Settings("ne+0.1%", formats, ranges)));
            long t2 = System.nanoTime();
            System.out.printf("search on %d rows, %d trials: one JVM %.2f s, local[2] %.2f s%n", ev.rows(),
                    local.sensitivities().size(), (t1 - t0) / 1e9, (t2 - t1) / 1e9);
            assertEquals(600, ev.rows());
            assertTrue(local.sensitivities().size() >= 20, "trials: " + local.sensitivities().size());
            assertTrue(local.sensitivities().stream().anyMatch(s -> s.degradation() > 0), "some trial costs accuracy");
            assertEquals(local.sensitivities(), spread.sensitivities(), "(layer, format, value) in trial order");
            assertEquals(local.plan(), spread.plan());
            assertEquals(local.metrics(), spread.metrics());
            assertEquals(local.tried(), spread.tried());
            // One JVM with the default threads (the machine's cores) and with an odd count finds the same:
            // the kernels split work across threads without changing any sum's order.
            for (Parallelism p : List.of(Parallelism.defaultForMachine(), Parallelism.of(3))) {
                Evaluator threaded = new Evaluator(model, data, rows, batch, p);
                SearchResult multi = new FormatSearch(model, threaded, Budget.parse("ne+0.1%"), formats, ranges, (w, d, t) -> { }).run();
                assertEquals(spread.sensitivities(), multi.sensitivities(), p + ": (layer, format, value) in trial order");
                assertEquals(spread.plan(), multi.plan(), p.toString());
                assertEquals(spread.metrics(), multi.metrics(), p.toString());
            }
        }
    }

    /** The main job with its trials on Spark (calibrated ranges shipped to the tasks) finds what it finds in one JVM. */
    @Test
    void mainJobWithSparkTrialsEqualsOneJvm() throws Exception {
        Path dir = ScaleOutData.shared();
        Path modelPath = dir.resolve("model.onnx");
        Path eval = dir.resolve("eval");
        List<String> formats = List.of("int8", "mxfp4_e2m1");
        QuantizeJob.Options o = new QuantizeJob.Options(modelPath, dir.resolve("calib"), eval, null, formats, Method.PERCENTILE,
                2048, 512, 256, 1, false, "weight-bytes");
        QuantizeJob.Result local = QuantizeJob.run(o, QuantizeJob.Listener.NONE, null);
        QuantizeJob.Result spread = QuantizeJob.run(o, QuantizeJob.Listener.NONE, null, (budget, ranges) ->
                SparkSearch.runner(spark, modelPath, eval, o.evalRows(), o.batchSize(),
                        new SparkSearch.Settings(budget.toString(), formats, ranges)));
        assertTrue(!local.ranges().isEmpty(), "calibrated ranges");
        assertEquals(local.ranges(), spread.ranges());
        assertEquals(local.search().sensitivities(), spread.search().sensitivities());
        assertEquals(local.search().plan(), spread.search().plan());
        assertEquals(local.search().metrics(), spread.search().metrics());
        // the main job's default threads (the machine's cores) in one JVM: the same search
        QuantizeJob.Options d = new QuantizeJob.Options(o.model(), o.calibData(), o.evalData(), null, formats, o.calibrationMethod(),
                o.calibrationRows(), o.evalRows(), o.batchSize(), QuantizeJob.Options.defaults(modelPath, null, null).threads(),
                false, o.cost());
        QuantizeJob.Result threaded = QuantizeJob.run(d, QuantizeJob.Listener.NONE, null);
        assertEquals(spread.ranges(), threaded.ranges());
        assertEquals(spread.search().sensitivities(), threaded.search().sensitivities());
        assertEquals(spread.search().plan(), threaded.search().plan());
        assertEquals(spread.search().metrics(), threaded.search().metrics());
    }
}
