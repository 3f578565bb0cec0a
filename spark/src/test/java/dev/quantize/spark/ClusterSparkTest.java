package dev.quantize.spark;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.quantize.calibration.CalibrationStats;
import dev.quantize.spark.bench.LocalCluster;
import java.nio.file.Path;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import org.apache.spark.scheduler.SparkListener;
import org.apache.spark.scheduler.SparkListenerExecutorRemoved;
import org.apache.spark.scheduler.SparkListenerStageSubmitted;
import org.apache.spark.scheduler.SparkListenerTaskEnd;
import org.apache.spark.scheduler.SparkListenerTaskStart;
import org.apache.spark.sql.SparkSession;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;

/**
 * The scale-out jobs on a real standalone cluster (a master and two workers, separate JVMs on
 * 127.0.0.1) agree with one JVM, run from this JVM's session and from spark-submit; killing a worker
 * in the middle of a job changes nothing.
 */
@Tag("cluster")
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class ClusterSparkTest {
    private static LocalCluster cluster;
    private static SparkSession spark;

    @BeforeAll
    static void start() {
        ScaleOutData.shared(); // skips when the shared models are absent, before any process starts
        cluster = LocalCluster.start(2);
    }

    /**
     * The tests' own session on the cluster, started at first use (after the spark-submit test, whose
     * application must have the workers' cores to itself first), with both workers' executors registered.
     */
    private static synchronized SparkSession spark() throws InterruptedException {
        if (spark == null) {
            spark = Sessions.base(cluster.url())
                    .config("spark.executor.extraClassPath", cluster.projectClasses())
                    .config("spark.executor.extraJavaOptions", String.join(" ", LocalCluster.moduleFlags()))
                    .config("spark.executor.memory", "900m")
                    .config("spark.sql.files.maxPartitionBytes", String.valueOf(4 << 20))
                    .config("spark.task.maxFailures", "4")
                    .getOrCreate();
            long deadline = System.nanoTime() + 120_000_000_000L;
            while (spark.sparkContext().statusTracker().getExecutorInfos().length < 3) { // the driver and two executors
                if (spark.sparkContext().isStopped() || System.nanoTime() > deadline) {
                    throw new IllegalStateException("the two workers' executors did not register within 120 s (logs: the cluster home folder)");
                }
                Thread.sleep(200);
            }
        }
        return spark;
    }

    /**
     * The README's spark-submit command against the cluster (client mode, as the script runs it): the
     * project reaches the executors only as the submitted jars, and {@code eval --json} prints the
     * single-JVM metrics.
     */
    @Test
    @Order(0)
    void evalUnderSparkSubmitOnTheClusterGivesTheSingleJvmMetrics() throws Exception {
        Path data = Fixture.smallData();
        String model = ScaleOutData.model().toString();
        CliSparkTest.Run one = CliSparkTest.cli("eval", model, "--data", data.toString(), "--json");
        assertEquals(0, one.code(), one.err());
        long t0 = System.nanoTime();
        SparkSubmitRun.Result r = SparkSubmitRun.submit(cluster.url(),
                java.util.List.of("spark.driver.host=127.0.0.1", "spark.executor.memory=900m"),
                "eval", model, "--data", data.toString(), "--json", "--spark", "submit");
        System.out.printf("spark-submit cluster eval: %.1f s%n", (System.nanoTime() - t0) / 1e9);
        assertEquals(0, r.code(), r.err());
        var mapper = new com.fasterxml.jackson.databind.ObjectMapper();
        var a = mapper.readTree(one.out());
        var b = mapper.readTree(r.out());
        assertEquals(4096L * 8, b.get("rows").asLong());
        assertEquals(a.get("rows"), b.get("rows"));
        assertEquals(a.get("task"), b.get("task"));
        double auc = a.get("metrics").get("auc").asDouble();
        assertTrue(auc > 0.7, "AUC " + auc);
        assertEquals(auc, b.get("metrics").get("auc").asDouble(), 0, "AUC");
        double ne = a.get("metrics").get("ne").asDouble();
        assertEquals(ne, b.get("metrics").get("ne").asDouble(), Agreement.SUM_TOLERANCE * ne, "NE");
    }

    @AfterAll
    static void stop() {
        try {
            if (spark != null) {
                spark.stop();
            }
        } finally {
            if (cluster != null) {
                cluster.close();
            }
        }
    }

    /** The sensitivity trials travel to other JVMs (model, sample, ranges, trials serialized) and come back equal. */
    @Test
    @Order(4) // last: warm executors would finish the worker-kill test's task before the kill
    void searchTrialsAgreeWithOneJvmBitForBit() throws Exception {
        Path dir = ScaleOutData.shared();
        dev.quantize.core.graph.Model model = dev.quantize.core.onnx.OnnxReader.read(dir.resolve("model.onnx"));
        java.util.List<String> formats = java.util.List.of("int8", "mxfp4_e2m1");
        java.util.Map<String, dev.quantize.quantizer.plan.ActivationRange> ranges =
                java.util.Map.of("/top_mlp/top_mlp.0/Gemm", new dev.quantize.quantizer.plan.ActivationRange(-3f, 5f));
        try (dev.quantize.core.data.Dataset data = dev.quantize.core.data.Datasets.open(dir.resolve("eval"))) {
            var ev = new dev.quantize.quantizer.search.Evaluator(model, data, 512, 256, dev.quantize.core.kernel.Parallelism.single());
            var search = new dev.quantize.quantizer.search.FormatSearch(model, ev,
                    dev.quantize.quantizer.search.Budget.parse("ne+0.1%"), formats, ranges, (w, d, t) -> { });
            var trials = search.sensitivityTrials();
            double[] spread = SparkSearch.sensitivities(spark(), dir.resolve("model.onnx"), dir.resolve("eval"), 512, 256,
                    new SparkSearch.Settings("ne+0.1%", formats, ranges), trials);
            org.junit.jupiter.api.Assertions.assertArrayEquals(search.measure(trials), spread);
        }
    }

    @Test
    @Order(1)
    void evaluationAgreesWithOneJvm() throws Exception {
        ScaleOutChecks.evaluationAgreesWithOneJvm(spark());
    }

    @Test
    @Order(3)
    void calibrationAgreesWithOneJvmEvenWhenAWorkerDiesMidJob() throws Exception {
        Path data = Fixture.data();
        AtomicBoolean killed = new AtomicBoolean();
        AtomicInteger failedTasks = new AtomicInteger();
        AtomicInteger removedExecutors = new AtomicInteger();
        SparkSession spark = spark();
        String victim = cluster.executorOf(0, spark.sparkContext().applicationId());
        assertTrue(victim != null, "worker 0 launched an executor");
        Set<Integer> dataStages = ConcurrentHashMap.newKeySet();
        spark.sparkContext().addSparkListener(new SparkListener() {
            @Override
            public void onStageSubmitted(SparkListenerStageSubmitted submitted) {
                // Only a stage over the data files (one task per file) has tasks long enough to be killed
                // mid-run; Spark's small bookkeeping jobs (file listing, schema) finish in milliseconds.
                if (submitted.stageInfo().numTasks() >= 8) {
                    dataStages.add(submitted.stageInfo().stageId());
                }
            }

            @Override
            public void onTaskStart(SparkListenerTaskStart start) {
                // The first data task worker 0's executor gets: kill the worker (and its executor) at once,
                // while that task runs.
                if (dataStages.contains(start.stageId()) && start.taskInfo().executorId().equals(victim)
                        && killed.compareAndSet(false, true)) {
                    new Thread(() -> cluster.killWorker(0), "kill-worker").start();
                }
            }

            @Override
            public void onTaskEnd(SparkListenerTaskEnd end) {
                if (!end.taskInfo().successful()) {
                    failedTasks.incrementAndGet();
                }
            }

            @Override
            public void onExecutorRemoved(SparkListenerExecutorRemoved removed) {
                removedExecutors.incrementAndGet();
            }
        });
        long t0 = System.nanoTime();
        CalibrationStats s = SparkCalibration.run(spark, spark.read().parquet(data.toString()), data.toString(),
                ScaleOutData.model(), Fixture.calibrationConfig());
        System.out.printf("cluster calibration with a worker killed: %,d rows, %.1f s, %d failed task attempts, "
                + "%d executors removed%n", s.rows(), (System.nanoTime() - t0) / 1e9, failedTasks.get(), removedExecutors.get());
        assertTrue(killed.get(), "the worker was killed");
        assertTrue(removedExecutors.get() >= 1, "Spark noticed the lost executor");
        assertTrue(failedTasks.get() >= 1, "a task attempt was lost with the worker and run again");
        Agreement.calibration(Fixture.calibration(), s);
        assertEquals(2L * 4096 * ScaleOutData.COPIES, s.rows());
    }

    @Test
    @Order(2)
    void monitorWindowAgreesWithOneJvmAndIsAppendedToTheHistory() throws Exception {
        ScaleOutChecks.monitorWindowAgreesAndIsStored(spark(), "cluster", "cluster-history.db");
    }
}
