package dev.quantize.monitor.thresholds;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.quantize.monitor.window.WindowSummary;
import dev.quantize.quantizer.search.Budget;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import org.junit.jupiter.api.Test;

class ThresholdsTest {
    private static Map<String, Double> layer(double sqnr, double sqnrCalib, double sat, double satCalib, double psi) {
        return Map.of("sqnr_db", sqnr, "sqnr_db_calib", sqnrCalib, "saturation", sat, "saturation_calib", satCalib,
                "psi", psi, "ks", 0.0, "clips", 1.0);
    }

    private static Map<String, Double> metrics() {
        Map<String, Double> m = new HashMap<>();
        m.put("agreement", 0.98);
        m.put("agreement_calib", 0.985);
        m.put("output_sqnr_db", 25.0);
        m.put("output_sqnr_db_calib", 26.0);
        return m;
    }

    private static WindowSummary window(Map<String, Map<String, Double>> inputs, Map<String, Map<String, Double>> layers,
                                        Map<String, Double> metrics) {
        return new WindowSummary(100, metrics, new TreeMap<>(layers), new TreeMap<>(inputs));
    }

    @Test
    void quietWindowIsHealthy() {
        Thresholds.Evaluation e = Thresholds.defaults().evaluate(window(Map.of("a", Map.of("psi", 0.05, "ks", 0.03)),
                Map.of("L", layer(30, 31, 0.0001, 0.0001, 0.01)), metrics()), null);
        assertEquals("healthy", e.status());
        assertEquals(List.of(), e.findings());
    }

    @Test
    void levelsAreInclusiveAndAlarmBeatsWarn() {
        Thresholds t = Thresholds.defaults();
        // PSI exactly at warn: warn; at alarm: alarm.
        Thresholds.Evaluation warn = t.evaluate(window(Map.of("a", Map.of("psi", 0.1, "ks", 0.0)), Map.of(), metrics()), null);
        assertEquals("warn", warn.status());
        assertEquals(new Finding("warn", "input", "a", "input_psi", 0.1, 0.1), warn.findings().get(0));
        assertEquals("input a input_psi", warn.findings().get(0).what());
        Thresholds.Evaluation alarm = t.evaluate(window(Map.of("a", Map.of("psi", 0.1, "ks", 0.0), "b", Map.of("psi", 0.25, "ks", 0.0)),
                Map.of(), metrics()), null);
        assertEquals("alarm", alarm.status());
        assertEquals("b", alarm.findings().get(0).subject(), "alarms come first");
        assertEquals(2, alarm.findings().size());
    }

    @Test
    void layerChecks() {
        Thresholds.Evaluation e = Thresholds.defaults().evaluate(window(Map.of(),
                Map.of("sat", layer(30, 30, 0.004, 0.0005, 0.0), "sqnr", layer(22, 30, 0, 0, 0.0),
                        "exactBefore", layer(40, Double.POSITIVE_INFINITY, 0, 0, 0.0)), metrics()), null);
        Map<String, Finding> by = new HashMap<>();
        e.findings().forEach(f -> by.put(f.subject() + "/" + f.check(), f));
        assertEquals("alarm", by.get("sat/saturation_rise").level());
        assertEquals(0.0035, by.get("sat/saturation_rise").value(), 1e-12);
        assertEquals("alarm", by.get("sqnr/layer_sqnr_drop_db").level());
        assertEquals(8, by.get("sqnr/layer_sqnr_drop_db").value());
        assertEquals(100, by.get("exactBefore/layer_sqnr_drop_db").value(), "exact at calibration, inexact now");
        assertEquals(3, e.findings().size());
    }

    @Test
    void modelChecks() {
        Map<String, Double> m = metrics();
        m.put("agreement", 0.94); // a drop of 0.045: warn (0.03), not alarm (0.06)
        m.put("output_sqnr_db", 19.0); // 7 dB below calibration: alarm
        Thresholds.Evaluation e = Thresholds.defaults().evaluate(window(Map.of(), Map.of(), m), null);
        assertEquals("alarm", e.status());
        assertEquals(List.of("output_sqnr_drop_db", "agreement_drop"), e.findings().stream().map(Finding::check).toList());
        assertEquals("warn", e.findings().get(1).level());
    }

