package dev.quantize.quantizer.search;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.util.Arrays;
import java.util.Map;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

class MetricsPartialTest {
    @Test
    void binaryPartialsMergedGiveTheWholeSplitsMetrics() {
        SplittableRandom rnd = new SplittableRandom(7);
        int n = 5000;
        float[] out = new float[n];
        float[] ref = new float[n];
        float[] y = new float[n];
        for (int i = 0; i < n; i++) {
            ref[i] = (float) rnd.nextDouble();
            out[i] = ref[i] + (float) (rnd.nextDouble() - 0.5) * 0.01f;
            y[i] = rnd.nextDouble() < ref[i] ? 1 : 0;
        }
        Map<Metric, Double> whole = TaskMetrics.compute(Task.BINARY, out, y, 1, ref);
        MetricsPartial merged = new MetricsPartial();
        for (int from = 0; from < n; from += 777) {
            int to = Math.min(n, from + 777);
            merged.merge(new MetricsPartial().add(Arrays.copyOfRange(out, from, to), Arrays.copyOfRange(y, from, to), to - from,
                    Arrays.copyOfRange(ref, from, to)));
        }
        assertEquals(Task.BINARY, merged.task());
        assertEquals(n, merged.rows());
        Map<Metric, Double> m = merged.metrics();
        assertEquals(whole.keySet(), m.keySet());
        assertEquals(whole.get(Metric.AUC), m.get(Metric.AUC), 0);
        for (Metric k : new Metric[] {Metric.NE, Metric.CALIBRATION_ERROR, Metric.SQNR, Metric.COSINE}) {
            assertEquals(whole.get(k), m.get(k), 1e-12 * Math.abs(whole.get(k)), k.id());
        }
    }

    @Test
    void multiClassAccuracyCountsAcrossPartialsAndBadLabelsNameTheRow() {
        float[] logits = {0.1f, 0.9f, 0.8f, 0.2f, 0.3f, 0.7f};
        MetricsPartial a = new MetricsPartial().add(Arrays.copyOfRange(logits, 0, 4), new float[] {1, 1}, 2, null);
        MetricsPartial b = new MetricsPartial().add(Arrays.copyOfRange(logits, 4, 6), new float[] {1}, 1, null);
        MetricsPartial m = a.merge(b);
        assertEquals(Task.MULTICLASS, m.task());
        assertEquals(2.0 / 3, m.metrics().get(Metric.ACCURACY), 0);
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> m.add(new float[] {0.5f, 0.5f}, new float[] {3}, 1, null));
        assertEquals("accuracy: label 3 of row 3 is not a class in [0, 2)", e.getMessage());
        assertThrows(IllegalArgumentException.class, () -> m.add(new float[] {0.5f, 0.5f}, null, 1, null),
                "labelled and unlabelled batches do not mix");
        assertEquals(Task.NONE, new MetricsPartial().add(new float[] {1, 2}, null, 2, null).task());
    }
}
