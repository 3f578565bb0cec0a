package dev.quantize.core.kernel;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Arrays;
import java.util.Random;
import org.junit.jupiter.api.Test;

class ConvTest {
    /**
     * One case: batch, input channels, output channels, group, input spatial sizes, kernel sizes, pads
     * (begins then ends), strides, dilations, and whether there is a bias.
     */
    private static void check(int n, int c, int m, int group, int[] in, int[] kernel, int[] pads, int[] strides,
                              int[] dilations, boolean withBias, Parallelism par, Random rnd) {
        int k = in.length;
        int[] xShape = new int[k + 2];
        int[] wShape = new int[k + 2];
        int[] yShape = new int[k + 2];
        xShape[0] = n;
        xShape[1] = c;
        wShape[0] = m;
        wShape[1] = c / group;
        yShape[0] = n;
        yShape[1] = m;
        for (int i = 0; i < k; i++) {
            xShape[2 + i] = in[i];
            wShape[2 + i] = kernel[i];
            yShape[2 + i] = Conv.outputSize(in[i], kernel[i], pads[i], pads[k + i], strides[i], dilations[i]);
        }
        float[] x = Check.random(rnd, size(xShape));
        float[] w = Check.random(rnd, size(wShape));
        float[] bias = withBias ? Check.random(rnd, m) : null;
        float[] y = new float[size(yShape)];
        Arrays.fill(y, Float.NaN); // the kernel must overwrite every output
        Conv.conv(x, xShape, w, wShape, bias, y, yShape, pads, strides, dilations, group, par);
        Reference.Result ref = Reference.conv(x, xShape, w, wShape, bias, yShape, pads, strides, dilations, group);
        Check.close(y, ref, "conv x=" + Arrays.toString(xShape) + " w=" + Arrays.toString(wShape) + " group="
                + group + " pads=" + Arrays.toString(pads) + " strides=" + Arrays.toString(strides)
                + " dilations=" + Arrays.toString(dilations) + " bias=" + withBias + " " + par);
    }

    private static int size(int[] shape) {
        int s = 1;
        for (int d : shape) {
            s *= d;
        }
        return s;
    }

    private static int[] a(int... v) {
        return v;
    }

    @Test
    void twoDimensionalCases() {
        Random rnd = new Random(3);
        for (Parallelism par : new Parallelism[] {Parallelism.single(), Parallelism.of(2)}) {
            // Plain 3x3, same padding.
            check(1, 3, 8, 1, a(17, 17), a(3, 3), a(1, 1, 1, 1), a(1, 1), a(1, 1), true, par, rnd);
            // Batch larger than threads, stride 2, asymmetric pads.
            check(3, 5, 7, 1, a(17, 7), a(3, 2), a(0, 1, 2, 0), a(2, 1), a(1, 1), true, par, rnd);
            // Dilation and stride 3 without bias.
            check(2, 4, 6, 1, a(33, 17), a(3, 3), a(2, 1, 0, 3), a(3, 2), a(2, 3), false, par, rnd);
            // Grouped.
            check(2, 6, 9, 3, a(7, 17), a(3, 3), a(1, 1, 1, 1), a(1, 1), a(1, 1), true, par, rnd);
            // Depthwise, and depthwise with channel multiplier 2.
            check(2, 8, 8, 8, a(17, 17), a(3, 3), a(1, 0, 1, 2), a(2, 2), a(1, 1), true, par, rnd);
            check(1, 3, 6, 3, a(33, 7), a(5, 3), a(2, 1, 2, 1), a(1, 2), a(2, 1), true, par, rnd);
            // Pointwise 1x1 (no im2col), and 1x1 with stride (im2col).
            check(2, 17, 33, 1, a(7, 7), a(1, 1), a(0, 0, 0, 0), a(1, 1), a(1, 1), true, par, rnd);
            check(1, 7, 5, 1, a(17, 17), a(1, 1), a(0, 0, 0, 0), a(2, 2), a(1, 1), false, par, rnd);
            // Kernel larger than the input with padding, single output position.
            check(1, 2, 3, 1, a(1, 1), a(3, 3), a(1, 1, 1, 1), a(1, 1), a(1, 1), true, par, rnd);
            // Pads larger than the kernel reach: output rows that see only padding (bias only).
            check(1, 2, 2, 1, a(5, 5), a(2, 2), a(3, 0, 0, 4), a(1, 2), a(1, 1), true, par, rnd);
            // Many input channels (deep reduction: rows = 257 * 9).
            check(1, 257, 7, 1, a(7, 7), a(3, 3), a(1, 1, 1, 1), a(1, 1), a(1, 1), true, par, rnd);
        }
    }

