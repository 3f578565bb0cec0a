package dev.quantize.monitor.job;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import dev.quantize.monitor.history.History;
import dev.quantize.monitor.history.WindowRecord;
import dev.quantize.monitor.thresholds.Finding;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.stream.IntStream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The acceptance, on the shared trained models: the eval split runs healthy; the drift split
 * raises the alarm and names the inputs the drift really changes (see shared/models/README.md) and the
 * layers whose saturation rose; after recalibrating on the drift split, the drift split runs healthy.
 */
class MonitorAcceptanceTest {
    @TempDir
    Path dir;

    private record Flow(MonitorJob.Result eval, MonitorJob.Result drift, RecalibrateJob.Result recal, MonitorJob.Result after,
                        Path history, Path artifact) {
    }

    private Flow flow(Path m, String name) throws Exception {
        Path artifact = Artifacts.quantize(m.resolve("model.onnx"), m.resolve("calib"), m.resolve("eval"), dir.resolve(name + ".qz"));
        Path history = dir.resolve("history.db");
        MonitorJob.Options base = MonitorJob.Options.of(artifact, m.resolve("model.onnx"), m.resolve("eval")).withModel(name);
        MonitorJob.Result eval = MonitorJob.run(base.withHistory(history, "eval")
                .withReports(dir.resolve("eval.json"), dir.resolve("eval.prom"), null), MonitorJob.Listener.NONE);
        MonitorJob.Result drift = MonitorJob.run(base.withHistory(history, "drift").withReports(dir.resolve("drift.json"), null, null)
                .withData(m.resolve("drift")), MonitorJob.Listener.NONE);
        Path recalibrated = dir.resolve(name + ".recal.qz");
        RecalibrateJob.Result recal = RecalibrateJob.run(new RecalibrateJob.Options(artifact, m.resolve("model.onnx"), m.resolve("drift"),
                recalibrated, history, name, null, 4096, true, 512, 2, "test"), MonitorJob.Listener.NONE);
        MonitorJob.Result after = MonitorJob.run(MonitorJob.Options.of(recalibrated, m.resolve("model.onnx"), m.resolve("drift"))
                .withModel(name).withHistory(history, "drift after recalibration"), MonitorJob.Listener.NONE);
        return new Flow(eval, drift, recal, after, history, artifact);
    }

    private static List<String> subjects(MonitorJob.Result r, String check, String level) {
        List<String> out = new ArrayList<>();
        for (Finding f : r.evaluation().findings()) {
            if (f.check().equals(check) && (level == null || f.level().equals(level))) {
                out.add(f.subject());
            }
        }
        return out;
    }

    private static void commonChecks(Flow f, String name) throws Exception {
        assertEquals("healthy", f.eval.status(), () -> "eval findings: " + f.eval.evaluation().findings());
        assertEquals(0, f.eval.exitCode());
        assertEquals("alarm", f.drift.status());
        assertEquals(1, f.drift.exitCode());
        assertEquals(Boolean.TRUE, f.recal.budgetMet(), () -> f.recal.reportJson());
        assertEquals("healthy", f.after.status(), () -> "after recalibration: " + f.after.evaluation().findings());
        assertEquals(0.0, f.after.summary().metrics().get("max_input_psi"), 1e-12, "the new baseline is the drift data itself");
        // History: one row per window plus the recalibration, in order.
        try (History h = History.open(f.history)) {
            List<WindowRecord> w = h.windows(name);
            assertEquals(List.of("healthy", "alarm", "recalibrated", "healthy"), w.stream().map(WindowRecord::status).toList());
            assertEquals(List.of("eval", "drift"), w.subList(0, 2).stream().map(WindowRecord::window).toList());
        }
        // The JSON report on disk is the record's, with the contract's top-level fields.
        JsonNode j = MonitorJob.parse(Files.readString(f.history.resolveSibling("drift.json")));
        assertEquals("alarm", j.get("status").asText());
        assertEquals("mixed", j.get("format").asText());
        for (String field : List.of("thresholds", "findings", "recommendations", "metrics", "layers", "inputs")) {
            assertTrue(j.has(field), field);
        }
        // The Prometheus textfile: model and format labels, base units.
        String prom = Files.readString(f.history.resolveSibling("eval.prom"));
        assertTrue(prom.contains("model=\"" + name + "\""), prom);
        assertTrue(prom.contains("format=\"mixed\""), prom);
    }

