package dev.quantize.core.format;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.quantize.core.tensor.Shape;
import java.util.List;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

/** The Vector API MX kernel is bit-exact with the plain-Java one on every layout it takes. */
class VectorKernelTest {
    @Test
    void vectorModuleIsPresentInTests() {
        assertTrue(SimdSupport.VECTOR_MODULE, "the build runs tests with --add-modules jdk.incubator.vector");
        assertTrue(((MxFormat) FormatRegistry.parse("mxfp4_e2m1")).implementation().startsWith("vector"));
    }

    private static float[] mixed(SplittableRandom rnd, int n) {
        float[] x = new float[n];
        for (int i = 0; i < x.length; i++) {
            int kind = rnd.nextInt(20);
            x[i] = kind == 0 ? Float.intBitsToFloat(rnd.nextInt())
                    : kind == 1 ? 0f
                    : kind == 2 ? -Float.MIN_VALUE * rnd.nextInt(1, 100)
                    : (float) (rnd.nextGaussian() * Math.scalb(1.0, rnd.nextInt(-130, 120)));
        }
        return x;
    }

    private static void assertBitsEqual(float[] expected, float[] actual, String what) {
        for (int i = 0; i < expected.length; i++) {
            boolean same = Float.isNaN(expected[i]) ? Float.isNaN(actual[i])
                    : Float.floatToRawIntBits(actual[i]) == Float.floatToRawIntBits(expected[i]);
            if (!same) {
                assertEquals(expected[i], actual[i], what + " element " + i);
            }
        }
    }

    @Test
    void bdrVectorEqualsScalar() {
        SplittableRandom rnd = new SplittableRandom(10);
        for (int m : new int[] {7, 4, 2}) {
            for (int k : new int[] {16, 32}) {
              for (Rounding rounding : Rounding.values()) {
                BdrFormat vec = new BdrFormat("t", m, k, 2, rounding, true);
                BdrFormat plain = new BdrFormat("t", m, k, 2, rounding, false);
                assertTrue(vec.implementation().startsWith("vector"));
                for (int round = 0; round < 200; round++) {
                    int[] shape = {3, 64 + 16 * rnd.nextInt(4) + (round % 5 == 0 ? 3 : 0)};
                    float[] x = mixed(rnd, shape[0] * shape[1]);
                    if (round % 7 == 0) { // blocks near the top and bottom of the exponent range
                        for (int i = 0; i < x.length; i++) {
                            x[i] = Math.scalb(x[i] == 0 ? 1f : Math.signum(x[i]), round % 2 == 0 ? 127 - rnd.nextInt(10) : -126 + rnd.nextInt(10))
                                    * (1 + rnd.nextFloat());
                        }
                    }
                    assertBitsEqual(plain.quantizeDequantize(x, shape, 1), vec.quantizeDequantize(x, shape, 1),
                            "bdr m=" + m + " k" + k + " " + rounding);
                }
              }
            }
        }
    }

    @Test
    void vectorEqualsScalar() {
        SplittableRandom rnd = new SplittableRandom(9);
        int[][] shapes = {{4, 64}, {3, 96}, {2, 33}, {64, 17}, {40, 40}, {5, 16, 24}, {2, 64, 3}};
        for (ElementType e : List.of(ElementType.E4M3, ElementType.E5M2, ElementType.E3M2, ElementType.E2M3,
                ElementType.E2M1, ElementType.INT8_FIXED)) {
            for (Rounding r : Rounding.values()) {
                for (int k : new int[] {16, 32, 64}) {
                    MxFormat vec = new MxFormat("t", e, k, r, true);
                    MxFormat plain = new MxFormat("t", e, k, r, false);
                    for (int[] shape : shapes) {
                        for (int axis = 0; axis < shape.length; axis++) {
                            float[] x = new float[Shape.size(shape)];
                            for (int i = 0; i < x.length; i++) {
                                int kind = rnd.nextInt(20);
                                x[i] = kind == 0 ? Float.intBitsToFloat(rnd.nextInt())
                                        : kind == 1 ? 0f
                                        : kind == 2 ? -Float.MIN_VALUE * rnd.nextInt(1, 100)
                                        : (float) (rnd.nextGaussian() * Math.scalb(1.0, rnd.nextInt(-130, 120)));
                            }
                            float[] a = vec.quantizeDequantize(x, shape, axis);
                            float[] b = plain.quantizeDequantize(x, shape, axis);
                            for (int i = 0; i < x.length; i++) {
                                boolean same = Float.isNaN(b[i]) ? Float.isNaN(a[i])
                                        : Float.floatToRawIntBits(a[i]) == Float.floatToRawIntBits(b[i]);
                                if (!same) {
                                    assertEquals(b[i], a[i], e.name() + " " + r + " k" + k + " shape "
                                            + java.util.Arrays.toString(shape) + " axis " + axis + " element " + i + " x=" + x[i]);
                                }
                            }
                        }
                    }
                }
            }
        }
    }
}
