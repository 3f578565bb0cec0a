package dev.quantize.core.kernel;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import java.util.Arrays;
import java.util.Random;
import org.junit.jupiter.api.Test;

class PoolTest {
    private static int[] a(int... v) {
        return v;
    }

    private static int size(int[] shape) {
        int s = 1;
        for (int d : shape) {
            s *= d;
        }
        return s;
    }

    /** Checks max and both average modes on one window configuration, floor and (if different) ceil shape. */
    private static void check(int n, int c, int[] in, int[] kernel, int[] pads, int[] strides, int[] dilations,
                              Parallelism par, Random rnd) {
        int k = in.length;
        int[] xShape = new int[k + 2];
        xShape[0] = n;
        xShape[1] = c;
        System.arraycopy(in, 0, xShape, 2, k);
        float[] x = Check.random(rnd, size(xShape));
        for (boolean ceil : new boolean[] {false, true}) {
            WindowGeometry g = Pool.geometry(in, kernel, strides, dilations, pads, "NOTSET", ceil);
            int[] yShape = new int[k + 2];
            yShape[0] = n;
            yShape[1] = c;
            System.arraycopy(g.outputSpatial(), 0, yShape, 2, k);
            String what = "x=" + Arrays.toString(xShape) + " y=" + Arrays.toString(yShape) + " kernel="
                    + Arrays.toString(kernel) + " pads=" + Arrays.toString(pads) + " strides="
                    + Arrays.toString(strides) + " dilations=" + Arrays.toString(dilations) + " ceil=" + ceil;
            float[] y = new float[size(yShape)];
            long[] idx = new long[y.length];
            Pool.maxPool(x, xShape, y, yShape, kernel, pads, strides, dilations, idx, par);
            Reference.Result ref = Reference.pool("max", x, xShape, yShape, kernel, pads, strides, dilations);
            for (int i = 0; i < y.length; i++) {
                // Max is exact: the same float, and the same (first) position on ties.
                if (y[i] != (float) ref.value[i] || idx[i] != (long) ref.magnitude[i]) {
                    fail("maxPool " + what + " at " + i + ": got " + y[i] + "@" + idx[i] + ", expected "
                            + ref.value[i] + "@" + (long) ref.magnitude[i]);
                }
            }
            float[] yNoIdx = new float[y.length];
            Pool.maxPool(x, xShape, yNoIdx, yShape, kernel, pads, strides, dilations, null, par);
            assertArrayEquals(y, yNoIdx, what);
            if (dilations == null || Arrays.stream(dilations).allMatch(d -> d == 1)) {
                for (boolean includePad : new boolean[] {false, true}) {
                    float[] avg = new float[y.length];
                    Pool.averagePool(x, xShape, avg, yShape, kernel, pads, strides, includePad, par);
                    Reference.Result r = Reference.pool(includePad ? "avgpad" : "avg", x, xShape, yShape, kernel,
                            pads, strides, ones(k));
                    for (int i = 0; i < avg.length; i++) {
                        double tol = Check.REL * r.magnitude[i] + Float.MIN_NORMAL;
                        if (!(Math.abs(avg[i] - r.value[i]) <= tol)) {
                            fail("averagePool includePad=" + includePad + " " + what + " at " + i + ": got " + avg[i]
                                    + ", expected " + r.value[i]);
                        }
                    }
                }
            }
        }
    }

    private static int[] ones(int k) {
        int[] o = new int[k];
        Arrays.fill(o, 1);
        return o;
    }

    @Test
    void matchesTheReferenceIn1d2d3d() {
        Random rnd = new Random(17);
        for (Parallelism par : new Parallelism[] {Parallelism.single(), Parallelism.of(2)}) {
            check(2, 3, a(17), a(3), a(1, 0), a(2), a(1), par, rnd);
            check(1, 2, a(257), a(4), a(0, 3), a(3), a(2), par, rnd);
            check(2, 3, a(17, 7), a(3, 3), a(1, 1, 1, 1), a(2, 2), a(1, 1), par, rnd);
            check(1, 5, a(33, 17), a(2, 3), a(0, 2, 1, 0), a(3, 2), a(1, 1), par, rnd);
            check(1, 2, a(17, 17), a(3, 2), a(1, 0, 1, 1), a(2, 3), a(2, 2), par, rnd);
            check(3, 1, a(7, 7), a(7, 7), a(0, 0, 0, 0), a(1, 1), a(1, 1), par, rnd);
            check(1, 2, a(7, 8, 9), a(2, 3, 2), a(1, 0, 1, 0, 1, 1), a(2, 2, 3), a(1, 1, 1), par, rnd);
            check(1, 1, a(9, 7, 5), a(2, 2, 2), a(0, 0, 0, 0, 0, 0), a(2, 2, 2), a(2, 1, 2), par, rnd);
        }
    }

