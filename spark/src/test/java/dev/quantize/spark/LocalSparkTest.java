package dev.quantize.spark;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.quantize.calibration.CalibrationStats;
import dev.quantize.quantizer.search.MetricsPartial;
import dev.quantize.quantizer.search.Task;
import dev.quantize.monitor.history.History;
import dev.quantize.monitor.history.WindowRecord;
import dev.quantize.monitor.job.MonitorJob;
import java.nio.file.Path;
import org.apache.spark.sql.SparkSession;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** The scale-out jobs on {@code local[2]} agree with one JVM on the same rows. */
class LocalSparkTest {
    private static SparkSession spark;

    @BeforeAll
    static void start() {
        spark = Sessions.local();
    }

    @AfterAll
    static void stop() {
        if (spark != null) {
            spark.stop();
        }
    }

    @Test
    void calibrationAgreesWithOneJvm() throws Exception {
        Path data = Fixture.data();
        long t0 = System.nanoTime();
        CalibrationStats s = SparkCalibration.run(spark, spark.read().parquet(data.toString()), data.toString(),
                ScaleOutData.model(), Fixture.calibrationConfig());
        System.out.printf("local[2] calibration: %,d rows, %.1f s%n", s.rows(), (System.nanoTime() - t0) / 1e9);
        Agreement.calibration(Fixture.calibration(), s);
        assertEquals(2L * 4096 * ScaleOutData.COPIES, s.rows());
    }

    @Test
    void evaluationAgreesWithOneJvm() throws Exception {
        Path data = Fixture.data();
        MetricsPartial m = SparkEvaluation.run(spark, spark.read().parquet(data.toString()), data.toString(),
                ScaleOutData.model(), null, Fixture.BATCH);
        assertEquals(Task.BINARY, m.task());
        Agreement.metrics(Fixture.evaluation(), m.metrics());
        assertEquals(Fixture.evalRows(), m.rows());
        assertTrue(m.metrics().get(dev.quantize.quantizer.search.Metric.AUC) > 0.7);
    }

    @Test
    void monitorWindowAgreesWithOneJvmAndIsAppendedToTheHistory() throws Exception {
        Path data = Fixture.data();
        Path history = data.getParent().resolve("local-history.db");
        long t0 = System.nanoTime();
        MonitorJob.Result r = SparkMonitor.run(spark, SparkJobs.parquet(spark, data, "date=" + ScaleOutData.DRIFT_DATE),
                data.toString(), Fixture.monitorOptions(data, history));
        System.out.printf("local[2] monitor window: %,d rows, %.1f s%n", r.record().rows(), (System.nanoTime() - t0) / 1e9);
        assertEquals(4096L * ScaleOutData.COPIES, r.record().rows());
        Agreement.monitor(Fixture.monitor(), r.record());
        try (History h = History.open(history)) {
            WindowRecord stored = h.latest(r.record().model()).orElseThrow();
            assertEquals("date=" + ScaleOutData.DRIFT_DATE, stored.window());
            Agreement.monitor(Fixture.monitor(), stored);
        }
    }
}
