package dev.quantize.spark.bench;

import dev.quantize.calibration.CalibrationConfig;
import dev.quantize.calibration.CalibrationRunner;
import dev.quantize.calibration.CalibrationStats;
import dev.quantize.core.data.Dataset;
import dev.quantize.core.data.Datasets;
import dev.quantize.core.exec.Executor;
import dev.quantize.core.kernel.Parallelism;
import dev.quantize.core.onnx.OnnxReader;
import dev.quantize.monitor.baseline.BaselineBuilder;
import dev.quantize.monitor.baseline.MonitorBaseline;
import dev.quantize.monitor.job.MonitorJob;
import dev.quantize.quantizer.artifact.ArtifactWriter;
import dev.quantize.quantizer.job.QuantizeJob;
import dev.quantize.quantizer.search.SearchReport;
import dev.quantize.spark.SparkCalibration;
import dev.quantize.spark.SparkJobs;
import dev.quantize.spark.SparkMonitor;
import java.lang.management.ManagementFactory;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import org.apache.spark.sql.SparkSession;

/**
 * Rows per second of calibration (both passes) and of one monitor window on replicated dlrm_small
 * data, in one JVM, on {@code local[2]} and on a two-worker standalone cluster started here, all in
 * one run; then Spark's overhead as ratios and a scaling model for 100 workers from the measured
 * figures. Usage: {@code SparkBench DLRM_SMALL_DIR WORK_DIR [COPIES]} (COPIES of each 4,096-row split,
 * default 256: 1M calibration rows over two dates, a 1M-row monitor window).
 */
public final class SparkBench {
    private static final String EVAL_DATE = "2026-11-19";
    private static final String DRIFT_DATE = "2026-11-20";
    private static final int BATCH = 512;

    private SparkBench() {
    }

    record Timing(String where, double calibSeconds, long calibRows, double monitorSeconds, long monitorRows,
                  double calibHalfSeconds, double fixedSeconds) {
        double calibRate() {
            return calibRows / calibSeconds;
        }

        double monitorRate() {
            return monitorRows / monitorSeconds;
        }
    }

    public static void main(String[] args) throws Exception {
        Path shared = Path.of(args[0]);
        Path work = Path.of(args[1]);
        int copies = args.length > 2 ? Integer.parseInt(args[2]) : 256;
        Path model = shared.resolve("model.onnx");
        Path data = work.resolve("ctr-" + copies);
        if (!Files.isDirectory(data)) {
            System.out.printf("writing %,d rows of Parquet to %s%n", 2L * 4096 * copies, data);
            ReplicatedData.write(data, copies, List.of(shared.resolve("eval"), shared.resolve("drift")), List.of(EVAL_DATE, DRIFT_DATE));
        }
        Path artifact = work.resolve("dlrm_small_int8.qz");
        if (!Files.isRegularFile(artifact)) {
            artifact(model, shared.resolve("calib"), shared.resolve("eval"), artifact);
        }
        CalibrationConfig config = CalibrationConfig.defaults().withBatchSize(BATCH);
        Path window = data.resolve("date=" + DRIFT_DATE);
        List<Timing> t = new ArrayList<>();

        // One JVM, two threads (the machine's cores), reading the same Parquet files with core's reader.
        {
            double calib;
            double half;
            long rows;
            try (Dataset d = concat(data)) {
                long t0 = System.nanoTime();
                rows = CalibrationRunner.run(Executor.builder(OnnxReader.read(model)).threads(2).build(), d, config,
                        (p, done, total) -> { }).rows();
                calib = (System.nanoTime() - t0) / 1e9;
            }
            try (Dataset d = Datasets.open(window)) {
                long t0 = System.nanoTime();
                CalibrationRunner.run(Executor.builder(OnnxReader.read(model)).threads(2).build(), d, config, (p, done, total) -> { });
                half = (System.nanoTime() - t0) / 1e9;
            }
            long t0 = System.nanoTime();
            MonitorJob.Options o = MonitorJob.Options.of(artifact, model, window).withHistory(work.resolve("bench-history.db"),
                    "date=" + DRIFT_DATE);
            o = new MonitorJob.Options(o.artifact(), o.fp32(), o.data(), o.history(), o.window(), null, null, null, BATCH, 2, 0,
                    null, null, null);
            long mrows = MonitorJob.run(o, MonitorJob.Listener.NONE).record().rows();
            t.add(new Timing("one JVM (2 threads)", calib, rows, (System.nanoTime() - t0) / 1e9, mrows, half, 0));
        }
        t.add(spark("local[2]", null, model, artifact, data, work, config));
        try (LocalCluster cluster = LocalCluster.start(2)) {
            t.add(spark("standalone, 2 workers x 1 core", cluster, model, artifact, data, work, config));
        }
        report(t, copies);
    }