    @Test
    void oneDimensionalCases() {
        Random rnd = new Random(5);
        for (Parallelism par : new Parallelism[] {Parallelism.single(), Parallelism.of(3)}) {
            check(2, 3, 5, 1, a(257), a(7), a(3, 2), a(2), a(1), true, par, rnd);
            check(1, 4, 4, 4, a(33), a(3), a(0, 4), a(1), a(3), true, par, rnd);
            check(3, 6, 4, 2, a(17), a(1), a(0, 0), a(1), a(1), false, par, rnd);
            check(1, 1, 1, 1, a(1), a(1), a(0, 0), a(1), a(1), false, par, rnd);
        }
    }

    @Test
    void threeDimensionalCases() {
        Random rnd = new Random(9);
        for (Parallelism par : new Parallelism[] {Parallelism.single(), Parallelism.of(2)}) {
            check(1, 3, 4, 1, a(7, 9, 8), a(3, 3, 3), a(1, 1, 1, 1, 1, 1), a(1, 1, 1), a(1, 1, 1), true, par, rnd);
            check(2, 4, 6, 2, a(5, 7, 6), a(2, 3, 1), a(0, 1, 0, 1, 0, 2), a(2, 1, 3), a(2, 1, 1), false, par, rnd);
            check(1, 5, 5, 5, a(6, 7, 5), a(3, 3, 3), a(1, 2, 0, 0, 1, 2), a(1, 2, 1), a(1, 1, 2), true, par, rnd);
        }
    }

    @Test
    void knownValues() {
        // ONNX Conv operator example: 5x5 input 0..24, 3x3 kernel of ones, pads 1 -> first row 12 21 27 33 24.
        float[] x = new float[25];
        for (int i = 0; i < 25; i++) {
            x[i] = i;
        }
        float[] w = new float[9];
        Arrays.fill(w, 1f);
        float[] y = new float[25];
        Conv.conv(x, a(1, 1, 5, 5), w, a(1, 1, 3, 3), null, y, a(1, 1, 5, 5), a(1, 1, 1, 1), a(1, 1), a(1, 1), 1,
                Parallelism.single());
        assertArrayEquals(new float[] {12, 21, 27, 33, 24}, Arrays.copyOf(y, 5));
        assertEquals(108f, y[12]);
    }

    @Test
    void outputSizeFormula() {
        assertEquals(5, Conv.outputSize(5, 3, 1, 1, 1, 1));
        assertEquals(3, Conv.outputSize(5, 3, 1, 1, 2, 1));
        assertEquals(1, Conv.outputSize(5, 3, 0, 0, 1, 2));
        assertEquals(2, Conv.outputSize(7, 3, 0, 1, 3, 1));
    }

    @Test
    void mismatchedShapesAreRejected() {
        float[] x = new float[2 * 9];
        float[] w = new float[4 * 2 * 4];
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () ->
                Conv.conv(x, a(1, 2, 3, 3), w, a(4, 2, 2, 2), null, new float[4 * 9], a(1, 4, 3, 3),
                        a(0, 0, 0, 0), a(1, 1), a(1, 1), 1, Parallelism.single()));
        assertTrue(e.getMessage().contains("expected size 2"), e.getMessage());
        e = assertThrows(IllegalArgumentException.class, () ->
                Conv.conv(x, a(1, 2, 3, 3), w, a(4, 2, 2, 2), null, new float[4 * 4], a(1, 4, 2, 2),
                        a(0, 0, 0, 0), a(1, 1), a(1, 1), 2, Parallelism.single()));
        assertTrue(e.getMessage().contains("group"), e.getMessage());
        e = assertThrows(IllegalArgumentException.class, () ->
                Conv.conv(x, a(1, 2, 3, 3), w, a(4, 2, 2, 2), new float[3], new float[4 * 4], a(1, 4, 2, 2),
                        a(0, 0, 0, 0), a(1, 1), a(1, 1), 1, Parallelism.single()));
        assertTrue(e.getMessage().contains("bias"), e.getMessage());
    }
}
