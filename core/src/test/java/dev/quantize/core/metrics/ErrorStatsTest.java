package dev.quantize.core.metrics;

import static org.junit.jupiter.api.Assertions.assertEquals;

import org.junit.jupiter.api.Test;

class ErrorStatsTest {
    @Test
    void handComputedValues() {
        float[] x = {3f, 4f};
        float[] q = {3f, 3f};
        ErrorStats s = ErrorStats.of(x, q);
        assertEquals(10 * Math.log10(25.0 / 1.0), s.sqnrDb(), 1e-12);
        assertEquals(21.0 / (5.0 * Math.sqrt(18.0)), s.cosine(), 1e-12);
        assertEquals(1.0, s.maxAbsError());
        assertEquals(0.2, s.relativeL2(), 1e-12);
        assertEquals(Double.POSITIVE_INFINITY, ErrorStats.of(x, x).sqnrDb());
    }

    @Test
    void mergeEqualsWhole() {
        float[] x = {1f, -2f, 0.5f, 7f, Float.NaN};
        float[] q = {1.1f, -2f, 0.25f, 6f, 1f};
        ErrorStats whole = ErrorStats.of(x, q);
        ErrorStats parts = new ErrorStats().add(x, q, 0, 2).merge(new ErrorStats().add(x, q, 2, 5));
        assertEquals(whole.sqnrDb(), parts.sqnrDb(), 1e-12);
        assertEquals(whole.cosine(), parts.cosine(), 1e-12);
        assertEquals(whole.maxAbsError(), parts.maxAbsError());
        assertEquals(4, parts.count());
        assertEquals(1, parts.nonFinite());
    }
}