    @Test
    void mlpTabular() throws Exception {
        Path m = Artifacts.shared("mlp_tabular");
        Flow f = flow(m, "mlp_tabular");
        commonChecks(f, "mlp_tabular");
        // The drift shifts features 0-15 and widens 16-31; 32-63 keep their distribution.
        List<String> drifted = subjects(f.drift, "input_psi", null);
        List<String> shifted = IntStream.range(0, 32).mapToObj(i -> "features[" + i + "]").toList();
        assertTrue(drifted.containsAll(shifted), () -> "drifted: " + drifted);
        List<String> alarms = subjects(f.drift, "input_psi", Finding.ALARM);
        assertTrue(alarms.stream().noneMatch(s -> Integer.parseInt(s.replaceAll("\\D", "")) >= 32), () -> "alarms: " + alarms);
        assertTrue(alarms.size() >= 25, () -> "alarms: " + alarms);
        Map<String, Map<String, Double>> layers = f.drift.summary().layers();
        for (int i = 32; i < 64; i++) {
            assertTrue(f.drift.summary().inputs().get("features[" + i + "]").get("psi") < 0.1, "features[" + i + "]");
        }
        // fc1 sees the raw features: its inputs leave the calibrated range; it is named and recalibration recommended.
        assertTrue(subjects(f.drift, "saturation_rise", null).contains("/fc1/Gemm"), () -> "" + f.drift.evaluation().findings());
        assertTrue(layers.get("/fc1/Gemm").get("saturation") > 10 * layers.get("/fc1/Gemm").get("saturation_calib"));
        assertTrue(f.drift.recommendations().stream().anyMatch(r -> r.layer().equals("/fc1/Gemm") && r.action().equals("recalibrate")),
                () -> "" + f.drift.recommendations());
        // Accuracy is measured with labels on both sides.
        assertFalse(Double.isNaN(f.drift.summary().metrics().get("accuracy_delta")));
    }

    @Test
    void dlrmSmall() throws Exception {
        Path m = Artifacts.shared("dlrm_small");
        Flow f = flow(m, "dlrm_small");
        commonChecks(f, "dlrm_small");
        // The heavy-tailed dense feature widens 3x (the largest PSI), count rates double, id popularity flattens on every table.
        List<String> alarms = subjects(f.drift, "input_psi", Finding.ALARM);
        assertEquals("dense[12]", alarms.get(0), () -> "alarms: " + alarms);
        List<String> drifted = subjects(f.drift, "input_psi", null);
        for (int t = 0; t < 8; t++) {
            assertTrue(drifted.contains("cat_" + t), "cat_" + t + " ids drift: " + drifted);
        }
        assertTrue(f.drift.summary().inputs().get("dense[12]").get("psi") > 0.5);
        // The bottom MLP takes the dense features: its first layer's inputs leave the calibrated range, as does the top MLP's.
        List<String> saturated = subjects(f.drift, "saturation_rise", null);
        assertTrue(saturated.contains("/bottom_mlp/bottom_mlp.0/Gemm"), () -> "saturated: " + saturated);
        assertTrue(saturated.contains("/top_mlp/top_mlp.0/Gemm"), () -> "saturated: " + saturated);
        // The MX formats follow the data (no SQNR drop): the report says the drift is the model's, not the quantization's.
        assertTrue(f.drift.notes().stream().anyMatch(n -> n.contains("still tracks FP32")), () -> "" + f.drift.notes());
        Map<String, Double> d = f.drift.summary().metrics();
        assertFalse(Double.isNaN(d.get("auc_delta")));
        assertFalse(Double.isNaN(d.get("ne_delta_rel")));
        assertNotEquals(0.0, d.get("calibration_ratio_delta"));
    }
}
