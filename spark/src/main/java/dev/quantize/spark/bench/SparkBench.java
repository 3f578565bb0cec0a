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
import dev.quantize.core.graph.Model;
import dev.quantize.quantizer.job.QuantizeJob;
import dev.quantize.quantizer.plan.ActivationRange;
import dev.quantize.quantizer.search.Budget;
import dev.quantize.quantizer.search.Evaluator;
import dev.quantize.quantizer.search.FormatSearch;
import dev.quantize.quantizer.search.SensitivityRunner;
import dev.quantize.spark.SparkSearch;
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
 * one run; the wall time of the search's sensitivity sweep in one JVM, on {@code local[2]} and on
 * standalone clusters of one and two workers; then Spark's overhead as ratios and a scaling model for
 * 100 workers from the measured figures. The load average is printed with every phase (the machine
 * may be shared). Usage: {@code SparkBench DLRM_SMALL_DIR WORK_DIR [COPIES [sweep]]} (COPIES of each
 * 4,096-row split, default 256: 2M calibration rows over two dates, a 1M-row monitor window; {@code sweep}:
 * only the sensitivity sweep, about 2 minutes).
 */
public final class SparkBench {
    private static final String EVAL_DATE = "2026-11-19";
    private static final String DRIFT_DATE = "2026-11-20";
    private static final int BATCH = 512;
    /**
     * The sweep of SparkSearchTest (its formats, budget and one activation range) on the first 65,536
     * rows of the eval date: 16 times the eval split, so that the trials' work, not the fixed cost of
     * shipping the sample, sets the wall time.
     */
    private static final List<String> SEARCH_FORMATS = List.of("int8", "mxfp4_e2m1", "rowwise_4bit");
    private static final String SEARCH_BUDGET = "ne+0.1%";
    private static final Map<String, ActivationRange> SEARCH_RANGES = Map.of("/top_mlp/top_mlp.0/Gemm", new ActivationRange(-3f, 5f));
    private static final int SEARCH_ROWS = 65_536;

    private SparkBench() {
    }

    record Timing(String where, double calibSeconds, long calibRows, double monitorSeconds, long monitorRows,
                  double calibHalfSeconds, double fixedSeconds, double scanRate) {
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
        if (args.length > 3 && args[3].equals("sweep")) {
            sweepOnly(model, data);
            return;
        }
        Path artifact = work.resolve("dlrm_small_int8.qz");
        if (!Files.isRegularFile(artifact)) {
            artifact(model, shared.resolve("calib"), shared.resolve("eval"), artifact);
        }
        CalibrationConfig config = CalibrationConfig.defaults().withBatchSize(BATCH);
        Path window = data.resolve("date=" + DRIFT_DATE);
        List<Timing> t = new ArrayList<>();

        // One JVM, two threads (the machine's cores), reading the same Parquet files with core's reader.
        load("one JVM");
        {
            double calib;
            long rows;
            try (Dataset d = concat(data)) {
                long t0 = System.nanoTime();
                rows = CalibrationRunner.run(Executor.builder(OnnxReader.read(model)).threads(2).build(), d, config,
                        (p, done, total) -> { }).rows();
                calib = (System.nanoTime() - t0) / 1e9;
            }
            long t0 = System.nanoTime();
            MonitorJob.Options o = MonitorJob.Options.of(artifact, model, window).withHistory(work.resolve("bench-history.db"),
                    "date=" + DRIFT_DATE);
            o = new MonitorJob.Options(o.artifact(), o.fp32(), o.data(), o.history(), o.window(), null, null, null, BATCH, 2, 0,
                    null, null, null);
            long mrows = MonitorJob.run(o, MonitorJob.Listener.NONE).record().rows();
            t.add(new Timing("one JVM (2 threads)", calib, rows, (System.nanoTime() - t0) / 1e9, mrows, 0, 0, 0));
        }
        Sweep sweep = new Sweep(model, data.resolve("date=" + EVAL_DATE));
        List<SweepTiming> s = new ArrayList<>();
        s.add(sweep.oneJvm(1));
        s.add(sweep.oneJvm(2));
        load("local[2]");
        t.add(spark("local[2]", null, model, artifact, data, work, config, sweep, s));
        try (LocalCluster cluster = LocalCluster.start(1)) {
            load("standalone, 1 worker");
            s.add(sweepOnCluster("standalone, 1 worker x 1 core", cluster, 1, sweep));
        }
        try (LocalCluster cluster = LocalCluster.start(2)) {
            load("standalone, 2 workers");
            t.add(spark("standalone, 2 workers x 1 core", cluster, model, artifact, data, work, config, sweep, s));
        }
        load("end");
        report(t, copies);
        reportSweep(s, sweep);
    }

