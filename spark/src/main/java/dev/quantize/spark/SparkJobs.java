package dev.quantize.spark;

import dev.quantize.calibration.CalibrationConfig;
import dev.quantize.calibration.CalibrationStats;
import dev.quantize.monitor.job.MonitorJob;
import dev.quantize.quantizer.search.MetricsPartial;
import java.io.IOException;
import java.net.URISyntaxException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashSet;
import java.util.Set;
import java.util.function.Function;
import org.apache.spark.api.java.JavaSparkContext;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.sql.functions;

/**
 * The command line's way in (the CLI calls these reflectively, so it compiles and ships without
 * Spark): each call starts a session on {@code master}, reads Parquet with Spark, runs one job and stops
 * the session. {@code master} is a Spark master URL ({@code local[2]}, {@code spark://host:7077}) or
 * {@value #SUBMIT}, which takes the master and settings {@code spark-submit} passed.
 */
public final class SparkJobs {
    /** The master value that defers to spark-submit's configuration. */
    public static final String SUBMIT = "submit";

    private SparkJobs() {
    }

    /** {@code quantize calibrate --spark}: statistics of {@code data} (Parquet file or folder). */
    public static CalibrationStats calibrate(String master, Path model, Path data, CalibrationConfig config)
            throws IOException {
        requireLocal(data);
        return withSession(master, spark -> {
            try {
                return SparkCalibration.run(spark, parquet(spark, data, null), data.toString(), model, config);
            } catch (IOException e) {
                throw new java.io.UncheckedIOException(e);
            }
        });
    }

    /**
     * {@code quantize eval --spark}: metrics of {@code model} (.onnx or artifact) on {@code data},
     * {@code reference} (FP32 .onnx) may be null; {@code maxRows} 0 means all rows.
     */
    public static MetricsPartial evaluate(String master, Path model, Path reference, Path data, int batchSize, long maxRows)
            throws IOException {
        requireLocal(data);
        return withSession(master, spark -> {
            try {
                Dataset<Row> rows = parquet(spark, data, null);
                if (maxRows > 0) {
                    rows = rows.limit((int) Math.min(Integer.MAX_VALUE, maxRows));
                }
                return SparkEvaluation.run(spark, rows, data.toString(), model, reference, batchSize);
            } catch (IOException e) {
                throw new java.io.UncheckedIOException(e);
            }
        });
    }

    /**
     * {@code quantize monitor run --spark}: one window of {@code options.data()} (Parquet); a window id
     * of the form {@code COLUMN=VALUE} keeps the rows whose column has that value (a partition).
     */
    public static MonitorJob.Result monitor(String master, MonitorJob.Options options) {
        String w = options.window();
        requireLocal(options.data());
        return withSession(master, spark -> {
            try {
                return SparkMonitor.run(spark, parquet(spark, options.data(), w != null && w.contains("=") ? w : null),
                        options.data().toString(), options);
            } catch (IOException e) {
                throw new java.io.UncheckedIOException(e);
            }
        });
    }

    /**
     * The main job's {@code --spark}: the format search's sensitivity trials as Spark tasks over the first
     * {@code maxRows} rows of {@code evalData} (any format the project reads; the sample is read here and broadcast).
     */
    public static double[] sensitivities(String master, Path model, Path evalData, int maxRows, int batchSize, String budget,
                                         java.util.List<String> formats,
                                         java.util.Map<String, dev.quantize.quantizer.plan.ActivationRange> ranges,
                                         java.util.List<dev.quantize.quantizer.search.SensitivityRunner.Trial> trials) {
        return withSession(master, spark -> {
            try {
                return SparkSearch.sensitivities(spark, model, evalData, maxRows, batchSize,
                        new SparkSearch.Settings(budget, formats, ranges), trials);
            } catch (IOException e) {
                throw new java.io.UncheckedIOException(e);
            }
        });
    }

