package dev.quantize.calibration;

import dev.quantize.calibration.stats.AbsHistogram;
import dev.quantize.calibration.stats.TensorValues;
import dev.quantize.core.data.Batch;
import dev.quantize.core.data.BatchReader;
import dev.quantize.core.data.Dataset;
import dev.quantize.core.data.DatasetBinding;
import dev.quantize.core.exec.Executor;
import dev.quantize.core.graph.Model;
import dev.quantize.core.tensor.Tensor;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Calibrates a model over a dataset in two streaming passes (see {@link CalibrationStats} for the
 * protocol): weights from their initializers, pass 1 running statistics of every observed activation,
 * pass 2 histograms over the ranges pass 1 found. Observation happens only through an
 * {@link dev.quantize.core.exec.ExecutionListener} on the executor; memory is a batch plus fixed-size
 * statistics per tensor, independent of the number of rows. The building blocks ({@link #weights},
 * {@link #pass1}, {@link #pass2}) are public so a distributed job can run each pass per partition and
 * merge the partials.
 */
public final class CalibrationRunner {
    private CalibrationRunner() {
    }

    public static CalibrationStats run(Model model, Dataset data, CalibrationConfig config) {
        return run(model, data, config, CalibrationProgress.NONE);
    }

    public static CalibrationStats run(Model model, Dataset data, CalibrationConfig config, CalibrationProgress progress) {
        return run(Executor.builder(model).build(), data, config, progress);
    }

    /** As {@link #run(Model, Dataset, CalibrationConfig, CalibrationProgress)} on a given executor (its thread settings). */
    public static CalibrationStats run(Executor executor, Dataset data, CalibrationConfig config, CalibrationProgress progress) {
        CalibrationTargets targets = CalibrationTargets.of(executor.model(), config.quantizable(), config.weights(),
                config.extraValues());
        CalibrationStats p1 = weights(executor.model(), targets, config).merge(pass1(executor, data, targets, config, progress));
        HistogramPlan plan = p1.histogramPlan(config.bins(), config.perChannelHistograms(), config.maxHistogramChannels());
        return p1.merge(pass2(executor, data, plan, config, progress));
    }

    /** Statistics and histograms of the target weights, straight from the initializers. */
    public static CalibrationStats weights(Model model, CalibrationTargets targets, CalibrationConfig config) {
        Map<String, TensorStats> out = new LinkedHashMap<>();
        for (Map.Entry<String, Integer> e : targets.weights().entrySet()) {
            String name = e.getKey();
            int axis = e.getValue();
            Tensor w = model.graph().initializers().get(name);
            TensorValues v;
            try {
                v = TensorValues.of(w, axis);
            } catch (IllegalArgumentException ex) {
                throw new IllegalArgumentException("weight '" + name + "': " + ex.getMessage(), ex);
            }
            TensorStats s = new TensorStats(TensorStats.Kind.WEIGHT);
            s.setChannelAxis(axis, name);
            s.stats().add(v);
            AbsHistogram h = new AbsHistogram(s.stats().absMax(), config.bins());
            h.addAll(v);
            AbsHistogram[] channels = null;
            int n = s.stats().channels();
            if (config.perChannelHistograms() && n > 0 && n <= config.maxHistogramChannels()) {
                channels = new AbsHistogram[n];
                for (int c = 0; c < n; c++) {
                    channels[c] = new AbsHistogram(s.stats().channelAbsMax(c), config.bins());
                    channels[c].add(v, c);
                }
            }
            s.setHistograms(h, channels);
            out.put(name, s);
        }
        return new CalibrationStats(0, 0, out);
    }

    /** Pass 1 over {@code data}: running statistics of the target activations. */
    public static CalibrationStats pass1(Executor executor, Dataset data, CalibrationTargets targets, CalibrationConfig config,
                                         CalibrationProgress progress) {
        StatsCollector c = StatsCollector.pass1(targets.activations());
        long rows = runPass(executor, data, c, config, progress, 1);
        return c.partial(rows);
    }

    /** Pass 2 over {@code data}: the histograms {@code plan} describes. */
    public static CalibrationStats pass2(Executor executor, Dataset data, HistogramPlan plan, CalibrationConfig config,
                                         CalibrationProgress progress) {
        StatsCollector c = StatsCollector.pass2(plan);
        long rows = runPass(executor, data, c, config, progress, 2);
        return c.partial(rows);
    }

    private static long runPass(Executor executor, Dataset data, StatsCollector collector, CalibrationConfig config,
                                CalibrationProgress progress, int pass) {
        Model model = executor.model();
        DatasetBinding binding = DatasetBinding.bind(data, model.graph().runtimeInputs());
        // Values no node produces (graph inputs) come from the feed; the rest from the listener.
        List<String> fromFeed = new ArrayList<>();
        List<String> fromNodes = new ArrayList<>();
        for (String v : observed(collector, model)) {
            if (binding.inputs().stream().anyMatch(i -> i.name().equals(v))) {
                fromFeed.add(v);
            } else {
                fromNodes.add(v);
            }
        }
        long total = data.rowCount().isPresent()
                ? (config.maxRows() > 0 ? Math.min(config.maxRows(), data.rowCount().getAsLong()) : data.rowCount().getAsLong())
                : (config.maxRows() > 0 ? config.maxRows() : -1);
        long rows = 0;
        executor.addListener(collector);
        try (BatchReader reader = data.batches(config.batchSize())) {
            while (reader.hasNext() && (config.maxRows() == 0 || rows < config.maxRows())) {
                Batch batch = reader.next();
                if (config.maxRows() > 0 && rows + batch.rows() > config.maxRows()) {
                    batch = head(batch, (int) (config.maxRows() - rows));
                }
                Map<String, Tensor> feed = binding.feed(batch);
                for (String v : fromFeed) {
                    collector.observe(v, feed.get(v));
                }
                if (!fromNodes.isEmpty()) {
                    executor.run(feed, fromNodes);
                }
                rows += batch.rows();
                progress.update(pass, rows, total);
            }
        } finally {
            executor.removeListener(collector);
        }
        return rows;
    }

    private static List<String> observed(StatsCollector c, Model model) {
        List<String> names = new ArrayList<>();
        model.graph().inputs().forEach(i -> {
            if (c.observes(i.name())) {
                names.add(i.name());
            }
        });
        model.graph().nodes().forEach(n -> n.outputs().forEach(o -> {
            if (!o.isEmpty() && c.observes(o)) {
                names.add(o);
            }
        }));
        return names;
    }

    /** The first {@code rows} rows of a batch (copies). */
    static Batch head(Batch b, int rows) {
        Map<String, Tensor> cols = new LinkedHashMap<>();
        for (Map.Entry<String, Tensor> e : b.columns().entrySet()) {
            Tensor t = e.getValue();
            int[] shape = t.shape();
            int n = t.size() / Math.max(1, shape[0]) * rows;
            shape[0] = rows;
            cols.put(e.getKey(), switch (t.type().storage()) {
                case FLOAT -> Tensor.ofFloats(t.type(), shape, Arrays.copyOf(t.floats(), n));
                case DOUBLE -> Tensor.ofDoubles(shape, Arrays.copyOf(t.doubles(), n));
                case LONG -> Tensor.ofLongs(t.type(), shape, Arrays.copyOf(t.longs(), n));
                case STRING -> Tensor.ofStrings(shape, Arrays.copyOf(t.strings(), n));
            });
        }
        return new Batch(cols, rows);
    }
}