    private static Timing spark(String where, LocalCluster cluster, Path model, Path artifact, Path data, Path work,
                                CalibrationConfig config) throws Exception {
        SparkSession.Builder b = SparkSession.builder().appName("quantize-bench").config("spark.ui.enabled", "false")
                .config("spark.driver.host", "127.0.0.1").config("spark.driver.bindAddress", "127.0.0.1");
        if (cluster == null) {
            b.master("local[2]");
        } else {
            b.master(cluster.url()).config("spark.executor.extraClassPath", cluster.projectClasses())
                    .config("spark.executor.extraJavaOptions", String.join(" ", LocalCluster.moduleFlags()))
                    .config("spark.executor.memory", "900m");
        }
        long s0 = System.nanoTime();
        double fixed;
        SparkSession spark = b.getOrCreate();
        try {
            if (cluster != null) {
                while (spark.sparkContext().statusTracker().getExecutorInfos().length < 3) {
                    Thread.sleep(100);
                }
            }
            System.out.printf("%s: session and executors ready in %.1f s%n", where, (System.nanoTime() - s0) / 1e9);
            if (cluster == null) {
                System.out.println("scan plan: " + SparkJobs.parquet(spark, data, null).select("dense", "cat_0").queryExecution()
                        .executedPlan().toString().replace('\n', ' '));
            }
            // warm-up on a small slice, so both modes are measured with loaded classes and JIT-compiled code
            SparkCalibration.run(spark, SparkJobs.parquet(spark, data, null), "warm-up", model, config.withMaxRows(20_000));
            long t0 = System.nanoTime();
            long scanned = SparkJobs.scan(spark, SparkJobs.parquet(spark, data, null), model, BATCH);
            System.out.printf(Locale.ROOT, "%s: reading and batching alone (no model): %,.0f rows/s%n", where,
                    scanned / ((System.nanoTime() - t0) / 1e9));
            t0 = System.nanoTime();
            SparkCalibration.run(spark, SparkJobs.parquet(spark, data, null), "fixed cost", model, config.withMaxRows(1));
            fixed = (System.nanoTime() - t0) / 1e9;
            t0 = System.nanoTime();
            CalibrationStats s = SparkCalibration.run(spark, SparkJobs.parquet(spark, data, null), data.toString(), model, config);
            double calib = (System.nanoTime() - t0) / 1e9;
            t0 = System.nanoTime();
            SparkCalibration.run(spark, SparkJobs.parquet(spark, data, "date=" + DRIFT_DATE), data.toString(), model, config);
            double half = (System.nanoTime() - t0) / 1e9;
            t0 = System.nanoTime();
            MonitorJob.Options o = MonitorJob.Options.of(artifact, model, data).withHistory(work.resolve("bench-history.db"),
                    "date=" + DRIFT_DATE);
            o = new MonitorJob.Options(o.artifact(), o.fp32(), o.data(), o.history(), o.window(), null, null, null, BATCH, 2, 0,
                    null, null, null);
            long mrows = SparkMonitor.run(spark, SparkJobs.parquet(spark, data, "date=" + DRIFT_DATE), data.toString(), o)
                    .record().rows();
            return new Timing(where, calib, s.rows(), (System.nanoTime() - t0) / 1e9, mrows, half, fixed);
        } finally {
            spark.stop();
        }
    }