    /**
     * Parquet at {@code data} (a file, or a folder with Hive-style {@code key=value} partition folders);
     * {@code window} ({@code key=value}, may be null) keeps one partition.
     */
    public static Dataset<Row> parquet(SparkSession spark, Path data, String window) {
        requireLocal(data);
        Dataset<Row> rows = spark.read().parquet(data.toString());
        if (window == null) {
            return rows;
        }
        int eq = window.indexOf('=');
        if (eq <= 0) {
            throw new IllegalArgumentException("window '" + window + "' should be COLUMN=VALUE, e.g. date=2026-11-20");
        }
        String column = window.substring(0, eq);
        if (!Set.of(rows.columns()).contains(column)) {
            throw new IllegalArgumentException(data + ": no column '" + column + "' to select window '" + window
                    + "' (columns: " + String.join(", ", rows.columns()) + ")");
        }
        return rows.where(functions.col(column).cast("string").equalTo(functions.lit(window.substring(eq + 1))));
    }

    /**
     * Reads the columns {@code model} needs from {@code data} and turns them into batches, without
     * running the model: the cost of Spark's data path alone (the benchmark's yardstick). Returns the rows.
     */
    public static long scan(SparkSession spark, Dataset<Row> data, Path model, int batchSize) throws IOException {
        JavaSparkContext sc = JavaSparkContext.fromSparkContext(spark.sparkContext());
        ShippedModel m = ShippedModel.ship(sc, model);
        try {
            SparkColumns columns = SparkColumns.bind("scan", data, m.model().graph().runtimeInputs());
            return columns.select(data).mapPartitions(it -> {
                long n = 0;
                for (dev.quantize.core.data.Batch b = columns.next(it, batchSize); b != null; b = columns.next(it, batchSize)) {
                    n += b.rows();
                }
                return java.util.List.of(n).iterator();
            }).reduce(Long::sum);
        } finally {
            m.release();
        }
    }

    /**
     * Fails when {@code data} is a local path that does not exist (before a session starts, so a typo
     * costs no Spark start-up); {@code hdfs:/...}, {@code s3a:/...} are Spark's to find.
     */
    static void requireLocal(Path data) {
        boolean local = !data.toString().matches("^[a-zA-Z][a-zA-Z0-9+.-]*:/.*");
        if (local && !Files.exists(data)) {
            throw new IllegalArgumentException(data + ": no such file or folder");
        }
    }

    /** Runs {@code job} in a session on {@code master}, stopped afterwards. */
    static <T> T withSession(String master, Function<SparkSession, T> job) {
        SparkSession spark = session(master);
        try {
            return job.apply(spark);
        } finally {
            spark.stop();
        }
    }

    /**
     * A session for the command line: the web UI off; on a loopback or local master everything bound to
     * 127.0.0.1; on a remote master the project's jars shipped to the executors.
     */
    static SparkSession session(String master) {
        SparkSession.Builder b = SparkSession.builder().appName("quantize").config("spark.ui.enabled", "false");
        if (SUBMIT.equals(master)) {
            return b.getOrCreate();
        }
        b.master(master);
        if (master.startsWith("local") || master.contains("127.0.0.1") || master.contains("localhost")) {
            b.config("spark.driver.host", "127.0.0.1").config("spark.driver.bindAddress", "127.0.0.1");
        }
        if (!master.startsWith("local")) {
            b.config("spark.jars", String.join(",", projectJars()));
        }
        return b.getOrCreate();
    }

    /** The jars holding this module's and the rest of the project's classes (the CLI jar, this module's jar). */
    static Set<String> projectJars() {
        Set<String> jars = new LinkedHashSet<>();
        for (Class<?> c : new Class<?>[] {SparkJobs.class, CalibrationStats.class, MetricsPartial.class}) {
            try {
                Path p = Path.of(c.getProtectionDomain().getCodeSource().getLocation().toURI());
                if (p.toString().endsWith(".jar")) {
                    jars.add(p.toString());
                }
            } catch (URISyntaxException | NullPointerException e) {
                // a class from an unusual loader: spark-submit's --jars must bring it
            }
        }
        return jars;
    }
}
