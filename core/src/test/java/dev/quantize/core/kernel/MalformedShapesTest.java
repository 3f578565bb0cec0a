package dev.quantize.core.kernel;

import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import java.util.Arrays;
import java.util.Random;
import org.junit.jupiter.api.Test;

/**
 * Seeded random corruption of otherwise valid Conv and Pool arguments: every call must either succeed
 * and agree with the reference (the corruption happened to stay consistent) or throw
 * IllegalArgumentException; never an index error or a silently wrong result.
 */
class MalformedShapesTest {
    private static final int CASES = 300;

    private static int size(int[] shape) {
        int s = 1;
        for (int d : shape) {
            s *= d;
        }
        return s;
    }

    /** Changes one random entry of one random array by a small random amount (possibly to 0 or negative). */
    private static void corrupt(Random rnd, int[]... arrays) {
        int[] target = arrays[rnd.nextInt(arrays.length)];
        if (target.length > 0) {
            int i = rnd.nextInt(target.length);
            target[i] += rnd.nextInt(5) - 2;
        }
    }

    @Test
    void corruptedConvArgumentsAreRejectedOrCorrect() {
        int rejected = 0;
        int accepted = 0;
        Random rnd = new Random(2024);
        for (int t = 0; t < CASES; t++) {
            int k = 1 + rnd.nextInt(3);
            int group = 1 + rnd.nextInt(2);
            int c = group * (1 + rnd.nextInt(3));
            int m = group * (1 + rnd.nextInt(3));
            int[] xShape = new int[k + 2];
            int[] wShape = new int[k + 2];
            int[] yShape = new int[k + 2];
            int[] pads = new int[2 * k];
            int[] strides = new int[k];
            int[] dilations = new int[k];
            xShape[0] = 1 + rnd.nextInt(2);
            xShape[1] = c;
            wShape[0] = m;
            wShape[1] = c / group;
            yShape[0] = xShape[0];
            yShape[1] = m;
            for (int i = 0; i < k; i++) {
                xShape[2 + i] = 3 + rnd.nextInt(5);
                wShape[2 + i] = 1 + rnd.nextInt(3);
                pads[i] = rnd.nextInt(2);
                pads[k + i] = rnd.nextInt(2);
                strides[i] = 1 + rnd.nextInt(2);
                dilations[i] = 1 + rnd.nextInt(2);
                yShape[2 + i] = Conv.outputSize(xShape[2 + i], wShape[2 + i], pads[i], pads[k + i], strides[i],
                        dilations[i]);
            }
            corrupt(rnd, xShape, wShape, yShape, pads, strides, dilations);
            int g = rnd.nextInt(10) == 0 ? group + 1 : group;
            String what = "case " + t + ": x=" + Arrays.toString(xShape) + " w=" + Arrays.toString(wShape) + " y="
                    + Arrays.toString(yShape) + " pads=" + Arrays.toString(pads) + " strides="
                    + Arrays.toString(strides) + " dilations=" + Arrays.toString(dilations) + " group=" + g;
            float[] x;
            float[] w;
            float[] y;
            try {
                x = Check.random(rnd, Math.max(0, size(xShape)));
                w = Check.random(rnd, Math.max(0, size(wShape)));
                y = new float[Math.max(0, size(yShape))];
            } catch (NegativeArraySizeException e) {
                continue; // a negative dimension cannot even be allocated; nothing to call
            }
            try {
                Conv.conv(x, xShape, w, wShape, null, y, yShape, pads, strides, dilations, g, Parallelism.single());
            } catch (IllegalArgumentException expected) {
                rejected++;
                continue;
            } catch (RuntimeException e) {
                fail(what + ": threw " + e, e);
            }
            Check.close(y, Reference.conv(x, xShape, w, wShape, null, yShape, pads, strides, dilations, g),
                    "accepted " + what);
            accepted++;
        }
        // Both outcomes must occur, or the corruption is not exercising what it should.
        assertTrue(rejected > CASES / 4 && accepted > CASES / 20, "rejected " + rejected + ", accepted " + accepted);
    }

    @Test
    void corruptedPoolArgumentsAreRejectedOrCorrect() {
        int rejected = 0;
        int accepted = 0;
        Random rnd = new Random(99);
        for (int t = 0; t < CASES; t++) {
            int k = 1 + rnd.nextInt(3);
            int[] xShape = new int[k + 2];
            int[] kernel = new int[k];
            int[] pads = new int[2 * k];
            int[] strides = new int[k];
            xShape[0] = 1 + rnd.nextInt(2);
            xShape[1] = 1 + rnd.nextInt(3);
            for (int i = 0; i < k; i++) {
                xShape[2 + i] = 3 + rnd.nextInt(5);
                kernel[i] = 1 + rnd.nextInt(3);
                pads[i] = rnd.nextInt(kernel[i]);
                pads[k + i] = rnd.nextInt(kernel[i]);
                strides[i] = 1 + rnd.nextInt(2);
            }
            WindowGeometry geo = Pool.geometry(Arrays.copyOfRange(xShape, 2, k + 2), kernel, strides, null, pads,
                    "NOTSET", rnd.nextBoolean());
            int[] yShape = new int[k + 2];
            yShape[0] = xShape[0];
            yShape[1] = xShape[1];
            System.arraycopy(geo.outputSpatial(), 0, yShape, 2, k);
            corrupt(rnd, xShape, yShape, kernel, pads, strides);
            String what = "case " + t + ": x=" + Arrays.toString(xShape) + " y=" + Arrays.toString(yShape)
                    + " kernel=" + Arrays.toString(kernel) + " pads=" + Arrays.toString(pads) + " strides="
                    + Arrays.toString(strides);
            float[] x;
            float[] y;
            try {
                x = Check.random(rnd, size(xShape));
                y = new float[size(yShape)];
            } catch (NegativeArraySizeException e) {
                continue;
            }
            try {
                Pool.maxPool(x, xShape, y, yShape, kernel, pads, strides, null, null, Parallelism.single());
            } catch (IllegalArgumentException expected) {
                rejected++;
                continue;
            } catch (RuntimeException e) {
                fail(what + ": threw " + e, e);
            }
            int[] ones = new int[k];
            Arrays.fill(ones, 1);
            Reference.Result ref = Reference.pool("max", x, xShape, yShape, kernel, pads, strides, ones);
            for (int i = 0; i < y.length; i++) {
                if (y[i] != (float) ref.value[i]) {
                    fail("accepted " + what + " but element " + i + " is " + y[i] + ", expected " + ref.value[i]);
                }
            }
            accepted++;
        }
        assertTrue(rejected > CASES / 4 && accepted > CASES / 20, "rejected " + rejected + ", accepted " + accepted);
    }
}