    private static void report(List<Timing> t, int copies) {
        double load = ManagementFactory.getOperatingSystemMXBean().getSystemLoadAverage();
        System.out.printf(Locale.ROOT, "%nmachine: %d cores, load average %.1f at the end%n",
                Runtime.getRuntime().availableProcessors(), load);
        System.out.printf(Locale.ROOT, "| where | calibration rows/s (2 passes, %,d rows) | vs one JVM | monitor window rows/s "
                + "(%,d rows) | vs one JVM |%n|---|---:|---:|---:|---:|%n", t.get(0).calibRows(), t.get(0).monitorRows());
        Timing one = t.get(0);
        for (Timing x : t) {
            System.out.printf(Locale.ROOT, "| %s | %,.0f | %.2f | %,.0f | %.2f |%n", x.where(), x.calibRate(),
                    x.calibRate() / one.calibRate(), x.monitorRate(), x.monitorRate() / one.monitorRate());
        }
        // Scaling model from the cluster: T(rows, W workers) = F + rows * c / W, with F the measured cost of a
        // calibration of one row (two jobs, broadcasts, merges) and c the worker-seconds per row of the full run.
        Timing c = t.get(t.size() - 1);
        int workers = 2;
        double perRow = (c.calibSeconds() - c.fixedSeconds()) * workers / c.calibRows();
        System.out.printf(Locale.ROOT, "%ncalibration on the cluster: %.2f s for %,d rows (%.2f s for half of them); fixed cost "
                + "of a job (one row) %.2f s; %.2f worker-us per row (one JVM: %.2f core-us per row)%n", c.calibSeconds(),
                c.calibRows(), c.calibHalfSeconds(), c.fixedSeconds(), perRow * 1e6, 2e6 / one.calibRate());
        System.out.printf(Locale.ROOT, "check of the model on half the rows: predicted %.2f s, measured %.2f s%n",
                c.fixedSeconds() + c.calibRows() / 2.0 * perRow / workers, c.calibHalfSeconds());
        for (long rows : new long[] {c.calibRows(), 100_000_000L, 1_000_000_000L}) {
            double t100 = c.fixedSeconds() + rows * perRow / 100;
            System.out.printf(Locale.ROOT, "model, 100 workers x 1 core, %,d rows: %.1f s, %,.0f rows/s (one JVM: %.1f s)%n",
                    rows, t100, rows / t100, rows / one.calibRate());
        }
    }

    private static Dataset concat(Path data) {
        Dataset a = Datasets.open(data.resolve("date=" + EVAL_DATE));
        Dataset b = Datasets.open(data.resolve("date=" + DRIFT_DATE));
        return new ConcatDataset(a, b);
    }

    /** dlrm_small quantized to int8 by the main job, with a monitor baseline from its calib split. */
    public static void artifact(Path model, Path calib, Path eval, Path out) throws Exception {
        QuantizeJob.Options d = QuantizeJob.Options.defaults(model, calib, eval);
        QuantizeJob.Options o = new QuantizeJob.Options(model, calib, eval, null, List.of("int8"), d.calibrationMethod(),
                d.calibrationRows(), 1024, BATCH, 2, false, d.cost());
        QuantizeJob.Result r = QuantizeJob.run(o, QuantizeJob.Listener.NONE);
        MonitorBaseline b;
        try (Dataset c = Datasets.open(calib)) {
            b = BaselineBuilder.build(r.model(), r.model(), r.search().plan(), true, c, BATCH, 0, Parallelism.of(2),
                    d.calibrationMethod().label(), done -> { });
        }
        ArtifactWriter.write(out, r.model(), r.modelBytes(), model.getFileName().toString(), r.search().plan(),
                r.calibration().toJson(), SearchReport.toJsonString(r.search(), r.model()), "bench",
                Map.of(MonitorBaseline.EXTRA_NAME, b.toJson()));
    }
}
