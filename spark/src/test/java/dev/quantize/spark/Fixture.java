package dev.quantize.spark;

import dev.quantize.calibration.CalibrationConfig;
import dev.quantize.calibration.CalibrationRunner;
import dev.quantize.calibration.CalibrationStats;
import dev.quantize.core.data.Batch;
import dev.quantize.core.data.BatchReader;
import dev.quantize.core.data.Dataset;
import dev.quantize.core.data.DatasetBinding;
import dev.quantize.monitor.history.WindowRecord;
import dev.quantize.monitor.job.MonitorJob;
import dev.quantize.core.exec.Executor;
import dev.quantize.core.graph.Model;
import dev.quantize.core.onnx.OnnxReader;
import dev.quantize.core.tensor.Tensor;
import dev.quantize.quantizer.search.Metric;
import dev.quantize.quantizer.search.TaskMetrics;
import dev.quantize.spark.bench.SparkBench;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Comparator;
import java.util.Map;
import java.util.stream.Stream;

/**
 * What every scale-out test shares, built once per test JVM: the Parquet dataset (written with the
 * first Spark session that asks) and the single-JVM results on the same rows.
 */
final class Fixture {
    static final int BATCH = 512;
    private static Path dir;
    private static Path small;
    private static CalibrationStats calibration;
    private static Map<Metric, Double> evalMetrics;
    private static long evalRows;
    private static Path artifact;
    private static WindowRecord monitor;

    private Fixture() {
    }

    /** The dataset folder (Hive-style {@code date=...} partitions of Parquet files). */
    static synchronized Path data() {
        if (dir == null) {
            try {
                Path root = Files.createTempDirectory("quantize-spark-test");
                Runtime.getRuntime().addShutdownHook(new Thread(() -> deleteTree(root)));
                Path d = root.resolve("ctr");
                long t0 = System.nanoTime();
                ScaleOutData.write(d, ScaleOutData.COPIES);
                System.out.printf("scale-out data: %,d rows in %s (%.1f s)%n", 2L * 4096 * ScaleOutData.COPIES, d,
                        (System.nanoTime() - t0) / 1e9);
                dir = d;
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        }
        return dir;
    }

    /**
     * A small copy for the spark-submit runs, which pay a JVM and a session each: 8 copies of the eval
     * split (32,768 rows, {@value ScaleOutData#FILES} Parquet files) in one {@code date=} folder.
     */
    static synchronized Path smallData() {
        if (small == null) {
            try {
                Path root = Files.createTempDirectory("quantize-spark-small");
                Runtime.getRuntime().addShutdownHook(new Thread(() -> deleteTree(root)));
                dev.quantize.spark.bench.ReplicatedData.write(root, 8, java.util.List.of(ScaleOutData.shared().resolve("eval")),
                        java.util.List.of(ScaleOutData.EVAL_DATE));
                small = root.resolve("date=" + ScaleOutData.EVAL_DATE);
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        }
        return small;
    }

    static CalibrationConfig calibrationConfig() {
        return CalibrationConfig.defaults().withBatchSize(BATCH);
    }

    /** One JVM's calibration of all rows (both dates). */
    static synchronized CalibrationStats calibration() throws IOException {
        if (calibration == null) {
            Model model = OnnxReader.read(ScaleOutData.model());
            long t0 = System.nanoTime();
            calibration = CalibrationRunner.run(model, ScaleOutData.repeated(ScaleOutData.COPIES, "eval", "drift"),
                    calibrationConfig());
            System.out.printf("single-JVM calibration: %,d rows, %.1f s%n", calibration.rows(), (System.nanoTime() - t0) / 1e9);
        }
        return calibration;
    }

    /** One JVM's evaluation of all rows, as {@code quantize eval} computes it (outputs gathered, then metrics). */
    static synchronized Map<Metric, Double> evaluation() throws IOException {
        if (evalMetrics == null) {
            Model model = OnnxReader.read(ScaleOutData.model());
            Executor ex = Executor.builder(model).build();
            String output = model.graph().outputs().get(0).name();
            Dataset data = ScaleOutData.repeated(ScaleOutData.COPIES, "eval", "drift");
            DatasetBinding binding = DatasetBinding.bind(data, model.graph().runtimeInputs());
            int n = (int) data.rowCount().getAsLong();
            float[] out = new float[n];
            float[] labels = new float[n];
            int pos = 0;
            try (BatchReader r = data.batches(BATCH)) {
                while (r.hasNext()) {
                    Batch b = r.next();
                    float[] o = ex.run(binding.feed(b)).get(output).floats();
                    System.arraycopy(o, 0, out, pos, o.length);
                    Tensor l = b.labels().orElseThrow();
                    for (int i = 0; i < b.rows(); i++) {
                        labels[pos + i] = (float) l.getDouble(i);
                    }
                    pos += b.rows();
                }
            }
            evalRows = pos;
            evalMetrics = TaskMetrics.compute(TaskMetrics.taskOf(labels, 1), out, labels, 1, null);
        }
        return evalMetrics;
    }

    /** dlrm_small quantized (int8, as the main job does it, with a monitor baseline from the calib split). */
    static synchronized Path artifact() throws Exception {
        if (artifact == null) {
            Path out = data().getParent().resolve("dlrm_small_int8.qz");
            SparkBench.artifact(ScaleOutData.model(), ScaleOutData.shared().resolve("calib"), ScaleOutData.shared().resolve("eval"), out);
            artifact = out;
        }
        return artifact;
    }

    /** The monitor options of the drift window, recorded in {@code history} under the window id {@code date=...}. */
    static MonitorJob.Options monitorOptions(Path data, Path history) throws Exception {
        return MonitorJob.Options.of(artifact(), ScaleOutData.model(), data).withHistory(history, "date=" + ScaleOutData.DRIFT_DATE);
    }

    /** One JVM's monitor record of the drift window, read by core from that partition's Parquet files. */
    static synchronized WindowRecord monitor() throws Exception {
        if (monitor == null) {
            Path window = data().resolve("date=" + ScaleOutData.DRIFT_DATE);
            Path history = data().getParent().resolve("one-jvm-history.db");
            long t0 = System.nanoTime();
            monitor = MonitorJob.run(monitorOptions(window, history), MonitorJob.Listener.NONE).record();
            System.out.printf("single-JVM monitor window: %,d rows, %.1f s%n", monitor.rows(), (System.nanoTime() - t0) / 1e9);
        }
        return monitor;
    }

    static synchronized long evalRows() throws IOException {
        evaluation(); // sets the count; a test may ask for it first
        return evalRows;
    }

    static void deleteTree(Path p) {
        if (p == null || !Files.exists(p)) {
            return;
        }
        try (Stream<Path> s = Files.walk(p)) {
            s.sorted(Comparator.reverseOrder()).forEach(q -> q.toFile().delete());
        } catch (IOException e) {
            // best effort at exit
        }
    }
}
