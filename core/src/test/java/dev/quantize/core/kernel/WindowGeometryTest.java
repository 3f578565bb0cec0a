package dev.quantize.core.kernel;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

class WindowGeometryTest {
    private static int[] a(int... v) {
        return v;
    }

    @Test
    void explicitPadsFloorAndCeil() {
        WindowGeometry floor = Pool.geometry(a(32), a(3), a(2), null, a(1, 1), "NOTSET", false);
        assertArrayEquals(a(16), floor.outputSpatial());
        assertArrayEquals(a(1, 1), floor.pads());
        // (32 + 2 - 3) / 2 = 15.5 -> ceil 16, +1 = 17; window 17 would start at 32 - 1 = 31 < 33: kept.
        assertArrayEquals(a(17), Pool.geometry(a(32), a(3), a(2), null, a(1, 1), "NOTSET", true).outputSpatial());
        // in 5, kernel 2, stride 2, pad end 1: ceil gives 4 but window 4 would start at 6 >= 5 + 0: dropped to 3.
        assertArrayEquals(a(3), Pool.geometry(a(5), a(2), a(2), null, a(0, 1), "NOTSET", true).outputSpatial());
        assertArrayEquals(a(3), Pool.geometry(a(5), a(2), a(2), null, a(0, 1), "NOTSET", false).outputSpatial());
    }

    @Test
    void sameUpperAndLower() {
        // ONNX maxpool_2d_same_upper / same_lower: 32x32, kernel 2, stride 1: one pad, after or before.
        WindowGeometry upper = Pool.geometry(a(32, 32), a(2, 2), null, null, null, "SAME_UPPER", false);
        assertArrayEquals(a(32, 32), upper.outputSpatial());
        assertArrayEquals(a(0, 0, 1, 1), upper.pads());
        WindowGeometry lower = Pool.geometry(a(32, 32), a(2, 2), null, null, null, "SAME_LOWER", false);
        assertArrayEquals(a(1, 1, 0, 0), lower.pads());
        // ONNX maxpool_2d_precomputed_same_upper: 5x5, kernel 3, stride 2 -> 3x3 with pads 1 each side.
        WindowGeometry pre = Pool.geometry(a(5, 5), a(3, 3), a(2, 2), null, null, "SAME_UPPER", false);
        assertArrayEquals(a(3, 3), pre.outputSpatial());
        assertArrayEquals(a(1, 1, 1, 1), pre.pads());
        // Dilation widens the window: in 10, kernel 3, dilation 2 (extent 5), stride 3 -> out 4, total pad 4.
        WindowGeometry dil = Conv.geometry(a(10), a(3), a(3), a(2), null, "SAME_LOWER");
        assertArrayEquals(a(4), dil.outputSpatial());
        assertArrayEquals(a(2, 2), dil.pads());
    }

    @Test
    void valid() {
        WindowGeometry v = Conv.geometry(a(7, 8), a(3, 2), a(2, 3), a(1, 2), null, "VALID");
        assertArrayEquals(a(3, 2), v.outputSpatial());
        assertArrayEquals(a(0, 0, 0, 0), v.pads());
    }

    @Test
    void badAttributesAreRejected() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () ->
                Pool.geometry(a(5), a(3), null, null, null, "SAME", false));
        assertTrue(e.getMessage().contains("auto_pad"), e.getMessage());
        e = assertThrows(IllegalArgumentException.class, () ->
                Pool.geometry(a(5, 5), a(3, 3), null, null, a(1, 1), "NOTSET", false));
        assertTrue(e.getMessage().contains("pads"), e.getMessage());
        e = assertThrows(IllegalArgumentException.class, () ->
                Conv.geometry(a(2), a(5), null, null, null, "VALID"));
        assertTrue(e.getMessage().contains("larger than input"), e.getMessage());
    }
}