    @Test
    void onnxMaxPoolCeilExample() {
        // ONNX MaxPool maxpool_2d_ceil: 4x4 input 1..16, kernel 3, stride 2, ceil_mode -> [[11, 12], [15, 16]].
        float[] x = new float[16];
        for (int i = 0; i < 16; i++) {
            x[i] = i + 1;
        }
        WindowGeometry g = Pool.geometry(a(4, 4), a(3, 3), a(2, 2), null, null, "NOTSET", true);
        assertArrayEquals(a(2, 2), g.outputSpatial());
        float[] y = new float[4];
        long[] idx = new long[4];
        Pool.maxPool(x, a(1, 1, 4, 4), y, a(1, 1, 2, 2), a(3, 3), g.pads(), a(2, 2), null, idx, Parallelism.single());
        assertArrayEquals(new float[] {11, 12, 15, 16}, y);
        assertArrayEquals(new long[] {10, 11, 14, 15}, idx);
    }

    @Test
    void onnxAveragePoolCeilExample() {
        // ONNX AveragePool averagepool_2d_ceil: same input and window -> [[6, 7.5], [12, 13.5]]: the window
        // part beyond the input is not counted.
        float[] x = new float[16];
        for (int i = 0; i < 16; i++) {
            x[i] = i + 1;
        }
        float[] y = new float[4];
        for (boolean includePad : new boolean[] {false, true}) {
            Pool.averagePool(x, a(1, 1, 4, 4), y, a(1, 1, 2, 2), a(3, 3), a(0, 0, 0, 0), a(2, 2), includePad,
                    Parallelism.single());
            assertArrayEquals(new float[] {6f, 7.5f, 12f, 13.5f}, y);
        }
    }

    @Test
    void paddingNeverWinsMaxAndCountsOnlyWhenAsked() {
        float[] x = {-5f, -7f, -1f};
        float[] y = new float[3];
        long[] idx = new long[3];
        Pool.maxPool(x, a(1, 1, 3), y, a(1, 1, 3), a(3), a(1, 1), a(1), null, idx, Parallelism.single());
        assertArrayEquals(new float[] {-5f, -1f, -1f}, y);
        assertArrayEquals(new long[] {0, 2, 2}, idx);
        Pool.averagePool(x, a(1, 1, 3), y, a(1, 1, 3), a(3), a(1, 1), a(1), true, Parallelism.single());
        assertArrayEquals(new float[] {-12f / 3, -13f / 3, -8f / 3}, y);
        Pool.averagePool(x, a(1, 1, 3), y, a(1, 1, 3), a(3), a(1, 1), a(1), false, Parallelism.single());
        assertArrayEquals(new float[] {-6f, -13f / 3, -4f}, y);
    }

    @Test
    void nanPropagatesThroughMax() {
        float[] x = {1f, Float.NaN, 3f, 2f};
        float[] y = new float[2];
        Pool.maxPool(x, a(1, 1, 4), y, a(1, 1, 2), a(2), null, a(2), null, null, Parallelism.single());
        assertTrue(Float.isNaN(y[0]));
        assertEquals(3f, y[1]);
        float[] g = new float[1];
        Pool.globalMaxPool(x, a(1, 1, 4), g);
        assertTrue(Float.isNaN(g[0]));
    }

    @Test
    void globalPools() {
        Random rnd = new Random(23);
        int[] shape = a(2, 3, 7, 17);
        float[] x = Check.random(rnd, size(shape));
        float[] avg = new float[6];
        float[] max = new float[6];
        Pool.globalAveragePool(x, shape, avg);
        Pool.globalMaxPool(x, shape, max);
        int plane = 7 * 17;
        for (int p = 0; p < 6; p++) {
            double sum = 0;
            double abs = 0;
            float best = Float.NEGATIVE_INFINITY;
            for (int i = 0; i < plane; i++) {
                sum += x[p * plane + i];
                abs += Math.abs(x[p * plane + i]);
                best = Math.max(best, x[p * plane + i]);
            }
            assertEquals(sum / plane, avg[p], Check.REL * abs / plane);
            assertEquals(best, max[p]);
        }
    }

    @Test
    void wrongShapesAreRejected() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () ->
                Pool.maxPool(new float[16], a(1, 1, 4, 4), new float[9], a(1, 1, 3, 3), a(3, 3), null, a(2, 2),
                        null, null, Parallelism.single()));
        assertTrue(e.getMessage().contains("expected size 1 or 2"), e.getMessage());
        e = assertThrows(IllegalArgumentException.class, () ->
                Pool.averagePool(new float[16], a(1, 1, 4, 4), new float[4], a(1, 1, 2, 2), a(3), null, a(2, 2),
                        false, Parallelism.single()));
        assertTrue(e.getMessage().contains("kernel"), e.getMessage());
        e = assertThrows(IllegalArgumentException.class, () ->
                Pool.globalAveragePool(new float[16], a(1, 4), new float[4]));
        assertTrue(e.getMessage().contains("spatial"), e.getMessage());
    }
}
