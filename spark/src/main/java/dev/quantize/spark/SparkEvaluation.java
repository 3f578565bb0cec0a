package dev.quantize.spark;

import dev.quantize.core.data.Batch;
import dev.quantize.core.data.BatchReader;
import dev.quantize.core.data.DatasetBinding;
import dev.quantize.core.exec.Executor;
import dev.quantize.core.graph.Model;
import dev.quantize.core.tensor.Tensor;
import dev.quantize.quantizer.search.MetricsPartial;
import java.io.IOException;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.apache.spark.api.java.JavaRDD;
import org.apache.spark.api.java.JavaSparkContext;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.sql.catalyst.InternalRow;

/**
 * {@code quantize eval} as a Spark job: each partition runs the model (and the FP32 reference, when
 * given) over batches of its rows into a {@link MetricsPartial}; the driver merges them and finishes
 * the task's metrics. Counts, accuracy and AUC (per-score counts, merged exactly) equal the single-JVM
 * figures bit for bit; log loss, calibration, SQNR and cosine are double sums whose order differs.
 */
public final class SparkEvaluation {
    private SparkEvaluation() {
    }

    /** Evaluates the model file (.onnx or artifact) at {@code model}; {@code reference} (an FP32 .onnx) may be null. */
    public static MetricsPartial run(SparkSession spark, Dataset<Row> data, String dataName, Path model, Path reference,
                                     int batchSize) throws IOException {
        JavaSparkContext sc = JavaSparkContext.fromSparkContext(spark.sparkContext());
        ShippedModel m = ShippedModel.ship(sc, model);
        ShippedModel r = reference == null ? null : ShippedModel.ship(sc, reference);
        try {
            return run(data, dataName, m, r, batchSize);
        } finally {
            m.release();
            if (r != null) {
                r.release();
            }
        }
    }

    /** Evaluates shipped models; {@code reference} may be null. */
    public static MetricsPartial run(Dataset<Row> data, String dataName, ShippedModel model, ShippedModel reference,
                                     int batchSize) {
        if (batchSize < 1) {
            throw new IllegalArgumentException("batch size must be at least 1, not " + batchSize);
        }
        Model m = model.model();
        SparkColumns columns = SparkColumns.bind(dataName, data, m.graph().runtimeInputs());
        String output = m.graph().outputs().get(0).name();
        MetricsPartial total = columns.select(data).mapPartitions(it -> {
            PartitionDataset part = new PartitionDataset(columns, it);
            Executor q = model.executor();
            Executor ref = reference == null ? null : reference.executor();
            DatasetBinding binding = DatasetBinding.bind(part, q.model().graph().runtimeInputs());
            MetricsPartial p = new MetricsPartial();
            try (BatchReader reader = part.batches(batchSize)) {
                while (reader.hasNext()) {
                    Batch b = reader.next();
                    Map<String, Tensor> in = binding.feed(b);
                    float[] out = q.run(in).get(output).floats();
                    float[] refOut = ref == null ? null : ref.run(in).get(output).floats();
                    p.add(out, b.labels().map(SparkEvaluation::floats).orElse(null), b.rows(), refOut);
                }
            }
            return List.of(p).iterator();
        }).reduce(MetricsPartial::merge);
        if (total.rows() == 0) {
            throw new IllegalArgumentException(dataName + ": no rows");
        }
        return total;
    }

    static float[] floats(Tensor t) {
        float[] f = new float[t.size()];
        for (int i = 0; i < f.length; i++) {
            f[i] = (float) t.getDouble(i);
        }
        return f;
    }
}
