package dev.quantize.core.format;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

class HalfPrecisionTest {
    @Test
    void everyHalfCodeRoundTrips() {
        int nan = 0;
        for (int c = 0; c < 65536; c++) {
            float v = Float16.toFloat((short) c);
            if (Float.isNaN(v)) {
                nan++;
                assertTrue(Float.isNaN(Float16.toFloat(Float16.fromFloat(v))));
                continue;
            }
            assertEquals(c, Float16.fromFloat(v) & 0xFFFF, "code 0x" + Integer.toHexString(c));
        }
        assertEquals(2 * 1023, nan, "exponent 31 with a non-zero fraction, both signs");
    }

    @Test
    void everyBfloat16CodeRoundTrips() {
        for (int c = 0; c < 65536; c++) {
            float v = BFloat16.toFloat((short) c);
            short back = BFloat16.fromFloat(v);
            if (Float.isNaN(v)) {
                assertTrue(Float.isNaN(BFloat16.toFloat(back)));
            } else {
                assertEquals(c, back & 0xFFFF);
            }
        }
    }

    /** Known IEEE facts: largest half, overflow threshold 65520, smallest subnormal and its tie. */
    @Test
    void halfEdgeValues() {
        assertEquals(65504f, Float16.round(65519.99f));
        assertEquals(Float.POSITIVE_INFINITY, Float16.round(65520f));
        assertEquals(0x1p-24f, Float16.round(0x1.8p-25f));
        assertEquals(0f, Float16.round(0x1p-25f), "2^-25 ties to the even neighbour 0");
        assertEquals(0x1p-14f, Float16.round(0x1.ffcp-15f * 1.0001f));
        assertEquals((short) 0x3C00, Float16.fromFloat(1f));
        assertEquals((short) 0xC000, Float16.fromFloat(-2f));
        assertEquals((short) 0x7BFF, Float16.fromFloat(65504f));
        assertEquals((short) 0x0001, Float16.fromFloat(0x1p-24f));
        assertEquals((short) 0x8000, Float16.fromFloat(-0f));
        assertEquals(1f + 0x1p-10f, Float16.round(1f + 0x1.8p-11f), "tie 1+1.5ulp rounds to even 1+2^-10");
        assertEquals(1f, Float16.round(1f + 0x1p-11f), "tie 1+0.5ulp rounds to even 1");
    }

    /** The bit-level conversions agree with the specification's element quantizer on random floats of every magnitude. */
    @Test
    void conversionsMatchTheReferenceQuantizer() {
        SplittableRandom rnd = new SplittableRandom(7);
        for (int i = 0; i < 2_000_000; i++) {
            float x = Float.intBitsToFloat(rnd.nextInt());
            if (Float.isNaN(x)) {
                continue;
            }
            float h = ElementQuantizer.reference(x, ElementType.FP16, Rounding.NEAREST_EVEN, false);
            assertEquals(Float.floatToIntBits(h) & 0x7FFFFFFF, Float.floatToIntBits(Float16.round(x)) & 0x7FFFFFFF,
                    () -> "fp16 of " + x);
            float b = ElementQuantizer.reference(x, ElementType.BF16, Rounding.NEAREST_EVEN, false);
            assertEquals(b, BFloat16.round(x), () -> "bf16 of " + x);
            float ba = ElementQuantizer.reference(x, ElementType.BF16, Rounding.NEAREST_AWAY, false);
            assertEquals(ba, ScalarFormat.bf16(x, Rounding.NEAREST_AWAY), () -> "bf16 rna of " + x);
        }
    }
}