    @Test
    void budgetUsedIsTheShareOfTheAllowance() {
        Budget ne = Budget.parse("ne+0.1%");
        Map<String, Double> m = new HashMap<>();
        m.put("ne_fp32", 0.8);
        m.put("ne_quant", 0.8004); // +0.05%: half the allowance
        assertEquals(0.5, Thresholds.budgetUsed(m, ne), 1e-9);
        m.put("ne_quant", 0.799); // better than FP32
        assertTrue(Thresholds.budgetUsed(m, ne) < 0);
        Budget acc = Budget.parse("acc-0.5%");
        m.put("accuracy_fp32", 0.8);
        m.put("accuracy_quant", 0.792); // 0.008 worse, allowance 0.004
        assertEquals(2.0, Thresholds.budgetUsed(m, acc), 1e-9);
        Budget auc = Budget.parse("auc-0.001");
        m.put("auc_fp32", 0.75);
        m.put("auc_quant", 0.7495);
        assertEquals(0.5, Thresholds.budgetUsed(m, auc), 1e-9);
        assertTrue(Double.isNaN(Thresholds.budgetUsed(Map.of(), auc)), "no labels: not measurable");
        // No labels, NE budget: estimated from the soft-label cross-entropy gap.
        assertEquals(0.8, Thresholds.budgetUsed(Map.of("soft_ce_gap_rel", 0.0008), ne), 1e-12);
        Budget sqnr = Budget.parse("sqnr>=30");
        assertEquals(0, Thresholds.budgetUsed(Map.of("output_sqnr_db", 31.0), sqnr));
        assertEquals(1, Thresholds.budgetUsed(Map.of("output_sqnr_db", 29.0), sqnr));
        assertTrue(Double.isNaN(Thresholds.budgetUsed(m, null)));
    }

    @Test
    void budgetAlarmPastTheLimit() {
        Map<String, Double> m = metrics();
        m.put("ne_fp32", 0.8);
        m.put("ne_quant", 0.8 * 1.0011); // just past the limit
        Thresholds.Evaluation e = Thresholds.defaults().evaluate(window(Map.of(), Map.of(), m), Budget.parse("ne+0.1%"));
        assertEquals("alarm", e.status());
        assertEquals("budget_used", e.findings().get(0).check());
    }

    @Test
    void fileOverridesSomeLevels() {
        Thresholds t = Thresholds.parse("{\"input_psi\": {\"alarm\": 0.5}, \"saturation_rise\": {\"warn\": 0.01, \"alarm\": 0.02}}", "t.json");
        assertEquals(new Thresholds.Level(0.1, 0.5), t.level("input_psi"));
        assertEquals(new Thresholds.Level(0.01, 0.02), t.level("saturation_rise"));
        assertEquals(Thresholds.DEFAULTS.get("input_ks"), t.level("input_ks"));
        assertEquals("warn", t.evaluate(window(Map.of("a", Map.of("psi", 0.3, "ks", 0.0)), Map.of(), metrics()), null).status());
        assertEquals(t, Thresholds.parse(t.toJson().toString(), "round trip"));
    }

    @Test
    void badFilesAreNamed() {
        for (String[] c : new String[][] {
                {"{\"input_pis\": {\"warn\": 1}}", "t.json: unknown check 'input_pis' (known: input_psi"},
                {"{\"input_psi\": {\"warn\": 0.5, \"alarm\": 0.2}}", "t.json: check 'input_psi': warn must be at most alarm"},
                {"{\"input_psi\": {\"warn\": \"high\"}}", "t.json: check 'input_psi': warn must be a number"},
                {"{\"input_psi\": {\"worn\": 1}}", "t.json: check 'input_psi': unknown field 'worn'"},
                {"{\"input_psi\": 0.3}", "t.json: check 'input_psi' must be an object"},
                {"[1]", "t.json: thresholds must be a JSON object"},
                {"{", "t.json: thresholds are not valid JSON"}}) {
            IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> Thresholds.parse(c[0], "t.json"));
            assertTrue(e.getMessage().startsWith(c[1]), e.getMessage());
        }
    }
}
