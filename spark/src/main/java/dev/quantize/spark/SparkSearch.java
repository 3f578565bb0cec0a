package dev.quantize.spark;

import dev.quantize.core.data.Batch;
import dev.quantize.core.data.BatchReader;
import dev.quantize.core.data.Dataset;
import dev.quantize.core.data.Datasets;
import dev.quantize.core.data.NpyWriter;
import dev.quantize.core.kernel.Parallelism;
import dev.quantize.core.tensor.Tensor;
import dev.quantize.quantizer.plan.ActivationRange;
import dev.quantize.quantizer.search.Budget;
import dev.quantize.quantizer.search.Evaluator;
import dev.quantize.quantizer.search.FormatSearch;
import dev.quantize.quantizer.search.SensitivityRunner;
import dev.quantize.quantizer.search.SensitivityRunner.Trial;
import java.io.IOException;
import java.io.Serializable;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import org.apache.spark.api.java.JavaSparkContext;
import org.apache.spark.broadcast.Broadcast;
import org.apache.spark.sql.SparkSession;

/**
 * Step 1 of the {@link FormatSearch} (every layer alone in every candidate format) as Spark tasks, one
 * task per (layer, format) trial, so the trials spread over as many cores as there are trials. The model and the
 * evaluation sample (the rows the search's {@link Evaluator} uses) are broadcast once; each executor
 * JVM builds one single-threaded Evaluator over them and keeps it for all its tasks. Each trial runs
 * the same code as in one JVM ({@link FormatSearch#measure}), so the values are the same bit for bit
 * as a single-JVM search whose Evaluator has one thread; steps 2-4 stay on the driver.
 */
public final class SparkSearch {
    /** Evaluators per (model, sample) broadcast, per JVM. */
    private static final Map<Long, Evaluator> EVALUATORS = new ConcurrentHashMap<>();

    private SparkSearch() {
    }

    /** What the search needs besides the model and the sample; {@code budget} as {@link Budget#parse} reads it. */
    public record Settings(String budget, List<String> formats, Map<String, ActivationRange> ranges) {
    }

    /** A runner that sends the trials to {@code spark}; the sample is the first {@code maxRows} rows of {@code evalData} in batches of {@code batchSize}, as the driver's Evaluator reads them. */
    public static SensitivityRunner runner(SparkSession spark, Path model, Path evalData, int maxRows, int batchSize,
                                           Settings settings) {
        return trials -> {
            try {
                return sensitivities(spark, model, evalData, maxRows, batchSize, settings, trials);
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        };
    }

    /** The primary metric of every trial, in order, each computed by a Spark task. */
    public static double[] sensitivities(SparkSession spark, Path model, Path evalData, int maxRows, int batchSize,
                                         Settings settings, List<Trial> trials) throws IOException {
        JavaSparkContext sc = JavaSparkContext.fromSparkContext(spark.sparkContext());
        ShippedModel m = ShippedModel.ship(sc, model);
        Broadcast<HashMap<String, byte[]>> sample = sc.broadcast(sample(evalData, maxRows, batchSize));
        try {
            if (trials.isEmpty()) {
                return new double[0];
            }
            String budget = settings.budget();
            ArrayList<String> formats = new ArrayList<>(settings.formats());
            HashMap<String, float[]> ranges = new HashMap<>();
            settings.ranges().forEach((k, v) -> ranges.put(k, new float[] {v.lo(), v.hi()}));
            String name = evalData.getFileName() == null ? evalData.toString() : evalData.getFileName().toString();
            // One task per trial: the unit of work Spark can spread over the cluster. A trial recomputes
            // the FP32 prefix before its layer, which FormatSearch#measure shares among a layer's trials
            // in one JVM; the value is the same either way (that prefix is FP32 and deterministic).
            List<Double> values = sc.parallelize(new ArrayList<>(trials), trials.size()).map(trial -> {
                if (!EVALUATORS.containsKey(sample.id())) {
                    EVALUATORS.keySet().removeIf(k -> k != sample.id()); // a long-lived executor keeps the latest sample only
                }
                Evaluator ev = EVALUATORS.computeIfAbsent(sample.id(),
                        k -> evaluator(m, name, sample.value(), maxRows, batchSize));
                Map<String, ActivationRange> r = new HashMap<>();
                ranges.forEach((k, v) -> r.put(k, new ActivationRange(v[0], v[1])));
                return new FormatSearch(m.model(), ev, Budget.parse(budget), formats, r, (w, d, t) -> { })
                        .measure(List.of(trial))[0];
            }).collect();
            double[] out = new double[trials.size()];
            for (int i = 0; i < out.length; i++) {
                out[i] = values.get(i);
            }
            return out;
        } finally {
            EVALUATORS.remove(sample.id()); // on the driver's JVM (local mode); executors replace theirs at the next search
            sample.destroy();
            m.release();
        }
    }

    /** The evaluation sample as .npy files (name -> bytes): whole batches until {@code maxRows}, as {@link Evaluator} reads them. */
    static HashMap<String, byte[]> sample(Path evalData, int maxRows, int batchSize) throws IOException {
        Path dir = Files.createTempDirectory("quantize-sample-");
        try (Dataset data = Datasets.open(evalData)) {
            Map<String, NpyWriter> writers = new LinkedHashMap<>();
            int n = 0;
            try (BatchReader r = data.batches(batchSize)) {
                while (r.hasNext() && n < maxRows) {
                    Batch b = r.next();
                    for (Map.Entry<String, Tensor> c : b.columns().entrySet()) {
                        Tensor t = c.getValue();
                        int[] s = t.shape();
                        writers.computeIfAbsent(c.getKey(), k -> NpyWriter.create(dir.resolve(k + ".npy"), t.type(),
                                java.util.Arrays.copyOfRange(s, 1, s.length))).append(t);
                    }
                    n += b.rows();
                }
            }
            HashMap<String, byte[]> out = new HashMap<>();
            for (Map.Entry<String, NpyWriter> w : writers.entrySet()) {
                w.getValue().commit();
                w.getValue().close();
                Path f = dir.resolve(w.getKey() + ".npy");
                out.put(f.getFileName().toString(), Files.readAllBytes(f));
            }
            return out;
        } finally {
            deleteTree(dir);
        }
    }

    /** A single-threaded Evaluator over the shipped sample (written to a temporary folder, read, deleted). */
    private static Evaluator evaluator(ShippedModel model, String name, Map<String, byte[]> files, int maxRows, int batchSize) {
        try {
            Path dir = Files.createTempDirectory("quantize-sample-");
            try {
                Path folder = Files.createDirectory(dir.resolve(name));
                for (Map.Entry<String, byte[]> f : files.entrySet()) {
                    Files.write(folder.resolve(f.getKey()), f.getValue());
                }
                try (Dataset data = Datasets.open(folder)) {
                    return new Evaluator(model.model(), data, maxRows, batchSize, Parallelism.single());
                }
            } finally {
                deleteTree(dir);
            }
        } catch (IOException e) {
            throw new UncheckedIOException("the shipped evaluation sample: " + e.getMessage(), e);
        }
    }

    private static void deleteTree(Path p) {
        try (var s = Files.walk(p)) {
            s.sorted(java.util.Comparator.reverseOrder()).forEach(f -> f.toFile().delete());
        } catch (IOException e) {
            // a leftover temporary folder is harmless
        }
    }
}
