package dev.quantize.monitor.window;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.quantize.core.metrics.BinnedDistribution;
import dev.quantize.core.metrics.ClassificationMetrics;
import dev.quantize.monitor.baseline.MonitorBaseline;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.ObjectInputStream;
import java.io.ObjectOutputStream;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Random;
import org.junit.jupiter.api.Test;

class WindowStatsTest {
    private static final double[] EDGES = {-1, -0.5, 0, 0.5, 1};

    /** Binary rows: FP32 probability, a quantized copy with noise, labels; scores rounded to 1/64 so ties happen. */
    private record Rows(float[] fp32, float[] quant, float[] labels, float[] feature) {
        static Rows of(int n, long seed) {
            Random r = new Random(seed);
            float[] f = new float[n];
            float[] q = new float[n];
            float[] y = new float[n];
            float[] x = new float[n];
            for (int i = 0; i < n; i++) {
                f[i] = Math.round(r.nextFloat() * 64) / 64f;
                q[i] = Math.min(1, Math.max(0, f[i] + (r.nextInt(3) - 1) / 64f));
                y[i] = r.nextFloat() < f[i] ? 1 : 0;
                x[i] = (float) r.nextGaussian();
            }
            return new Rows(f, q, y, x);
        }

        Rows slice(int from, int to) {
            return new Rows(Arrays.copyOfRange(fp32, from, to), Arrays.copyOfRange(quant, from, to),
                    Arrays.copyOfRange(labels, from, to), Arrays.copyOfRange(feature, from, to));
        }
    }

    private static WindowStats stats(Rows rows, int batch) {
        WindowStats s = new WindowStats(Map.of("x", EDGES), Map.of("layer", EDGES));
        for (int i = 0; i < rows.fp32.length; i += batch) {
            Rows b = rows.slice(i, Math.min(rows.fp32.length, i + batch));
            s.addOutputs(b.fp32, b.quant, b.labels, b.fp32.length);
            s.addInput("x", b.feature);
            s.addActivation("layer", b.feature);
            s.addLayerOutput("layer", b.fp32, b.quant);
            s.addSaturation("layer", b.feature, -2, 2);
        }
        return s;
    }

    private static Map<String, Double> summary(WindowStats s) {
        MonitorBaseline base = new MonitorBaseline(1, null, 1, 20, Map.of("x", new BinnedDistribution(EDGES).add(0f)),
                Map.of("layer", new BinnedDistribution(EDGES).add(0f)), Map.of("layer", new MonitorBaseline.Layer(30, 0.01)));
        LayerWatch w = new LayerWatch("layer", List.of(0), -2, 2, true);
        WindowSummary ws = WindowSummary.of(s, base, List.of(w));
        Map<String, Double> m = new java.util.TreeMap<>(ws.metrics());
        ws.layers().get("layer").forEach((k, v) -> m.put("layer." + k, v));
        ws.inputs().get("x").forEach((k, v) -> m.put("x." + k, v));
        return m;
    }

    @Test
    void binaryMetricsMatchTheWholeSplitReference() {
        Rows rows = Rows.of(3000, 1);
        Map<String, Double> m = summary(stats(rows, 256));
        assertEquals(ClassificationMetrics.auc(rows.fp32, rows.labels), m.get("auc_fp32"), 1e-12);
        assertEquals(ClassificationMetrics.auc(rows.quant, rows.labels), m.get("auc_quant"), 1e-12);
        assertEquals(ClassificationMetrics.normalizedEntropy(rows.fp32, rows.labels), m.get("ne_fp32"), 1e-12);
        assertEquals(ClassificationMetrics.normalizedEntropy(rows.quant, rows.labels), m.get("ne_quant"), 1e-12);
        assertEquals(ClassificationMetrics.calibration(rows.quant, rows.labels) - ClassificationMetrics.calibration(rows.fp32, rows.labels),
                m.get("calibration_ratio_delta"), 1e-12);
        long agree = 0;
        for (int i = 0; i < rows.fp32.length; i++) {
            agree += (rows.fp32[i] >= 0.5f) == (rows.quant[i] >= 0.5f) ? 1 : 0;
        }
        assertEquals((double) agree / rows.fp32.length, m.get("agreement"));
        assertTrue(m.get("soft_ce_gap") > 0, "a noisy copy costs cross-entropy against FP32's soft labels");
        long outside = 0;
        for (float v : rows.feature) {
            outside += Math.abs(v) > 2 ? 1 : 0;
        }
        assertEquals((double) outside / rows.feature.length, m.get("layer.saturation"));
        assertEquals((double) outside / rows.feature.length - 0.01, m.get("max_saturation_rise"), 1e-15);
        assertEquals(30, m.get("layer.sqnr_db_calib"));
    }

