package dev.quantize.spark;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.quantize.calibration.CalibrationStats;
import dev.quantize.quantizer.search.MetricsPartial;
import java.nio.file.Path;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import org.apache.spark.scheduler.SparkListener;
import org.apache.spark.scheduler.SparkListenerExecutorRemoved;
import org.apache.spark.scheduler.SparkListenerTaskEnd;
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
 * 127.0.0.1) agree with one JVM; killing a worker in the middle of a job changes nothing.
 */
@Tag("cluster")
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class ClusterSparkTest {
    private static LocalCluster cluster;
    private static SparkSession spark;

    @BeforeAll
    static void start() throws Exception {
        ScaleOutData.shared(); // skips when the shared models are absent, before any process starts
        cluster = LocalCluster.start(2);
        spark = Sessions.base(cluster.url())
                .config("spark.executor.extraClassPath", cluster.projectClasses())
                .config("spark.executor.extraJavaOptions", String.join(" ", LocalCluster.moduleFlags()))
                .config("spark.executor.memory", "900m")
                .config("spark.sql.files.maxPartitionBytes", String.valueOf(1 << 20))
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

    @Test
    @Order(1)
    void evaluationAgreesWithOneJvm() throws Exception {
        Path data = Fixture.data();
        MetricsPartial m = SparkEvaluation.run(spark, spark.read().parquet(data.toString()), data.toString(),
                ScaleOutData.model(), null, Fixture.BATCH);
        Agreement.metrics(Fixture.evaluation(), m.metrics());
        assertEquals(Fixture.evalRows(), m.rows());
    }

    @Test
    @Order(2)
    void calibrationAgreesWithOneJvmEvenWhenAWorkerDiesMidJob() throws Exception {
        Path data = Fixture.data();
        AtomicBoolean killed = new AtomicBoolean();
        AtomicInteger failedTasks = new AtomicInteger();
        AtomicInteger removedExecutors = new AtomicInteger();
        spark.sparkContext().addSparkListener(new SparkListener() {
            @Override
            public void onTaskEnd(SparkListenerTaskEnd end) {
                if (!end.taskInfo().successful()) {
                    failedTasks.incrementAndGet();
                } else if (killed.compareAndSet(false, true)) {
                    // the first finished task of pass 1: the job is under way, most partitions still to run
                    new Thread(() -> cluster.killWorker(0), "kill-worker").start();
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
        Agreement.calibration(Fixture.calibration(), s);
        assertEquals(2L * 4096 * ScaleOutData.COPIES, s.rows());
    }
}
