package dev.quantize.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import dev.quantize.calibration.CalibrationStats;
import dev.quantize.calibration.Method;
import java.io.IOException;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class CalibrateCommandTest {
    @TempDir
    Path tmp;

    @Test
    void calibratesAndPrintsRangesPerMethod() throws IOException {
        Path dir = CliRun.shared().resolve("models/mlp_tabular");
        Path out = tmp.resolve("stats.json");
        CliRun r = CliRun.of("calibrate", dir.resolve("model.onnx").toString(), "--data", dir.resolve("calib").toString(),
                "-o", out.toString(), "--batch", "128", "--json");
        assertEquals(0, r.exitCode(), r.err());
        CalibrationStats stats = CalibrationStats.read(out);
        assertEquals(512, stats.rows());
        JsonNode root = Json.MAPPER.readTree(r.out());
        assertEquals(512, root.get("rows").asInt());
        JsonNode ln1 = null;
        for (JsonNode t : root.get("tensors")) {
            if (t.get("name").asText().equals("/ln1/Add_1_output_0")) {
                ln1 = t;
            }
        }
        assertEquals(stats.range("/ln1/Add_1_output_0", Method.MIN_MAX).hi(), ln1.get("ranges").get("min-max").get(1).asDouble());
        assertEquals(stats.range("/ln1/Add_1_output_0", Method.ENTROPY).hi(), ln1.get("ranges").get("entropy").get(1).asDouble());
        assertEquals(5, ln1.get("ranges").size());

        CliRun text = CliRun.of("calibrate", dir.resolve("model.onnx").toString(), "--data", dir.resolve("calib").toString(),
                "-o", out.toString(), "--method", "min-max,percentile", "--percentile", "99.9", "--max-rows", "200");
        assertEquals(0, text.exitCode(), text.err());
        assertTrue(text.out().contains("percentile(99.9)"), text.out());
        assertTrue(text.out().contains("/ln1/Add_1_output_0"), text.out());
        assertTrue(text.out().contains("200 rows"), text.out());
        assertEquals(200, CalibrationStats.read(out).rows());
    }

    @Test
    void badInputIsOneLineAndExitTwo() {
        Path dir = CliRun.shared().resolve("models/mlp_tabular");
        CliRun r = CliRun.of("calibrate", dir.resolve("model.onnx").toString(), "--data", dir.resolve("calib").toString(),
                "-o", tmp.resolve("s.json").toString(), "--method", "median");
        assertEquals(2, r.exitCode());
        assertTrue(r.err().startsWith("quantize calibrate: error: unknown calibration method 'median'"), r.err());
        r = CliRun.of("calibrate", dir.resolve("model.onnx").toString(), "--data", tmp.resolve("missing").toString(),
                "-o", tmp.resolve("s.json").toString());
        assertEquals(2, r.exitCode());
        assertTrue(r.err().contains("missing: no such file or folder"), r.err());
    }
}
