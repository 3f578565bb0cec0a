package dev.quantize.monitor.window;

import dev.quantize.core.metrics.BinaryMetrics;
import dev.quantize.core.metrics.BinnedDistribution;
import dev.quantize.core.metrics.ErrorStats;
import dev.quantize.monitor.baseline.MonitorBaseline;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * The finish step: a window's statistics turned into the numbers the history stores, compared with
 * the baseline. Every value is in base units (fractions, dB, nats); NaN where it does not apply
 * (no labels, a one-class window, a layer without calibrated bounds).
 *
 * @param metrics the window's summary (names in docs/monitor.md)
 * @param layers layer -> sqnr_db, sqnr_db_calib, saturation, saturation_calib, psi, ks, clips (1: the format clips at the bounds)
 * @param inputs input feature -> psi, ks
 */
public record WindowSummary(long rows, Map<String, Double> metrics, Map<String, Map<String, Double>> layers,
                            Map<String, Map<String, Double>> inputs) {

    public static WindowSummary of(WindowStats s, MonitorBaseline baseline, List<LayerWatch> watches) {
        Map<String, Double> m = new TreeMap<>();
        double n = s.rows;
        m.put("agreement", n == 0 ? Double.NaN : s.agree / n);
        m.put("agreement_calib", baseline.agreement());
        m.put("output_sqnr_db", s.output.count() == 0 ? Double.NaN : s.output.sqnrDb());
        m.put("output_sqnr_db_calib", baseline.outputSqnrDb());
        double softF = s.softCeFp32 / n;
        double gap = (s.softCeQuant - s.softCeFp32) / n;
        m.put("soft_ce_gap", n == 0 ? Double.NaN : gap);
        // With FP32 predictions as labels, FP32's own loss is their entropy: the relative gap estimates NE_q/NE_f - 1.
        m.put("soft_ce_gap_rel", n == 0 || softF <= 0 ? Double.NaN : gap / softF);
        labelled(s, m);
        Map<String, Map<String, Double>> inputs = new TreeMap<>();
        double maxInputPsi = Double.NaN;
        for (Map.Entry<String, BinnedDistribution> e : baseline.inputs().entrySet()) {
            BinnedDistribution w = s.inputs.get(e.getKey());
            double psi = w == null ? Double.NaN : e.getValue().psi(w);
            double ks = w == null ? Double.NaN : e.getValue().ks(w);
            inputs.put(e.getKey(), Map.of("psi", psi, "ks", ks));
            maxInputPsi = max(maxInputPsi, psi);
        }
        Map<String, Map<String, Double>> layers = new TreeMap<>();
        double maxActPsi = Double.NaN;
        double maxRise = Double.NaN;
        double minSqnr = Double.NaN;
        for (LayerWatch w : watches) {
            Map<String, Double> l = new TreeMap<>();
            ErrorStats err = s.layers.get(w.node());
            double sqnr = err == null || err.count() == 0 ? Double.NaN : err.sqnrDb();
            MonitorBaseline.Layer calib = baseline.layers().get(w.node());
            l.put("sqnr_db", sqnr);
            l.put("sqnr_db_calib", calib == null ? Double.NaN : calib.sqnrDb());
            long[] sat = s.saturation.get(w.node());
            double saturation = sat == null || sat[1] == 0 ? Double.NaN : (double) sat[0] / sat[1];
            l.put("saturation", saturation);
            l.put("saturation_calib", calib == null ? Double.NaN : calib.saturation());
            BinnedDistribution ref = baseline.activations().get(w.node());
            BinnedDistribution act = s.activations.get(w.node());
            double psi = ref == null || act == null ? Double.NaN : ref.psi(act);
            l.put("psi", psi);
            l.put("ks", ref == null || act == null ? Double.NaN : ref.ks(act));
            l.put("clips", w.hasBounds() ? (w.clips() ? 1.0 : 0.0) : Double.NaN);
            layers.put(w.node(), l);
            maxActPsi = max(maxActPsi, psi);
            maxRise = max(maxRise, saturation - l.get("saturation_calib"));
            minSqnr = Double.isNaN(sqnr) ? minSqnr : Double.isNaN(minSqnr) ? sqnr : Math.min(minSqnr, sqnr);
        }
        m.put("max_input_psi", maxInputPsi);
        m.put("max_activation_psi", maxActPsi);
        m.put("max_saturation_rise", maxRise);
        m.put("min_layer_sqnr_db", minSqnr);
        return new WindowSummary(s.rows, m, layers, inputs);
    }

    private static void labelled(WindowStats s, Map<String, Double> m) {
        for (String k : List.of("auc_fp32", "auc_quant", "auc_delta", "ne_fp32", "ne_quant", "ne_delta_rel",
                "accuracy_fp32", "accuracy_quant", "accuracy_delta", "calibration_fp32", "calibration_quant",
                "calibration_ratio_delta")) {
            m.put(k, Double.NaN);
        }
        double n = s.labelled;
        if (n == 0) {
            return;
        }
        double accF = s.correctFp32 / n;
        double accQ = s.correctQuant / n;
        m.put("accuracy_fp32", accF);
        m.put("accuracy_quant", accQ);
        m.put("accuracy_delta", accQ - accF);
        if (s.outputsPerRow != 1) {
            return;
        }
        BinaryMetrics f = s.binaryFp32;
        BinaryMetrics q = s.binaryQuant;
        double p = f.baseRate();
        if (p > 0 && p < 1) {
            double aucF = f.auc();
            double aucQ = q.auc();
            m.put("auc_fp32", aucF);
            m.put("auc_quant", aucQ);
            m.put("auc_delta", aucQ - aucF);
            double neF = f.normalizedEntropy();
            double neQ = q.normalizedEntropy();
            m.put("ne_fp32", neF);
            m.put("ne_quant", neQ);
            m.put("ne_delta_rel", neQ / neF - 1);
        }
        if (p > 0) {
            double cF = f.calibration();
            double cQ = q.calibration();
            m.put("calibration_fp32", cF);
            m.put("calibration_quant", cQ);
            m.put("calibration_ratio_delta", cQ - cF);
        }
    }

    private static double max(double a, double b) {
        if (Double.isNaN(b)) {
            return a;
        }
        return Double.isNaN(a) ? b : Math.max(a, b);
    }
}
