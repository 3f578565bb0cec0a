package dev.quantize.spark;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.quantize.calibration.CalibrationStats;
import dev.quantize.calibration.Method;
import dev.quantize.calibration.TensorStats;
import dev.quantize.calibration.stats.AbsHistogram;
import dev.quantize.calibration.stats.RunningStats;
import dev.quantize.monitor.history.WindowRecord;
import dev.quantize.quantizer.search.Metric;
import java.util.ArrayList;
import java.util.Map;

/** The agreement the scale-out promises between one JVM and a cluster, as assertions. */
final class Agreement {
    static final double SUM_TOLERANCE = 1e-12;

    private Agreement() {
    }

    /**
     * Counts, min/max (per tensor and per channel) and histograms equal; sums and sums of squares
     * within 1e-12 of the sum of magnitudes; ranges from min/max and from the histograms equal. (The
     * per-batch minima behind moving-average-min-max depend on where batches start, which partitions
     * decide; they are not compared.)
     */
    static void calibration(CalibrationStats one, CalibrationStats spark) {
        assertEquals(one.rows(), spark.rows(), "rows");
        assertEquals(one.histogramRows(), spark.histogramRows(), "histogram rows");
        assertEquals(new ArrayList<>(one.tensors().keySet()), new ArrayList<>(spark.tensors().keySet()), "tensors");
        for (Map.Entry<String, TensorStats> e : one.tensors().entrySet()) {
            String name = e.getKey();
            TensorStats a = e.getValue();
            TensorStats b = spark.tensor(name);
            assertEquals(a.kind(), b.kind(), name);
            assertEquals(a.channelAxis(), b.channelAxis(), name);
            RunningStats x = a.stats();
            RunningStats y = b.stats();
            assertEquals(x.count(), y.count(), name + " count");
            assertEquals(x.nanCount(), y.nanCount(), name + " NaN count");
            assertEquals(x.infCount(), y.infCount(), name + " Inf count");
            assertEquals(x.min(), y.min(), 0, name + " min");
            assertEquals(x.max(), y.max(), 0, name + " max");
            double magnitude = Math.sqrt(x.sumSquares() * x.count()); // >= sum of |x| (Cauchy-Schwarz)
            assertEquals(x.sum(), y.sum(), SUM_TOLERANCE * Math.max(magnitude, Double.MIN_NORMAL), name + " sum");
            assertEquals(x.sumSquares(), y.sumSquares(), SUM_TOLERANCE * x.sumSquares(), name + " sum of squares");
            assertEquals(x.channels(), y.channels(), name + " channels");
            for (int c = 0; c < x.channels(); c++) {
                assertEquals(x.channelMin(c), y.channelMin(c), 0, name + " channel min " + c);
                assertEquals(x.channelMax(c), y.channelMax(c), 0, name + " channel max " + c);
            }
            histogram(a.histogram(), b.histogram(), name);
            assertEquals(a.hasChannelHistograms(), b.hasChannelHistograms(), name);
            if (a.hasChannelHistograms()) {
                for (int c = 0; c < x.channels(); c++) {
                    histogram(a.channelHistogram(c), b.channelHistogram(c), name + " channel " + c);
                }
            }
            if (a.histogram() != null) {
                for (Method m : new Method[] {Method.MIN_MAX, Method.PERCENTILE, Method.ENTROPY, Method.MSE}) {
                    assertEquals(one.range(name, m), spark.range(name, m), name + " " + m.label());
                }
            }
        }
    }

    private static void histogram(AbsHistogram a, AbsHistogram b, String name) {
        assertEquals(a == null, b == null, name + " histogram presence");
        if (a == null) {
            return;
        }
        assertEquals(a.range(), b.range(), 0, name + " histogram range");
        assertArrayEquals(a.counts(), b.counts(), name + " histogram");
        assertEquals(a.overflow(), b.overflow(), name + " histogram overflow");
        assertTrue(a.total() > 0, name + " histogram is empty");
    }

    /**
     * The same monitor record: rows, status, and every metric, layer and input figure equal up to double
     * rounding (1e-9 of the value or absolute: deltas of nearly equal sums lose relative precision); the
     * wall-clock {@code seconds} differs by nature.
     */
    static void monitor(WindowRecord one, WindowRecord spark) {
        assertEquals(one.model(), spark.model());
        assertEquals(one.window(), spark.window());
        assertEquals(one.rows(), spark.rows());
        assertEquals(one.status(), spark.status());
        figures("metric", withoutSeconds(one.metrics()), withoutSeconds(spark.metrics()));
        nested("layer", one.layers(), spark.layers());
        nested("input", one.inputs(), spark.inputs());
    }

    private static Map<String, Double> withoutSeconds(Map<String, Double> m) {
        Map<String, Double> out = new java.util.TreeMap<>(m);
        out.remove("seconds");
        return out;
    }

    private static void nested(String what, Map<String, Map<String, Double>> a, Map<String, Map<String, Double>> b) {
        assertEquals(a.keySet(), b.keySet(), what + "s");
        a.forEach((k, v) -> figures(what + " " + k, v, b.get(k)));
    }

    private static void figures(String what, Map<String, Double> a, Map<String, Double> b) {
        assertEquals(a.keySet(), b.keySet(), what);
        a.forEach((k, v) -> {
            double w = b.get(k);
            if (Double.isNaN(v) || Double.isInfinite(v)) {
                assertEquals(v, w, what + " " + k);
            } else {
                assertEquals(v, w, 1e-9 * Math.max(1, Math.abs(v)), what + " " + k);
            }
        });
    }

    /** AUC equal; NE and calibration error within 1e-12 relative. */
    static void metrics(Map<Metric, Double> one, Map<Metric, Double> spark) {
        assertEquals(one.keySet(), spark.keySet());
        assertEquals(one.get(Metric.AUC), spark.get(Metric.AUC), 0, "AUC");
        for (Metric m : new Metric[] {Metric.NE, Metric.CALIBRATION_ERROR}) {
            assertEquals(one.get(m), spark.get(m), SUM_TOLERANCE * Math.abs(one.get(m)), m.label());
        }
    }
}
