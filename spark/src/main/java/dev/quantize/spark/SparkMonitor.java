package dev.quantize.spark;

import dev.quantize.core.data.Batch;
import dev.quantize.core.data.BatchReader;
import dev.quantize.core.data.DatasetBinding;
import dev.quantize.core.kernel.Parallelism;
import dev.quantize.monitor.job.MonitorJob;
import dev.quantize.monitor.window.WindowCollector;
import dev.quantize.monitor.window.WindowStats;
import java.io.IOException;
import java.util.List;
import java.util.Map;
import org.apache.spark.api.java.JavaSparkContext;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;

/**
 * {@code quantize monitor run} with the window's rows read by Spark: {@link MonitorJob} does everything
 * it does in one JVM (artifact, baseline, thresholds, report, history) except streaming the rows, which
 * here is a Spark job: each partition runs the monitor's {@link WindowCollector} (FP32 and quantized
 * executors with their hooks) over batches of its rows into a {@link WindowStats}; the driver merges the
 * partials and MonitorJob finishes the record and appends it to the same history. Counts, histograms
 * and AUC merge exactly, sums in double.
 */
public final class SparkMonitor {
    private SparkMonitor() {
    }

    /**
     * One window: {@code window} holds its rows (e.g. one {@code date=} partition); {@code options} as for
     * {@code quantize monitor run} ({@code options.data()} is only a name here). {@code maxRows}, when
     * set, takes that many rows by {@code Dataset.limit}.
     */
    public static MonitorJob.Result run(SparkSession spark, Dataset<Row> window, String windowName, MonitorJob.Options options)
            throws IOException {
        JavaSparkContext sc = JavaSparkContext.fromSparkContext(spark.sparkContext());
        Dataset<Row> rows = options.maxRows() > 0 ? window.limit((int) Math.min(Integer.MAX_VALUE, options.maxRows())) : window;
        int batch = options.batchSize();
        return MonitorJob.run(options, MonitorJob.Listener.NONE, (inputEdges, activationEdges) -> {
            ShippedModel artifact = ShippedModel.ship(sc, options.artifact());
            ShippedModel fp32 = options.fp32() == null ? null : ShippedModel.ship(sc, options.fp32());
            try {
                ShippedModel reference = fp32 != null ? fp32 : artifact;
                SparkColumns columns = SparkColumns.bind(windowName, rows, reference.model().graph().runtimeInputs());
                Map<String, double[]> in = Map.copyOf(inputEdges);
                Map<String, double[]> act = Map.copyOf(activationEdges);
                return columns.select(rows).mapPartitions(it -> {
                    PartitionDataset part = new PartitionDataset(columns, it);
                    WindowStats stats = new WindowStats(in, act);
                    WindowCollector collector = new WindowCollector(reference.model(), artifact.model(), artifact.plan(), false,
                            Parallelism.of(1));
                    DatasetBinding binding = DatasetBinding.bind(part, reference.model().graph().runtimeInputs());
                    try (BatchReader r = part.batches(batch)) {
                        while (r.hasNext()) {
                            Batch b = r.next();
                            collector.add(stats, binding, b);
                        }
                    }
                    return List.of(stats).iterator();
                }).reduce(WindowStats::merge);
            } finally {
                artifact.release();
                if (fp32 != null) {
                    fp32.release();
                }
            }
        });
    }
}
