package dev.quantize.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import dev.quantize.monitor.history.History;
import dev.quantize.monitor.history.WindowRecord;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class MonitorCommandsTest {
    @TempDir
    Path dir;

    /** Three windows of model m (the last an alarm with a NaN AUC delta) and one of model other. */
    private Path history() {
        Path db = dir.resolve("history.db");
        try (History h = History.open(db)) {
            for (int i = 0; i < 3; i++) {
                Map<String, Double> m = new HashMap<>(Map.of("agreement", 0.999 - i * 0.01, "auc_delta", -0.001 * i,
                        "output_sqnr_db", 35.0 - i, "max_input_psi", 0.05 + 0.1 * i));
                if (i == 2) {
                    m.put("auc_delta", Double.NaN);
                }
                h.append(new WindowRecord("m", "w" + i, Instant.parse("2026-11-2" + i + "T02:00:00Z"), 1000 + i, m,
                        Map.of("fc1", Map.of("sqnr_db", 30.0 - i, "sqnr_db_calib", 31.0)),
                        Map.of("dense[0]", Map.of("psi", 0.05 + 0.1 * i)), i == 2 ? "alarm" : "healthy",
                        "{\"format\":\"int8_per_channel x2\"}"));
            }
            h.append(new WindowRecord("other", "x", Instant.parse("2026-11-01T00:00:00Z"), 1, Map.of(), Map.of(), Map.of(),
                    "healthy", ""));
        }
        return db;
    }

    @Test
    void historyTableListsTheModelsWindowsOldestFirst() {
        Path db = history();
        CliRun r = CliRun.of("monitor", "history", "--history", db.toString(), "--model", "m");
        assertEquals(0, r.exitCode(), r.err());
        List<String> lines = r.out().lines().toList();
        assertEquals("model m: 3 windows", lines.get(0));
        assertTrue(lines.get(1).startsWith("window  started (UTC)"), lines.get(1));
        assertTrue(lines.get(3).matches("w0\\s+2026-11-20 02:00\\s+1000\\s+healthy\\s+0\\.9990\\s+0\\.000\\s+-\\s+-\\s+35\\.00\\s+0\\.05000\\s+-"),
                lines.get(3));
        assertTrue(lines.get(5).matches("w2\\s+2026-11-22 02:00\\s+1002\\s+alarm\\s+0\\.9790\\s+NaN\\s+.*"), lines.get(5));
        assertEquals(6, lines.size());
    }

    @Test
    void historyJsonHasEveryMetricWithNaNAsAString() throws Exception {
        Path db = history();
        CliRun r = CliRun.of("monitor", "history", "--history", db.toString(), "--model", "m", "--json");
        assertEquals(0, r.exitCode(), r.err());
        JsonNode root = Json.MAPPER.readTree(r.out());
        assertEquals("m", root.get("model").asText());
        assertEquals(3, root.get("windows").size());
        JsonNode last = root.get("windows").get(2);
        assertEquals("w2", last.get("window").asText());
        assertEquals("2026-11-22T02:00:00Z", last.get("started_at").asText());
        assertEquals("alarm", last.get("status").asText());
        assertEquals("NaN", last.get("metrics").get("auc_delta").asText());
        assertEquals(33.0, last.get("metrics").get("output_sqnr_db").asDouble());
    }

    @Test
    void theModelMustBeChosenWhenThereAreSeveral() {
        Path db = history();
        CliRun r = CliRun.of("monitor", "history", "--history", db.toString());
        assertEquals(2, r.exitCode());
        assertEquals("quantize monitor history: error: " + db + " holds 2 models (m, other): choose one with --model",
                r.err().strip());
        CliRun unknown = CliRun.of("monitor", "report", "--history", db.toString(), "--model", "nope", "-o",
                dir.resolve("r.html").toString());
        assertEquals(2, unknown.exitCode());
        assertTrue(unknown.err().contains("has no windows for model 'nope' (models: m, other)"), unknown.err());
        assertFalse(Files.exists(dir.resolve("r.html")));
    }

    @Test
    void reportWritesOneSelfContainedPage() throws Exception {
        Path db = history();
        Path out = dir.resolve("report.html");
        CliRun r = CliRun.of("monitor", "report", "--history", db.toString(), "--model", "m", "-o", out.toString());
        assertEquals(0, r.exitCode(), r.err());
        assertEquals("wrote " + out + ": model m, 3 windows", r.out().strip());
        String html = Files.readString(out, StandardCharsets.UTF_8);
        assertTrue(html.contains("<h1>Monitor report: m</h1>"));
        assertTrue(html.contains("Plan: <code>int8_per_channel x2</code>"));
        assertFalse(html.contains("http://") || html.contains("https://"));
        // charts: auc_delta, agreement, output SQNR, layer SQNR, input PSI over time, latest PSI bars; the history
        // has no ne_delta_rel, accuracy_delta, soft_ce_gap or saturation, which the page says instead
        assertEquals(6, html.split("<img ", -1).length - 1);
        assertTrue(html.contains("Soft cross-entropy gap: no value in any window."));
        assertTrue(html.contains("Per-layer saturation (dashed or +: calibration): no value in any window."));
    }

    @Test
    void aMissingOrEmptyOrCorruptHistoryIsOneLineAndExit2AndIsNotCreated() throws Exception {
        Path missing = dir.resolve("missing.db");
        for (String sub : List.of("history", "report")) {
            CliRun r = sub.equals("history") ? CliRun.of("monitor", "history", "--history", missing.toString())
                    : CliRun.of("monitor", "report", "--history", missing.toString(), "-o", dir.resolve("x.html").toString());
            assertEquals(2, r.exitCode());
            assertEquals("quantize monitor " + sub + ": error: no such file: " + missing, r.err().strip());
            assertFalse(Files.exists(missing), "a read command must not create the history");
        }
        Path empty = Files.createFile(dir.resolve("empty.db"));
        CliRun e = CliRun.of("monitor", "history", "--history", empty.toString());
        assertEquals(2, e.exitCode());
        assertTrue(e.err().contains("is empty, not a monitor history"), e.err());
        assertEquals(0, Files.size(empty));

        Path corrupt = dir.resolve("corrupt.db");
        Files.writeString(corrupt, "this is not a database, just text that is long enough to be read");
        CliRun c = CliRun.of("monitor", "history", "--history", corrupt.toString());
        assertEquals(2, c.exitCode());
        assertEquals(1, c.err().strip().lines().count(), c.err());
        assertTrue(c.err().contains("corrupt.db: not a quantize monitor history (file is not a database)"), c.err());

        Path db = dir.resolve("fresh.db");
        try (History h = History.open(db)) {
            assertTrue(h.models().isEmpty());
        }
        CliRun none = CliRun.of("monitor", "history", "--history", db.toString());
        assertEquals(2, none.exitCode());
        assertTrue(none.err().contains("has no windows yet"), none.err());
    }

    @Test
    void monitorAloneShowsItsSubcommands() {
        CliRun r = CliRun.of("monitor");
        assertEquals(0, r.exitCode());
        assertTrue(r.out().contains("history") && r.out().contains("report"), r.out());
        CliRun bad = CliRun.of("monitor", "report", "--history", "x.db", "-o", "r.html", "--top", "0");
        assertEquals(2, bad.exitCode());
        assertTrue(bad.err().contains("--top must be at least 1"), bad.err());
    }
}
