package dev.quantize.spark;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.quantize.monitor.history.History;
import dev.quantize.monitor.history.WindowRecord;
import dev.quantize.monitor.job.MonitorJob;
import dev.quantize.quantizer.search.Metric;
import dev.quantize.quantizer.search.MetricsPartial;
import dev.quantize.quantizer.search.Task;
import java.nio.file.Path;
import org.apache.spark.sql.SparkSession;

/** The checks every Spark deployment under test (local[2], the standalone cluster) must pass alike. */
final class ScaleOutChecks {
    private ScaleOutChecks() {
    }

    /** Evaluation over the whole Parquet set equals one JVM's. */
    static void evaluationAgreesWithOneJvm(SparkSession spark) throws Exception {
        Path data = Fixture.data();
        MetricsPartial m = SparkEvaluation.run(spark, spark.read().parquet(data.toString()), data.toString(),
                ScaleOutData.model(), null, Fixture.BATCH);
        assertEquals(Task.BINARY, m.task());
        Agreement.metrics(Fixture.evaluation(), m.metrics());
        assertEquals(Fixture.evalRows(), m.rows());
        assertTrue(m.metrics().get(Metric.AUC) > 0.7);
    }

    /**
     * The drift partition as one monitor window equals one JVM's record, and the same record lands in
     * the history file {@code historyName} (next to the data). {@code label} names the deployment in
     * the printed timing.
     */
    static void monitorWindowAgreesAndIsStored(SparkSession spark, String label, String historyName) throws Exception {
        Path data = Fixture.data();
        Path history = data.getParent().resolve(historyName);
        long t0 = System.nanoTime();
        MonitorJob.Result r = SparkMonitor.run(spark, SparkJobs.parquet(spark, data, "date=" + ScaleOutData.DRIFT_DATE),
                data.toString(), Fixture.monitorOptions(data, history));
        System.out.printf("%s monitor window: %,d rows, %.1f s%n", label, r.record().rows(), (System.nanoTime() - t0) / 1e9);
        assertEquals(4096L * ScaleOutData.COPIES, r.record().rows());
        Agreement.monitor(Fixture.monitor(), r.record());
        try (History h = History.open(history)) {
            WindowRecord stored = h.latest(r.record().model()).orElseThrow();
            assertEquals("date=" + ScaleOutData.DRIFT_DATE, stored.window());
            Agreement.monitor(Fixture.monitor(), stored);
        }
    }
}
