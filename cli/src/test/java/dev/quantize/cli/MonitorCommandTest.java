package dev.quantize.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** quantize monitor run / recalibrate as a cron job runs them, on the embedded DLRM sample. */
class MonitorCommandTest {
    @TempDir
    static Path tmp;
    static Path dir;
    static Path artifact;

    @BeforeAll
    static void quantize() {
        dir = Path.of("..", "samples", "data", "dlrm").toAbsolutePath().normalize();
        org.junit.jupiter.api.Assumptions.assumeTrue(Files.isDirectory(dir), "embedded samples not found at " + dir);
        artifact = tmp.resolve("dlrm.qz");
        CliRun r = CliRun.of(dir.resolve("model.onnx").toString(), "--calib", dir.resolve("calib.arrow").toString(),
                "--eval", dir.resolve("eval.arrow").toString(), "-o", artifact.toString());
        assertEquals(0, r.exitCode(), r.err());
    }

    private static CliRun run(String split, String... more) {
        String[] base = {"monitor", "run", artifact.toString(), "--fp32", dir.resolve("model.onnx").toString(),
                "--data", dir.resolve(split + ".arrow").toString(), "--threads", "2"};
        String[] all = new String[base.length + more.length];
        System.arraycopy(base, 0, all, 0, base.length);
        System.arraycopy(more, 0, all, base.length, more.length);
        return CliRun.of(all);
    }

    @Test
    void evalIsHealthyDriftAlarmsAndRecalibrationHeals() throws Exception {
        Path db = tmp.resolve("history.db");
        Path prom = tmp.resolve("textfile").resolve("dlrm.prom");
        CliRun eval = run("eval", "--history", db.toString(), "--window", "2026-12-01", "--model-name", "dlrm");
        assertEquals(0, eval.exitCode(), eval.err());
        assertTrue(eval.out().startsWith("dlrm, window 2026-12-01: 4096 rows, status "), eval.out());
        assertTrue(eval.out().contains("AUC "), eval.out());

        CliRun drift = run("drift", "--history", db.toString(), "--window", "2026-12-02", "--model-name", "dlrm",
                "--prometheus", prom.toString(), "--html", tmp.resolve("report.html").toString(), "--json");
        assertEquals(1, drift.exitCode(), drift.err());
        JsonNode j = Json.MAPPER.readTree(drift.out());
        assertEquals("alarm", j.get("status").asText());
        assertTrue(j.get("drifted_inputs").size() > 0, drift.out());
        String text = Files.readString(prom);
        assertTrue(text.contains("quantize_monitor_status{format=\"mixed\",model=\"dlrm\"} 2"), text);
        String html = Files.readString(tmp.resolve("report.html"));
        assertTrue(html.contains("2026-12-02") && html.contains("2026-12-01"), "the report plots both windows of the history");

        Path recal = tmp.resolve("dlrm.recal.qz");
        CliRun r = CliRun.of("monitor", "recalibrate", artifact.toString(), "--fp32", dir.resolve("model.onnx").toString(),
                "--data", dir.resolve("drift.arrow").toString(), "-o", recal.toString(), "--history", db.toString(),
                "--model-name", "dlrm", "--threads", "2");
        assertEquals(0, r.exitCode(), r.err());
        assertTrue(r.out().contains("met on this data"), r.out());
        CliRun after = CliRun.of("monitor", "run", recal.toString(), "--fp32", dir.resolve("model.onnx").toString(),
                "--data", dir.resolve("drift.arrow").toString(), "--history", db.toString(), "--window", "2026-12-03",
                "--model-name", "dlrm", "--threads", "2");
        assertEquals(0, after.exitCode(), after.out() + after.err());
        assertTrue(after.out().contains("status HEALTHY"), after.out());
    }

    @Test
    void badInputIsOneLineAndExitTwo() throws Exception {
        Path thresholds = tmp.resolve("t.json");
        Files.writeString(thresholds, "{\"input_psi\": {\"warn\": 0.5, \"alarm\": 0.1}}");
        CliRun bad = run("eval", "--thresholds", thresholds.toString());
        assertEquals(2, bad.exitCode());
        assertEquals("quantize monitor run: error: " + thresholds + ": check 'input_psi': warn must be at most alarm, got warn 0.5, alarm 0.1",
                bad.err().strip());
        CliRun wrongModel = CliRun.of("monitor", "run", artifact.toString(), "--fp32", dir.resolve("../mlp/model.onnx").normalize().toString(),
                "--data", dir.resolve("eval.arrow").toString());
        assertEquals(2, wrongModel.exitCode());
        assertTrue(wrongModel.err().contains("is not the model dlrm.qz was made from"), wrongModel.err());
        assertEquals(1, wrongModel.err().strip().lines().count(), wrongModel.err());
        Path notDb = tmp.resolve("not.db");
        Files.writeString(notDb, "this is not a database, and it must stay as it is\n");
        CliRun corrupt = run("eval", "--history", notDb.toString());
        assertEquals(2, corrupt.exitCode());
        assertTrue(corrupt.err().startsWith("quantize monitor run: error: not.db: "), corrupt.err());
        assertEquals("this is not a database, and it must stay as it is\n", Files.readString(notDb));
        CliRun wrongData = run("eval", "--data", dir.resolve("../mlp/eval.arrow").normalize().toString());
        assertEquals(2, wrongData.exitCode());
        assertFalse(wrongData.err().contains("\tat "), "no stack trace");
    }
}
