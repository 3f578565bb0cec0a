package dev.quantize.spark;

import dev.quantize.calibration.CalibrationConfig;
import dev.quantize.calibration.CalibrationProgress;
import dev.quantize.calibration.CalibrationRunner;
import dev.quantize.calibration.CalibrationStats;
import dev.quantize.calibration.CalibrationTargets;
import dev.quantize.calibration.HistogramPlan;
import dev.quantize.core.graph.Model;
import java.io.IOException;
import java.nio.file.Path;
import java.util.List;
import org.apache.spark.api.java.JavaRDD;
import org.apache.spark.api.java.JavaSparkContext;
import org.apache.spark.broadcast.Broadcast;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.sql.catalyst.InternalRow;

/**
 * {@link CalibrationRunner}'s two passes as two Spark jobs, with the same statistics as one JVM:
 * <pre>
 *   driver   weights  = CalibrationRunner.weights(model)              (no data)
 *   tasks    pass 1   = CalibrationRunner.pass1 over each partition   -> partials, merged on the driver
 *   driver   plan     = (weights + pass 1).histogramPlan(...)         -> broadcast
 *   tasks    pass 2   = CalibrationRunner.pass2(plan) per partition   -> partials, merged on the driver
 *   result            = weights + pass 1 + pass 2
 * </pre>
 * Partials come back as task results (Spark's {@code reduce}), never through accumulators: a retried
 * or speculative attempt's result is used once, so nothing is counted twice. Counts, min/max and
 * histograms (fixed bins from the merged pass 1) are exact; sums differ from one stream only by the
 * order of double additions.
 */
public final class SparkCalibration {
    private SparkCalibration() {
    }

    /** Calibrates the model file ({@code .onnx} or artifact) at {@code model} over {@code data}. */
    public static CalibrationStats run(SparkSession spark, Dataset<Row> data, String dataName, Path model,
                                       CalibrationConfig config) throws IOException {
        JavaSparkContext sc = JavaSparkContext.fromSparkContext(spark.sparkContext());
        ShippedModel shipped = ShippedModel.ship(sc, model);
        try {
            return run(spark, data, dataName, shipped, config);
        } finally {
            shipped.release();
        }
    }

    /**
     * Calibrates a shipped model over {@code data}; {@code config} says what to observe (quantizable
     * nodes, weights, extra values), the batch size and the histogram bins. {@code maxRows}, when set,
     * takes that many rows by {@code Dataset.limit} (which rows is Spark's choice).
     */
    public static CalibrationStats run(SparkSession spark, Dataset<Row> data, String dataName, ShippedModel model,
                                       CalibrationConfig config) {
        JavaSparkContext sc = JavaSparkContext.fromSparkContext(spark.sparkContext());
        Model m = model.model();
        CalibrationTargets targets = CalibrationTargets.of(m, config.quantizable(), config.weights(), config.extraValues());
        Dataset<Row> rows = config.maxRows() > 0 ? data.limit((int) Math.min(Integer.MAX_VALUE, config.maxRows())) : data;
        CalibrationConfig perTask = config.withMaxRows(0);
        SparkColumns columns = SparkColumns.bind(dataName, rows, m.graph().runtimeInputs());
        JavaRDD<InternalRow> selected = columns.select(rows);

        CalibrationStats weights = CalibrationRunner.weights(m, targets, config);
        CalibrationStats pass1 = selected.mapPartitions(it -> {
            Model local = model.model();
            CalibrationTargets t = CalibrationTargets.of(local, perTask.quantizable(), perTask.weights(), perTask.extraValues());
            return List.of(CalibrationRunner.pass1(model.executor(), new PartitionDataset(columns, it), t, perTask,
                    CalibrationProgress.NONE)).iterator();
        }).reduce(CalibrationStats::merge);
        CalibrationStats p1 = weights.merge(pass1);

        HistogramPlan plan = p1.histogramPlan(config.bins(), config.perChannelHistograms(), config.maxHistogramChannels());
        Broadcast<HistogramPlan> planB = sc.broadcast(plan);
        try {
            CalibrationStats pass2 = selected.mapPartitions(it -> List.of(CalibrationRunner.pass2(model.executor(),
                    new PartitionDataset(columns, it), planB.value(), perTask, CalibrationProgress.NONE)).iterator())
                    .reduce(CalibrationStats::merge);
            return p1.merge(pass2);
        } finally {
            planB.destroy();
        }
    }
}
