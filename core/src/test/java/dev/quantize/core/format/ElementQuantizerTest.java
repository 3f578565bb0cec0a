package dev.quantize.core.format;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

class ElementQuantizerTest {
    private static final List<ElementType> NARROW = List.of(ElementType.FP16, ElementType.E4M3, ElementType.E5M2,
            ElementType.E3M2, ElementType.E2M3, ElementType.E2M1, ElementType.INT8_FIXED);

    private static void assertSame(float expected, float actual, String what) {
        if (Float.isNaN(expected)) {
            assertTrue(Float.isNaN(actual), what + ": expected NaN, got " + actual);
        } else {
            assertEquals(expected, actual, 0f, what);
        }
    }

    /** The fast bit-level quantizer equals the step-by-step reference on every magnitude and every tie. */
    @Test
    void fastEqualsReference() {
        SplittableRandom rnd = new SplittableRandom(11);
        for (ElementType t : NARROW) {
            for (Rounding r : Rounding.values()) {
                for (boolean sat : new boolean[] {true, false}) {
                    ElementQuantizer q = new ElementQuantizer(t, r, sat);
                    for (int i = 0; i < 100_000; i++) {
                        float x = i % 3 == 0 ? Float.intBitsToFloat(rnd.nextInt())
                                : (float) (rnd.nextGaussian() * Math.scalb(1.0, rnd.nextInt(-20, 20)));
                        String what = t.name() + " " + r + (sat ? " sat" : "") + " x=" + x;
                        assertSame(ElementQuantizer.reference(x, t, r, sat), q.quantize(x), what);
                    }
                    // exact midpoints of the grid and their neighbours
                    ElementCodec codec = new ElementCodec(t);
                    int codes = 1 << Math.min(t.bits(), 12);
                    for (int c = 0; c + 1 < codes; c++) {
                        float lo = codec.decode(c);
                        float hi = codec.decode(c + 1);
                        if (!Float.isFinite(lo) || !Float.isFinite(hi) || lo < 0 || hi < lo) {
                            continue;
                        }
                        float mid = (float) ((lo + (double) hi) / 2);
                        for (float x : new float[] {mid, Math.nextUp(mid), Math.nextDown(mid), -mid}) {
                            assertSame(ElementQuantizer.reference(x, t, r, sat), q.quantize(x), t.name() + " " + r + " tie " + x);
                        }
                    }
                }
            }
        }
    }

    @Test
    void publishedRangesOfTheElementTypes() {
        assertEquals(448f, ElementType.E4M3.maxValue());
        assertEquals(57344f, ElementType.E5M2.maxValue());
        assertEquals(28f, ElementType.E3M2.maxValue());
        assertEquals(7.5f, ElementType.E2M3.maxValue());
        assertEquals(6f, ElementType.E2M1.maxValue());
        assertEquals(1.984375f, ElementType.INT8_FIXED.maxValue());
        assertEquals(65504f, ElementType.FP16.maxValue());
        assertEquals(3.3895314e38f, ElementType.BF16.maxValue());
        assertEquals(8, ElementType.E4M3.emax());
        assertEquals(15, ElementType.E5M2.emax());
        assertEquals(4, ElementType.E3M2.emax());
        assertEquals(2, ElementType.E2M3.emax());
        assertEquals(2, ElementType.E2M1.emax());
        assertEquals(0, ElementType.INT8_FIXED.emax());
    }

    @Test
    void fp4HasExactlyTheEightPublishedMagnitudes() {
        ElementCodec c = new ElementCodec(ElementType.E2M1);
        float[] expected = {0, 0.5f, 1, 1.5f, 2, 3, 4, 6};
        for (int code = 0; code < 8; code++) {
            assertEquals(expected[code], c.decode(code));
            assertEquals(-expected[code], c.decode(code | 8));
        }
    }

    /** E4M3: 464 is a tie between 448 and the missing 480 (section 2.1, step 6). */
    @Test
    void e4m3TopTie() {
        assertEquals(448f, new ElementQuantizer(ElementType.E4M3, Rounding.NEAREST_EVEN, false).quantize(464f));
        assertTrue(Float.isNaN(new ElementQuantizer(ElementType.E4M3, Rounding.NEAREST_AWAY, false).quantize(464f)));
        assertEquals(448f, new ElementQuantizer(ElementType.E4M3, Rounding.NEAREST_AWAY, true).quantize(464f));
        assertEquals(-448f, new ElementQuantizer(ElementType.E4M3, Rounding.NEAREST_EVEN, true).quantize(Float.NEGATIVE_INFINITY));
        assertEquals(Float.POSITIVE_INFINITY, new ElementQuantizer(ElementType.E5M2, Rounding.NEAREST_EVEN, false).quantize(61440f));
        assertEquals(57344f, new ElementQuantizer(ElementType.E5M2, Rounding.NEAREST_EVEN, false).quantize(61439f));
    }

    /** Every FP8 code (and every FP6/FP4/INT8-element code) decodes to a value that encodes back to it. */
    @Test
    void everyNarrowCodeRoundTrips() {
        for (ElementType t : List.of(ElementType.E4M3, ElementType.E5M2, ElementType.E3M2, ElementType.E2M3,
                ElementType.E2M1, ElementType.INT8_FIXED)) {
            ElementCodec c = new ElementCodec(t);
            int nans = 0;
            for (int code = 0; code < 1 << t.bits(); code++) {
                float v = c.decode(code);
                if (Float.isNaN(v)) {
                    nans++;
                    continue;
                }
                if (t.fixedPoint() && code == 0x80) {
                    assertEquals(-2f, v, "0x80 decodes to -2 though it is never produced");
                    continue;
                }
                assertEquals(code, c.encode(v), t.name() + " code " + code + " value " + v);
                ElementQuantizer q = new ElementQuantizer(t, Rounding.NEAREST_EVEN, true);
                if (Float.isFinite(v)) {
                    assertEquals(v, q.quantize(v), 0f, "grid values are fixed points of the quantizer");
                }
            }
            int expectedNans = switch (t.specials()) {
                case IEEE -> 2 * ((1 << t.mantissaBits()) - 1);
                case NAN_ONLY_ALL_ONES -> 2;
                case NONE -> 0;
            };
            assertEquals(expectedNans, nans, t.name());
        }
    }
}