    /** A session on local[2] ({@code cluster} null) or on every worker of {@code cluster}, its executors registered. */
    private static SparkSession session(String where, LocalCluster cluster, int workers) throws InterruptedException {
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
        SparkSession spark = b.getOrCreate();
        if (cluster != null) {
            while (spark.sparkContext().statusTracker().getExecutorInfos().length < workers + 1) {
                Thread.sleep(100);
            }
        }
        System.out.printf("%s: session and executors ready in %.1f s%n", where, (System.nanoTime() - s0) / 1e9);
        return spark;
    }

    /** The sweep alone: one JVM (1 and 2 threads), local[2], standalone clusters of 1 and 2 workers. */
    private static void sweepOnly(Path model, Path data) throws Exception {
        load("one JVM");
        Sweep sweep = new Sweep(model, data.resolve("date=" + EVAL_DATE));
        List<SweepTiming> s = new ArrayList<>();
        s.add(sweep.oneJvm(1));
        s.add(sweep.oneJvm(2));
        load("local[2]");
        SparkSession local = session("local[2]", null, 2);
        try {
            s.add(sweep.spark("local[2]", local));
        } finally {
            local.stop();
        }
        for (int workers : new int[] {1, 2}) {
            try (LocalCluster cluster = LocalCluster.start(workers)) {
                load("standalone, " + workers + " worker(s)");
                s.add(sweepOnCluster("standalone, " + workers + (workers == 1 ? " worker" : " workers") + " x 1 core", cluster,
                        workers, sweep));
            }
        }
        load("end");
        reportSweep(s, sweep);
    }

    private static SweepTiming sweepOnCluster(String where, LocalCluster cluster, int workers, Sweep sweep) throws Exception {
        SparkSession spark = session(where, cluster, workers);
        try {
            return sweep.spark(where, spark);
        } finally {
            spark.stop();
        }
    }

