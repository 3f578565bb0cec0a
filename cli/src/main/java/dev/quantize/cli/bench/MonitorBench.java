package dev.quantize.cli.bench;

import dev.quantize.core.data.Batch;
import dev.quantize.core.data.BatchReader;
import dev.quantize.core.data.Dataset;
import dev.quantize.core.data.DatasetBinding;
import dev.quantize.core.data.Datasets;
import dev.quantize.core.exec.Executor;
import dev.quantize.core.graph.Model;
import dev.quantize.core.kernel.Parallelism;
import dev.quantize.core.tensor.Tensor;
import dev.quantize.monitor.baseline.BaselineBuilder;
import dev.quantize.monitor.baseline.MonitorBaseline;
import dev.quantize.monitor.window.LayerWatch;
import dev.quantize.monitor.window.WindowCollector;
import dev.quantize.monitor.window.WindowStats;
import dev.quantize.monitor.window.WindowSummary;
import dev.quantize.quantizer.emulate.PlanInterceptor;
import dev.quantize.quantizer.job.QuantizeJob;
import dev.quantize.quantizer.plan.QuantPlan;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * The cost of monitoring: rows per second of a monitor window (FP32 and quantized executors side by
 * side with every hook and statistic, plus the finish step) against plain FP32 inference of the same
 * rows, in the same process on the same in-memory batches. A middle measurement, both executors
 * without hooks, splits the cost into "running the quantized model too" and "the statistics".
 */
public final class MonitorBench {
    /** One model: seconds per pass over the rows for each variant (medians). */
    public record Result(String model, int rows, int batch, double fp32Seconds, double bothSeconds, double monitorSeconds) {
        public double ratio() {
            return monitorSeconds / fp32Seconds;
        }
    }

    private MonitorBench() {
    }

    /** {@code folder} holds model.onnx, calib/ and eval/ (a shared model): quantized with the default search, measured on eval. */
    public static Result run(Path folder, int batch, int threads, int runs) throws IOException {
        Path model = folder.resolve("model.onnx");
        QuantizeJob.Options d = QuantizeJob.Options.defaults(model, folder.resolve("calib"), folder.resolve("eval"));
        QuantizeJob.Result q = QuantizeJob.run(new QuantizeJob.Options(model, d.calibData(), d.evalData(), null, d.formats(),
                d.calibrationMethod(), d.calibrationRows(), d.evalRows(), d.batchSize(), threads, false, d.cost()), QuantizeJob.Listener.NONE);
        Model m = q.model();
        QuantPlan plan = q.search().plan();
        Parallelism par = Parallelism.of(threads);
        MonitorBaseline baseline;
        try (Dataset calib = Datasets.open(d.calibData())) {
            baseline = BaselineBuilder.build(m, m, plan, true, calib, batch, 0, par, null, done -> { });
        }
        List<Map<String, Tensor>> feeds = new ArrayList<>();
        List<Batch> batches = new ArrayList<>();
        int rows = 0;
        try (Dataset eval = Datasets.open(d.evalData()); BatchReader r = eval.batches(batch)) {
            DatasetBinding binding = DatasetBinding.bind(eval, m.graph().runtimeInputs());
            while (r.hasNext()) {
                Batch b = r.next();
                batches.add(b);
                feeds.add(binding.feed(b));
                rows += b.rows();
            }
        }
        Executor fp32 = Executor.builder(m).parallelism(par).build();
        // The monitor's executors never fuse (their hooks see every node): the plain runs don't either, for a fair ratio.
        Executor plain = Executor.builder(m).parallelism(par).fuse(false).build();
        Executor quant = Executor.builder(m).parallelism(par).fuse(false).interceptor(new PlanInterceptor(m, plan, par, true)).build();
        WindowCollector collector = new WindowCollector(m, m, plan, true, par);
        List<LayerWatch> watches = LayerWatch.of(plan);
        double f = Stopwatch.median(() -> feeds.forEach(fp32::run), 2, runs);
        double both = Stopwatch.median(() -> feeds.forEach(x -> {
            plain.run(x);
            quant.run(x);
        }), 2, runs);
        double mon = Stopwatch.median(() -> {
            WindowStats s = new WindowStats(baseline.inputEdges(), baseline.activationEdges());
            for (int i = 0; i < feeds.size(); i++) {
                collector.add(s, feeds.get(i), batches.get(i).labels().orElse(null), batches.get(i).rows());
            }
            WindowSummary.of(s, baseline, watches);
        }, 2, runs);
        return new Result(ExecutorBench.displayName(model), rows, batch, f, both, mon);
    }
}
