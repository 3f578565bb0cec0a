package dev.quantize.monitor.report;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.quantize.monitor.history.WindowRecord;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class PrometheusTextfileTest {
    private static final Instant RAN_AT = Instant.parse("2026-12-03T04:05:06.250Z");

    @TempDir
    Path dir;

    private static WindowRecord record(String model, String status, Map<String, Double> metrics,
                                       Map<String, Map<String, Double>> layers, Map<String, Map<String, Double>> inputs,
                                       String json) {
        return new WindowRecord(model, "w1", Instant.parse("2026-12-03T00:00:00Z"), 1234, metrics, layers, inputs, status, json);
    }

    @Test
    void everyLineFollowsTheExpositionGrammarAndEveryValueIsTheRecords() {
        WindowRecord r = SyntheticHistory.windows(10).get(7);
        String text = PrometheusTextfile.text(r, RAN_AT);
        ExpositionParser.Parsed p = ExpositionParser.parse(text);

        // every family has HELP and TYPE gauge; every name is prefixed
        assertEquals(p.help().keySet(), p.type().keySet());
        p.type().forEach((name, type) -> {
            assertEquals("gauge", type, name);
            assertTrue(name.startsWith("quantize_monitor_"), name);
        });
        Set<String> expected = new TreeSet<>(PrometheusTextfile.metricNames()); // the synthetic record has every metric
        assertEquals(expected, new TreeSet<>(p.type().keySet()));

        Map<String, String> base = Map.of("model", "dlrm_small", "format", SyntheticHistory.FORMAT);
        assertEquals(List.of(new ExpositionParser.Sample("quantize_monitor_status", base, 2.0)), p.of("quantize_monitor_status"));
        assertEquals(0.0, p.of("quantize_monitor_recalibrated").get(0).value());
        assertEquals(1796270706.25, p.of("quantize_monitor_last_run_timestamp_seconds").get(0).value());
        assertEquals(r.startedAt().getEpochSecond(), p.of("quantize_monitor_window_start_timestamp_seconds").get(0).value());
        assertEquals(r.rows(), p.of("quantize_monitor_window_rows").get(0).value());
        for (PrometheusTextfile.Family f : PrometheusTextfile.SUMMARY) {
            List<ExpositionParser.Sample> s = p.of(f.name());
            assertEquals(1, s.size(), f.name());
            assertEquals(base, s.get(0).labels());
            assertEquals(r.metrics().get(f.key()), s.get(0).value(), f.name()); // shortest repr round-trips exactly
        }
        for (PrometheusTextfile.Family f : PrometheusTextfile.LAYER) {
            List<ExpositionParser.Sample> s = p.of(f.name());
            assertEquals(SyntheticHistory.layers().size(), s.size(), f.name());
            for (ExpositionParser.Sample x : s) {
                assertEquals(Set.of("model", "format", "layer"), x.labels().keySet());
                assertEquals(r.layers().get(x.labels().get("layer")).get(f.key()), x.value(), f.name());
            }
        }
        for (PrometheusTextfile.Family f : PrometheusTextfile.INPUT) {
            List<ExpositionParser.Sample> s = p.of(f.name());
            assertEquals(SyntheticHistory.inputs().size(), s.size(), f.name());
            for (ExpositionParser.Sample x : s) {
                assertEquals(Set.of("model", "format", "input"), x.labels().keySet());
                assertEquals(r.inputs().get(x.labels().get("input")).get(f.key()), x.value(), f.name());
            }
        }
        assertTrue(text.contains("quantize_monitor_input_psi{format=\"" + SyntheticHistory.FORMAT
                + "\",input=\"dense[3]\",model=\"dlrm_small\"} "), text);
    }

    @Test
    void hostileLabelValuesAreEscapedAndRoundTrip() {
        String model = "m\"x\\y\nz";
        String layer = "a\\b\"c\nd}{,=\u00fc";
        String input = "sparse_\"2\"\n";
        String format = "int8 \"per\" \\channel\nx";
        String json = "{\"format\":\"int8 \\\"per\\\" \\\\channel\\nx\"}";
        WindowRecord r = record(model, "warn", Map.of("agreement", 0.5), Map.of(layer, Map.of("sqnr_db", 12.5)),
                Map.of(input, Map.of("psi", 0.3)), json);
        String text = PrometheusTextfile.text(r, RAN_AT);
        ExpositionParser.Parsed p = ExpositionParser.parse(text);
        assertEquals(Map.of("model", model, "format", format, "layer", layer), p.of("quantize_monitor_layer_sqnr_decibels").get(0).labels());
        assertEquals(Map.of("model", model, "format", format, "input", input), p.of("quantize_monitor_input_psi").get(0).labels());
        assertTrue(text.contains("model=\"m\\\"x\\\\y\\nz\""), text);
        assertEquals(1.0, p.of("quantize_monitor_status").get(0).value());
    }

    @Test
    void nanAndInfinitiesAreSpelledAsPrometheusDoes() {
        Map<String, Double> m = new LinkedHashMap<>();
        m.put("auc_delta", Double.NaN);
        m.put("output_sqnr_db", Double.POSITIVE_INFINITY);
        m.put("min_layer_sqnr_db", Double.NEGATIVE_INFINITY);
        m.put("accuracy_delta", -0.0);
        WindowRecord r = record("m", "healthy", m, Map.of("l", Map.of("saturation", Double.NaN)), Map.of(), "");
        String text = PrometheusTextfile.text(r, RAN_AT);
        assertTrue(text.contains("quantize_monitor_auc_delta{format=\"unknown\",model=\"m\"} NaN\n"), text);
        assertTrue(text.contains("quantize_monitor_output_sqnr_decibels{format=\"unknown\",model=\"m\"} +Inf\n"), text);
        assertTrue(text.contains("quantize_monitor_min_layer_sqnr_decibels{format=\"unknown\",model=\"m\"} -Inf\n"), text);
        assertTrue(text.contains("quantize_monitor_layer_saturation_ratio{format=\"unknown\",layer=\"l\",model=\"m\"} NaN\n"), text);
        ExpositionParser.Parsed p = ExpositionParser.parse(text);
        assertTrue(Double.isNaN(p.of("quantize_monitor_auc_delta").get(0).value()));
    }

    @Test
    void absentMetricsGiveNoSeriesAndNoFamily() {
        WindowRecord r = record("m", "healthy", Map.of("agreement", 1.0), Map.of("l", Map.of("psi", 0.01)), Map.of(), "{}");
        ExpositionParser.Parsed p = ExpositionParser.parse(PrometheusTextfile.text(r, RAN_AT));
        assertEquals(Set.of("quantize_monitor_status", "quantize_monitor_recalibrated", "quantize_monitor_last_run_timestamp_seconds",
                "quantize_monitor_window_start_timestamp_seconds", "quantize_monitor_window_rows", "quantize_monitor_agreement_ratio",
                "quantize_monitor_layer_psi"), p.type().keySet());
    }

    @Test
    void formatLabelComesFromTheReportOrIsUnknown() {
        for (String json : new String[] {"", "not json {", "[1,2]", "{\"format\":null}", "{\"format\":\"\"}", "{\"findings\":[]}"}) {
            WindowRecord r = record("m", "healthy", Map.of(), Map.of(), Map.of(), json);
            ExpositionParser.Parsed p = ExpositionParser.parse(PrometheusTextfile.text(r, RAN_AT));
            assertEquals("unknown", p.of("quantize_monitor_status").get(0).labels().get("format"), json);
        }
        WindowRecord r = record("m", "healthy", Map.of(), Map.of(), Map.of(), "{\"format\":\"mxfp4_e2m1:k16:rna x3\"}");
        assertEquals("mxfp4_e2m1:k16:rna x3",
                ExpositionParser.parse(PrometheusTextfile.text(r, RAN_AT)).of("quantize_monitor_status").get(0).labels().get("format"));
    }

    @Test
    void statusCodes() {
        assertEquals(0, PrometheusTextfile.statusCode("healthy"));
        assertEquals(1, PrometheusTextfile.statusCode("warn"));
        assertEquals(2, PrometheusTextfile.statusCode("alarm"));
        assertEquals(0, PrometheusTextfile.statusCode("recalibrated"));
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> PrometheusTextfile.statusCode("ALARM"));
        assertTrue(e.getMessage().contains("'ALARM'"), e.getMessage());
        WindowRecord r = record("m", "recalibrated", Map.of(), Map.of(), Map.of(), "");
        ExpositionParser.Parsed p = ExpositionParser.parse(PrometheusTextfile.text(r, RAN_AT));
        assertEquals(0.0, p.of("quantize_monitor_status").get(0).value());
        assertEquals(1.0, p.of("quantize_monitor_recalibrated").get(0).value());
    }

    @Test
    void theParserRejectsMalformedLines() {
        // the checker must be able to fail, or the grammar test above proves nothing
        String ok = "# HELP a_b x\n# TYPE a_b gauge\na_b{l=\"v\"} 1.5\n";
        ExpositionParser.parse(ok);
        for (String bad : new String[] {
                ok.replace("\n", ""), "a_b 1\n", ok + "a_b{l=\"v\"} 2\n", ok.replace("1.5", "1,5"), ok.replace("\"v\"", "\"v\"x\""),
                ok.replace("\"v\"", "\"a\\qb\""), ok.replace("l=", "1l="), ok.replace("1.5", "Inf"), ok + "# HELP a_b again\n",
                ok + "# TYPE c gauge\nc 1\na_b{l=\"w\"} 1\n", ok.replace("} 1.5", "}  1.5"), ok.replace("# HELP a_b x", "# a comment")}) {
            assertThrows(IllegalArgumentException.class, () -> ExpositionParser.parse(bad), bad);
        }
    }

    @Test
    void writeReplacesTheFileWholeAndLeavesNoTemporaryFile() throws IOException {
        Path file = dir.resolve("quantize_dlrm.prom");
        Files.writeString(file, "old content ".repeat(100_000)); // larger than the new file: no tail may survive
        WindowRecord r = SyntheticHistory.windows(3).get(2);
        PrometheusTextfile.write(r, file, RAN_AT);
        assertEquals(PrometheusTextfile.text(r, RAN_AT), Files.readString(file, StandardCharsets.UTF_8));
        assertEquals(List.of(file), list(dir));
        assertEquals("rw-r--r--", java.nio.file.attribute.PosixFilePermissions.toString(Files.getPosixFilePermissions(file)));

        PrometheusTextfile.write(SyntheticHistory.windows(3).get(0), file, RAN_AT);
        assertEquals(PrometheusTextfile.text(SyntheticHistory.windows(3).get(0), RAN_AT), Files.readString(file));
        assertEquals(List.of(file), list(dir));
    }

    @Test
    void aFailedWriteLeavesTheOldStateAndNoTemporaryFile() throws IOException {
        // the target is a non-empty directory: the rename must fail after the temporary file was written
        Path target = dir.resolve("blocked.prom");
        Files.createDirectory(target);
        Files.writeString(target.resolve("keep"), "x");
        UncheckedIOException e = assertThrows(UncheckedIOException.class,
                () -> PrometheusTextfile.write(SyntheticHistory.windows(1).get(0), target, RAN_AT));
        assertTrue(e.getMessage().contains("blocked.prom"), e.getMessage());
        assertEquals(List.of(target), list(dir));
        assertEquals("x", Files.readString(target.resolve("keep")));
        // an unknown status fails before anything is written
        WindowRecord bad = record("m", "degraded", Map.of(), Map.of(), Map.of(), "");
        assertThrows(IllegalArgumentException.class, () -> PrometheusTextfile.write(bad, dir.resolve("bad.prom"), RAN_AT));
        assertEquals(List.of(target), list(dir));
    }

    private static List<Path> list(Path dir) throws IOException {
        try (Stream<Path> s = Files.list(dir)) {
            return new ArrayList<>(s.sorted().toList());
        }
    }
}
