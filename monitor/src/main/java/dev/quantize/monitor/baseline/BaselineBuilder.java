package dev.quantize.monitor.baseline;

import dev.quantize.core.data.Batch;
import dev.quantize.core.data.BatchReader;
import dev.quantize.core.data.Dataset;
import dev.quantize.core.data.DatasetBinding;
import dev.quantize.core.exec.Executor;
import dev.quantize.core.graph.Model;
import dev.quantize.core.kernel.Parallelism;
import dev.quantize.core.metrics.ErrorStats;
import dev.quantize.monitor.window.LayerWatch;
import dev.quantize.monitor.window.WindowCollector;
import dev.quantize.monitor.window.WindowStats;
import dev.quantize.monitor.window.WindowSummary;
import dev.quantize.quantizer.plan.QuantPlan;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.function.LongConsumer;

/**
 * Builds a {@link MonitorBaseline} from calibration data in two streaming passes: the first samples
 * values to fix the bin edges, the second is an ordinary monitoring window over the same data (the
 * same {@link WindowCollector} and {@link WindowStats} code a monitor run uses), whose distributions,
 * per-layer SQNR and saturation become the reference.
 */
public final class BaselineBuilder {
    private BaselineBuilder() {
    }

    /**
     * @param quantizeWeights false when {@code quantModel} already holds quantized weights (an artifact's emulation model)
     * @param maxRows at most this many rows (0: all)
     * @param progress told the rows done after each batch of each pass
     */
    public static MonitorBaseline build(Model fp32, Model quantModel, QuantPlan plan, boolean quantizeWeights, Dataset data,
                                        int batchSize, long maxRows, Parallelism parallelism, String calibrationMethod,
                                        LongConsumer progress) {
        List<LayerWatch> watches = LayerWatch.of(plan);
        DatasetBinding binding = DatasetBinding.bind(data, fp32.graph().runtimeInputs());
        EdgeSampler sampler = new EdgeSampler(watches);
        Executor e = Executor.builder(fp32).parallelism(parallelism).listener(sampler).build();
        long rows = 0;
        try (BatchReader r = data.batches(batchSize)) {
            while (r.hasNext() && (maxRows <= 0 || rows < maxRows)) {
                Batch b = r.next();
                Map<String, dev.quantize.core.tensor.Tensor> feed = binding.feed(b);
                sampler.addFeed(feed);
                e.run(feed);
                rows += b.rows();
                progress.accept(rows);
            }
        }
        if (rows == 0) {
            throw new IllegalArgumentException(data.name() + ": no rows to compute the monitor baseline from");
        }
        WindowStats stats = new WindowStats(sampler.inputEdges(), sampler.activationEdges());
        WindowCollector collector = new WindowCollector(fp32, quantModel, plan, quantizeWeights, parallelism);
        long done = 0;
        try (BatchReader r = data.batches(batchSize)) {
            while (r.hasNext() && done < rows) {
                Batch b = r.next();
                collector.add(stats, binding, b);
                done += b.rows();
                progress.accept(rows + done);
            }
        }
        return of(stats, watches, calibrationMethod);
    }

    /** The baseline a finished window of calibration data gives. */
    public static MonitorBaseline of(WindowStats stats, List<LayerWatch> watches, String calibrationMethod) {
        // Summarise against an empty baseline for the window's own values; distributions come from the stats.
        MonitorBaseline empty = new MonitorBaseline(0, calibrationMethod, Double.NaN, Double.NaN, Map.of(), Map.of(), Map.of());
        WindowSummary w = WindowSummary.of(stats, empty, watches);
        Map<String, MonitorBaseline.Layer> layers = new TreeMap<>();
        w.layers().forEach((k, v) -> layers.put(k, new MonitorBaseline.Layer(v.get("sqnr_db"), v.get("saturation"))));
        return new MonitorBaseline(stats.rows(), calibrationMethod, w.metrics().get("agreement"),
                w.metrics().get("output_sqnr_db"), stats.inputDistributions(), stats.activationDistributions(), layers);
    }
}