    @Test
    void identicalModelsGiveExactAgreementAndNoGap() {
        Rows rows = Rows.of(500, 2);
        WindowStats s = new WindowStats(Map.of(), Map.of());
        s.addOutputs(rows.fp32, rows.fp32, null, rows.fp32.length);
        Map<String, Double> m = summary(s);
        assertEquals(1.0, m.get("agreement"));
        assertEquals(0.0, m.get("soft_ce_gap"));
        assertEquals(Double.POSITIVE_INFINITY, m.get("output_sqnr_db"));
        assertTrue(Double.isNaN(m.get("auc_fp32")), "no labels, no AUC");
    }

    @Test
    void mergeIsAssociativeAndEqualsOneStream() throws Exception {
        Rows rows = Rows.of(2000, 3);
        WindowStats whole = stats(rows, 2000);
        WindowStats a = stats(rows.slice(0, 700), 100);
        WindowStats b = stats(rows.slice(700, 1300), 64);
        WindowStats c = stats(rows.slice(1300, 2000), 333);
        WindowStats left = copy(a).merge(copy(b)).merge(copy(c));
        WindowStats right = copy(a).merge(copy(b).merge(copy(c)));
        WindowStats shuffled = copy(c).merge(copy(a)).merge(copy(b));
        Map<String, Double> w = summary(whole);
        for (WindowStats s : List.of(left, right, shuffled)) {
            Map<String, Double> m = summary(s);
            assertEquals(w.keySet(), m.keySet());
            for (String k : w.keySet()) {
                if (k.equals("auc_fp32") || k.equals("auc_quant") || k.equals("agreement") || k.startsWith("x.") || k.equals("layer.saturation")
                        || k.equals("max_input_psi") || k.equals("accuracy_delta")) {
                    assertEquals(w.get(k), m.get(k), k + " is computed from counts: exactly equal");
                } else {
                    assertEquals(w.get(k), m.get(k), Math.abs(w.get(k)) * 1e-12 + 1e-15, k);
                }
            }
            assertArrayEquals(whole.inputDistributions().get("x").counts(), s.inputDistributions().get("x").counts());
        }
        assertEquals(2000, left.rows());
    }

    @Test
    void mergeRefusesOtherBaselines() {
        WindowStats a = new WindowStats(Map.of("x", EDGES), Map.of());
        WindowStats b = new WindowStats(Map.of("x", new double[] {0, 1}), Map.of());
        assertThrows(IllegalArgumentException.class, () -> a.merge(b));
    }

    @Test
    void badLabelsAreNamed() {
        WindowStats s = new WindowStats(Map.of(), Map.of());
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> s.addOutputs(new float[] {0.5f}, new float[] {0.5f}, new float[] {2}, 1));
        assertTrue(e.getMessage().contains("not 0 or 1"), e.getMessage());
        WindowStats mc = new WindowStats(Map.of(), Map.of());
        e = assertThrows(IllegalArgumentException.class,
                () -> mc.addOutputs(new float[] {1, 2, 3}, new float[] {1, 2, 3}, new float[] {3}, 1));
        assertTrue(e.getMessage().contains("[0, 3)"), e.getMessage());
    }

    @Test
    void multiclassAccuracyAndAgreement() {
        // 3 rows x 3 classes; FP32 argmax 0,1,2; quantized flips row 2 to class 1.
        float[] f = {3, 1, 0, 0, 2, 1, 0, 1, 4};
        float[] q = {3, 1, 0, 0, 2, 1, 0, 5, 4};
        WindowStats s = new WindowStats(Map.of(), Map.of());
        s.addOutputs(f, q, new float[] {0, 1, 2}, 3);
        Map<String, Double> m = summary(s);
        assertEquals(2.0 / 3, m.get("agreement"));
        assertEquals(1.0, m.get("accuracy_fp32"));
        assertEquals(2.0 / 3, m.get("accuracy_quant"));
        assertEquals(-1.0 / 3, m.get("accuracy_delta"), 1e-15);
    }

    @Test
    void survivesJavaSerialization() throws Exception {
        WindowStats s = stats(Rows.of(400, 4), 100);
        assertEquals(summary(s), summary(copy(s)));
    }

    private static WindowStats copy(WindowStats s) throws Exception {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        try (ObjectOutputStream out = new ObjectOutputStream(bytes)) {
            out.writeObject(s);
        }
        try (ObjectInputStream in = new ObjectInputStream(new ByteArrayInputStream(bytes.toByteArray()))) {
            return (WindowStats) in.readObject();
        }
    }
}
