package dev.quantize.spark;

import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.quantize.calibration.CalibrationStats;
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
        ScaleOutChecks.evaluationAgreesWithOneJvm(spark);
    }

    @Test
    void monitorWindowAgreesWithOneJvmAndIsAppendedToTheHistory() throws Exception {
        ScaleOutChecks.monitorWindowAgreesAndIsStored(spark, "local[2]", "local-history.db");
    }
}
