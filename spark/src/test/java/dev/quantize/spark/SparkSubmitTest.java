package dev.quantize.spark;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.quantize.calibration.CalibrationStats;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The README's spark-submit way on {@code local[2]}: {@code calibrate ... --spark submit} under Spark's
 * own submit entry point writes the single-JVM statistics; bad input fails in one line with exit 2.
 * (The same on the standalone cluster: {@link ClusterSparkTest}.)
 */
class SparkSubmitTest {
    @TempDir
    Path tmp;

    @Test
    void calibrateUnderSparkSubmitWritesTheSingleJvmStatistics() throws Exception {
        Path data = Fixture.smallData();
        String model = ScaleOutData.model().toString();
        Path one = tmp.resolve("one.json");
        CliSparkTest.Run local = CliSparkTest.cli("calibrate", model, "--data", data.toString(), "-o", one.toString());
        assertEquals(0, local.code(), local.err());
        Path spark = tmp.resolve("stats.json");
        long t0 = System.nanoTime();
        SparkSubmitRun.Result r = SparkSubmitRun.submit("local[2]", List.of(),
                "calibrate", model, "--data", data.toString(), "-o", spark.toString(), "--spark", "submit");
        System.out.printf("spark-submit local[2] calibrate: %.1f s%n", (System.nanoTime() - t0) / 1e9);
        assertEquals(0, r.code(), r.err());
        CalibrationStats s = CalibrationStats.read(spark);
        assertEquals(4096L * 8, s.rows());
        Agreement.calibration(CalibrationStats.read(one), s);
    }

    @Test
    void aMissingFileUnderSparkSubmitFailsInOneLine() throws Exception {
        Path missing = tmp.resolve("no-such-folder");
        Path out = tmp.resolve("stats.json");
        SparkSubmitRun.Result r = SparkSubmitRun.submit("local[2]", List.of(),
                "calibrate", ScaleOutData.model().toString(), "--data", missing.toString(), "-o", out.toString(), "--spark", "submit");
        assertEquals(2, r.code(), r.err());
        assertEquals(List.of("quantize calibrate: error: " + missing + ": no such file or folder"), r.userLines(), r.err());
        assertFalse(r.err().contains("\tat "), "no stack trace: " + r.err());
        assertTrue(r.out().isBlank(), r.out());
        assertFalse(Files.exists(out));
    }
}