    private static Timing spark(String where, LocalCluster cluster, Path model, Path artifact, Path data, Path work,
                                CalibrationConfig config, Sweep sweep, List<SweepTiming> sweeps) throws Exception {
        double fixed;
        SparkSession spark = session(where, cluster, 2);
        try {
            if (cluster == null) {
                System.out.println("scan plan: " + SparkJobs.parquet(spark, data, null).select("dense", "cat_0").queryExecution()
                        .executedPlan().toString().replace('\n', ' '));
            }
            // warm-up on a small slice, so both modes are measured with loaded classes and JIT-compiled code
            SparkCalibration.run(spark, SparkJobs.parquet(spark, data, null), "warm-up", model, config.withMaxRows(20_000));
            long t0 = System.nanoTime();
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
            double monitor = (System.nanoTime() - t0) / 1e9;
            // Spark's data path alone, measured after the jobs (warm code, as theirs was): the faster of two scans.
            double scanRate = 0;
            for (int i = 0; i < 2; i++) {
                t0 = System.nanoTime();
                long scanned = SparkJobs.scan(spark, SparkJobs.parquet(spark, data, null), model, BATCH);
                scanRate = Math.max(scanRate, scanned / ((System.nanoTime() - t0) / 1e9));
            }
            System.out.printf(Locale.ROOT, "%s: reading and batching alone (no model): %,.0f rows/s%n", where, scanRate);
            Timing timing = new Timing(where, calib, s.rows(), monitor, mrows, half, fixed, scanRate);
            System.out.printf(Locale.ROOT, "%s: calibration %.1f s, half %.1f s, monitor window %.1f s%n", where, calib, half,
                    timing.monitorSeconds());
            sweeps.add(sweep.spark(where, spark));
            return timing;
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
        System.out.println();
        for (Timing x : t.subList(1, t.size())) {
            overhead(x);
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

    /** Spark's overhead on the calibration: its wall time over the part that is not Spark's data path (read twice). */
    private static void overhead(Timing x) {
        double dataPath = 2.0 * x.calibRows() / x.scanRate();
        System.out.printf(Locale.ROOT, "%s: data path alone %,.0f rows/s, so %.1f s of the calibration's %.1f s (%.0f%%) is "
                + "reading and batching; overhead ratio %.2f (wall time / the rest)%n", x.where(), x.scanRate(), dataPath,
                x.calibSeconds(), 100 * dataPath / x.calibSeconds(), x.calibSeconds() / (x.calibSeconds() - dataPath));
    }

    /** The load averages (1, 5, 15 min) now, printed with the phase they precede: the machine may be shared. */
    static void load(String phase) {
        String avg;
        try {
            avg = Files.readString(Path.of("/proc/loadavg")).strip();
        } catch (java.io.IOException e) {
            avg = String.valueOf(ManagementFactory.getOperatingSystemMXBean().getSystemLoadAverage());
        }
        System.out.printf("load average before %s: %s%n", phase, avg);
    }

    record SweepTiming(String where, double seconds, int tasks, boolean equal) {
    }

    /** The search's sensitivity sweep (step 1) over the eval split, timed from the sample's read to the last value. */
    static final class Sweep {
        private final Path model;
        private final Path eval;
        private final Model m;
        private final List<SensitivityRunner.Trial> trials;
        private double[] reference;

        Sweep(Path model, Path eval) throws java.io.IOException {
            this.model = model;
            this.eval = eval;
            this.m = OnnxReader.read(model);
            try (Dataset d = Datasets.open(eval)) {
                trials = search(new Evaluator(m, d, SEARCH_ROWS, BATCH, Parallelism.single())).sensitivityTrials();
            }
        }

        private FormatSearch search(Evaluator ev) {
            return new FormatSearch(m, ev, Budget.parse(SEARCH_BUDGET), SEARCH_FORMATS, SEARCH_RANGES, (w, d, t) -> { });
        }

        private double[] oneJvmValues(int threads, List<SensitivityRunner.Trial> which) {
            try (Dataset d = Datasets.open(eval)) {
                return search(new Evaluator(m, d, SEARCH_ROWS, BATCH, Parallelism.of(threads))).measure(which);
            }
        }

        SweepTiming oneJvm(int threads) {
            oneJvmValues(threads, trials.subList(0, 4)); // warm-up
            long t0 = System.nanoTime();
            double[] v = oneJvmValues(threads, trials);
            return timing("one JVM (" + threads + (threads == 1 ? " thread)" : " threads)"), t0, v, 0);
        }

        SweepTiming spark(String where, SparkSession spark) throws java.io.IOException {
            SparkSearch.Settings settings = new SparkSearch.Settings(SEARCH_BUDGET, SEARCH_FORMATS, SEARCH_RANGES);
            SparkSearch.sensitivities(spark, model, eval, SEARCH_ROWS, BATCH, settings, trials.subList(0, 4)); // warm-up
            long t0 = System.nanoTime();
            double[] v = SparkSearch.sensitivities(spark, model, eval, SEARCH_ROWS, BATCH, settings, trials);
            return timing(where, t0, v, trials.size());
        }

        private SweepTiming timing(String where, long t0, double[] v, int tasks) {
            double seconds = (System.nanoTime() - t0) / 1e9;
            if (reference == null) {
                reference = v;
            }
            SweepTiming t = new SweepTiming(where, seconds, tasks, java.util.Arrays.equals(reference, v));
            System.out.printf(Locale.ROOT, "sweep, %s: %.2f s, values equal to the first run's: %s%n", where, seconds, t.equal());
            return t;
        }
    }

    private static void reportSweep(List<SweepTiming> s, Sweep sweep) {
        SweepTiming yard = s.stream().filter(x -> x.where().startsWith("one JVM (2")).findFirst().orElse(s.get(0));
        System.out.printf(Locale.ROOT, "%nsensitivity sweep: %d trials (%s), %d eval rows in batches of %d%n"
                + "| where | wall time (s) | vs one JVM (2 threads) | Spark tasks | values equal one JVM's |%n|---|---:|---:|---:|---|%n",
                sweep.trials.size(), String.join(",", SEARCH_FORMATS), SEARCH_ROWS, BATCH);
        for (SweepTiming x : s) {
            System.out.printf(Locale.ROOT, "| %s | %.2f | %.2f | %s | %s |%n", x.where(), x.seconds(), yard.seconds() / x.seconds(),
                    x.tasks() == 0 ? "-" : String.valueOf(x.tasks()), x.equal() ? "yes" : "NO");
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
