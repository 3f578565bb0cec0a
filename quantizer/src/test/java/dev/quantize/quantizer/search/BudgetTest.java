package dev.quantize.quantizer.search;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

class BudgetTest {
    @Test
    void relativeAbsoluteAndBoundBudgets() {
        Budget ne = Budget.parse("ne+0.1%");
        assertEquals(Metric.NE, ne.metric());
        assertEquals(0.8008, ne.limit(0.8), 1e-12);
        assertTrue(ne.met(0.8, 0.8008));
        assertFalse(ne.met(0.8, 0.80081));
        Budget acc = Budget.parse("acc-0.5%");
        assertEquals(0.85 * 0.995, acc.limit(0.85), 1e-12);
        Budget auc = Budget.parse("auc - 0.001");
        assertEquals(0.759, auc.limit(0.76), 1e-12);
        Budget sqnr = Budget.parse("sqnr>=30");
        assertTrue(sqnr.met(Double.POSITIVE_INFINITY, 30));
        assertFalse(sqnr.met(Double.POSITIVE_INFINITY, 29.99));
        assertFalse(ne.met(0.8, Double.NaN));
        assertEquals("ne+0.1%", ne.toString());
        assertEquals("sqnr>=30", sqnr.toString());
    }

    @Test
    void wrongDirectionsAndNonsenseAreExplained() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> Budget.parse("acc+0.5%"));
        assertEquals("budget 'acc+0.5%': acc gets worse when it falls: write acc-0.5%", e.getMessage());
        assertThrows(IllegalArgumentException.class, () -> Budget.parse("ne>=0.8"));
        assertThrows(IllegalArgumentException.class, () -> Budget.parse("speed+3%"));
        assertThrows(IllegalArgumentException.class, () -> Budget.parse("ne 0.1"));
    }
}
