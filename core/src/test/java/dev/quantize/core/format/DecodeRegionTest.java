package dev.quantize.core.format;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;

class DecodeRegionTest {
    private static final int[][] SHAPES = {{1, 1}, {7, 33}, {33, 7}, {17, 17}, {257, 33}, {33, 257}, {1, 257}, {64, 48}};

    private static List<NumericFormat> formats() {
        List<NumericFormat> list = new ArrayList<>(FormatRegistry.standard());
        for (String extra : new String[] {"int4_per_group:g7", "mxfp4_e2m1:k16:rna", "mxint8:k5", "mx6:k6", "mx9:rne",
            "int8_per_channel_affine", "fp6_e3m2_sat", "fp4_e2m1_sat"}) {
            list.add(FormatRegistry.parse(extra));
        }
        return list;
    }

    private static float[] data(Random rnd, int n, boolean specials) {
        float[] x = new float[n];
        for (int i = 0; i < n; i++) {
            x[i] = (float) (rnd.nextGaussian() * Math.pow(2, rnd.nextInt(12) - 6));
        }
        if (specials && n > 10) {
            x[3] = Float.NaN;
            x[n - 2] = Float.POSITIVE_INFINITY;
            x[n / 2] = 0f;
            x[n / 2 + 1] = -0f;
        }
        return x;
    }

    @Test
    void everyRegionEqualsTheSameElementsOfTheFullDecode() {
        Random rnd = new Random(21);
        for (NumericFormat f : formats()) {
            for (int[] shape : SHAPES) {
                for (int axis : new int[] {0, 1, -1}) {
                    // NaN and Inf: block formats turn their block into NaN; 16- and 32-bit casts keep them.
                    boolean specials = f instanceof MxFormat || f instanceof BdrFormat
                            || f instanceof ScalarFormat s && s.elementType().bits() >= 16;
                    PackedTensor p = f.encode(data(rnd, shape[0] * shape[1], specials), shape, axis);
                    float[] all = f.decode(p);
                    int[][] regions = {{0, shape[0], 0, shape[1]}, {0, 0, 0, shape[1]}, {shape[0] - 1, shape[0], 0, 1},
                        {shape[0] / 3, shape[0] / 3 + (shape[0] + 1) / 2, shape[1] / 4, shape[1] / 4 + (shape[1] + 2) / 3},
                        {0, shape[0], shape[1] / 2, shape[1]}, {shape[0] / 2, shape[0], 0, shape[1]}};
                    for (int[] g : regions) {
                        int w = g[3] - g[2];
                        float[] dst = new float[Math.max(1, (g[1] - g[0]) * w)];
                        f.decodeRegion(p, g[0], g[1], g[2], g[3], dst);
                        for (int r = g[0]; r < g[1]; r++) {
                            for (int c = g[2]; c < g[3]; c++) {
                                float e = all[r * shape[1] + c];
                                float a = dst[(r - g[0]) * w + c - g[2]];
                                if (Float.floatToRawIntBits(e) != Float.floatToRawIntBits(a)
                                        && !(Float.isNaN(e) && Float.isNaN(a))) {
                                    assertEquals(e, a, 0f, f.name() + " shape " + shape[0] + "x" + shape[1] + " axis " + axis
                                            + " element (" + r + "," + c + ")");
                                    assertEquals(Float.floatToRawIntBits(e), Float.floatToRawIntBits(a), "sign of zero");
                                }
                            }
                        }
                    }
                }
            }
        }
    }

    @Test
    void refusesRegionsOutsideTheTensor() {
        NumericFormat f = FormatRegistry.parse("mxfp8_e4m3");
        PackedTensor p = f.encode(new float[7 * 33], new int[] {7, 33}, 1);
        assertThrows(IllegalArgumentException.class, () -> f.decodeRegion(p, 0, 8, 0, 1, new float[33]));
        assertThrows(IllegalArgumentException.class, () -> f.decodeRegion(p, 2, 1, 0, 1, new float[33]));
        assertThrows(IllegalArgumentException.class, () -> f.decodeRegion(p, 0, 2, 0, 33, new float[33]));
        PackedTensor p3 = f.encode(new float[8], new int[] {2, 2, 2}, 2);
        assertThrows(IllegalArgumentException.class, () -> f.decodeRegion(p3, 0, 1, 0, 1, new float[8]));
    }
}
