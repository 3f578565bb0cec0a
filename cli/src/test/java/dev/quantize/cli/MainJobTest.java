package dev.quantize.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The main job on the embedded DLRM sample, end to end, as a user runs it. */
class MainJobTest {
    @TempDir
    Path tmp;

    private static Path sample() {
        Path p = Path.of("..", "samples", "data", "dlrm").toAbsolutePath().normalize();
        org.junit.jupiter.api.Assumptions.assumeTrue(Files.isDirectory(p), "embedded samples not found at " + p);
        return p;
    }

    @Test
    void quantizesTheSampleAndTheArtifactReproducesTheReportedMetrics() throws IOException {
        Path dir = sample();
        Path out = tmp.resolve("dlrm.qz");
        CliRun r = CliRun.of(dir.resolve("model.onnx").toString(), "--calib", dir.resolve("calib.arrow").toString(),
                "--eval", dir.resolve("eval.arrow").toString(), "-o", out.toString(), "--json");
        assertEquals(0, r.exitCode(), r.err());
        JsonNode report = Json.MAPPER.readTree(r.out());
        assertTrue(report.get("budget_met").asBoolean());
        assertEquals("ne+0.1%", report.get("budget").asText());
        assertTrue(report.get("weight_bytes").asLong() < report.get("fp32_weight_bytes").asLong() / 3, r.out());
        double fp32Ne = report.get("fp32").get("ne").asDouble();
        double ne = report.get("quantized").get("ne").asDouble();
        assertTrue(ne <= fp32Ne * 1.001, ne + " vs " + fp32Ne);
        assertTrue(Files.size(out) < Files.size(dir.resolve("model.onnx")) / 2, "artifact smaller than half the FP32 model");

        CliRun eval = CliRun.of("eval", out.toString(), "--data", dir.resolve("eval.arrow").toString(),
                "--reference", dir.resolve("model.onnx").toString(), "--json");
        assertEquals(0, eval.exitCode(), eval.err());
        JsonNode m = Json.MAPPER.readTree(eval.out()).get("metrics");
        for (String k : new String[] {"auc", "ne", "calibration", "sqnr", "cosine"}) {
            assertEquals(report.get("quantized").get(k).asDouble(), m.get(k).asDouble(), 0.0, "eval reproduces " + k + " exactly");
        }
    }

    @Test
    void anUnreachableBudgetExitsOneWithTheBestPlanFound() throws IOException {
        Path dir = sample();
        Path out = tmp.resolve("x.qz");
        CliRun r = CliRun.of(dir.resolve("model.onnx").toString(), "--calib", dir.resolve("calib.arrow").toString(),
                "--eval", dir.resolve("eval.arrow").toString(), "-o", out.toString(), "--budget", "auc>=0.99",
                "--formats", "mxfp4_e2m1", "--eval-rows", "1024");
        assertEquals(1, r.exitCode(), r.err());
        assertTrue(r.out().contains("budget auc>=0.99 (limit 0.99000): NOT met"), r.out());
    }

    @Test
    void badArgumentsAreOneLineAndExitTwo() {
        Path dir = sample();
        CliRun missing = CliRun.of(dir.resolve("model.onnx").toString(), "-o", tmp.resolve("y.qz").toString());
        assertEquals(2, missing.exitCode());
        assertTrue(missing.err().contains("the main job needs --calib DATA, --eval DATA"), missing.err());
        CliRun budget = CliRun.of(dir.resolve("model.onnx").toString(), "--calib", dir.resolve("calib.arrow").toString(),
                "--eval", dir.resolve("eval.arrow").toString(), "-o", tmp.resolve("z.qz").toString(), "--budget", "acc-1%");
        assertEquals(2, budget.exitCode());
        assertTrue(budget.err().contains("budget 'acc-1%' is in acc, but this model is binary"), budget.err());
        assertFalse(Files.exists(tmp.resolve("z.qz")), "nothing written on bad input");
    }
}
