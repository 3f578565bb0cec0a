package dev.quantize.core.exec;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertSame;

import dev.quantize.core.exec.ops.Op;
import dev.quantize.core.exec.ops.OpRegistry;
import dev.quantize.core.exec.ops.SpecialFunctions;
import dev.quantize.core.graph.Attribute;
import dev.quantize.core.tensor.DataType;
import dev.quantize.core.tensor.Tensor;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import org.junit.jupiter.api.Test;

/** Single ops run through a one-node graph, checked against values computed independently here. */
class OpsTest {
    /** Runs op on the given inputs (named i0, i1, ...) at an opset; returns output 0. */
    private static Tensor run(long opset, String op, List<Tensor> inputs, Attribute... attrs) {
        Graphs g = new Graphs().opset(opset);
        List<String> names = new ArrayList<>();
        Map<String, Tensor> feed = new LinkedHashMap<>();
        for (int i = 0; i < inputs.size(); i++) {
            names.add("i" + i);
            g.input("i" + i, inputs.get(i).type(), toLongs(inputs.get(i).shape()));
            feed.put("i" + i, inputs.get(i));
        }
        g.node("n", op, names, List.of("y"), attrs).output("y");
        return Executor.builder(g.model()).threads(1).build().run(feed).get("y");
    }

    private static long[] toLongs(int[] s) {
        long[] l = new long[s.length];
        for (int i = 0; i < s.length; i++) {
            l[i] = s[i];
        }
        return l;
    }

    private static Tensor f(int[] shape, float... v) {
        return Tensor.ofFloats(shape, v);
    }

    private static Tensor l(int[] shape, long... v) {
        return Tensor.ofLongs(shape, v);
    }

    @Test
    void registryPicksNewestVersionNotAfterTheOpset() {
        OpRegistry r = new OpRegistry();
        Op v1 = (ctx, in) -> in;
        Op v13 = (ctx, in) -> in;
        r.register("X", 13, v13).register("X", 1, v1);
        assertSame(v1, r.find("", "X", 12));
        assertSame(v13, r.find("ai.onnx", "X", 13));
        assertSame(v13, r.find("", "X", 21));
        assertNull(new OpRegistry().register("Y", 20, v1).find("", "Y", 19));
        assertNotNull(OpRegistry.standard().find("", "Gelu", 20));
    }

    @Test
    void axesMoveFromAttributeToInputAtOpset13() {
        Tensor x = f(new int[] {2, 3}, 1, 2, 3, 4, 5, 6);
        // Opset 11: axes attribute.
        Tensor a = run(11, "ReduceSum", List.of(x), Attribute.ofInts("axes", 1), Attribute.of("keepdims", 0L));
        assertArrayEquals(new float[] {6, 15}, a.floats());
        Tensor u = run(11, "Unsqueeze", List.of(x), Attribute.ofInts("axes", 0));
        assertArrayEquals(new int[] {1, 2, 3}, u.shape());
        // Opset 13: axes input.
        Tensor b = run(13, "ReduceSum", List.of(x, l(new int[] {1}, 0)), Attribute.of("keepdims", 0L));
        assertArrayEquals(new float[] {5, 7, 9}, b.floats());
        Tensor s = run(13, "Squeeze", List.of(f(new int[] {1, 3, 1}, 1, 2, 3), l(new int[] {1}, -1)));
        assertArrayEquals(new int[] {1, 3}, s.shape());
        // ReduceMean keeps the attribute form until opset 18.
        Tensor m = run(17, "ReduceMean", List.of(x), Attribute.ofInts("axes", 0));
        assertArrayEquals(new float[] {2.5f, 3.5f, 4.5f}, m.floats());
        Tensor m18 = run(18, "ReduceMean", List.of(x, l(new int[] {1}, 1)));
        assertArrayEquals(new float[] {2, 5}, m18.floats());
    }

    @Test
    void softmaxLegacyCoercesTo2dWhileOpset13UsesTheAxis() {
        float[] v = {0, 1, 2, 3, 4, 5, 6, 7};
        Tensor x = f(new int[] {2, 2, 2}, v);
        Tensor legacy = run(11, "Softmax", List.of(x), Attribute.of("axis", 1L));
        Tensor modern = run(13, "Softmax", List.of(x), Attribute.of("axis", 1L));
        for (int b = 0; b < 2; b++) {
            double sum = 0;
            for (int i = 0; i < 4; i++) {
                sum += Math.exp(v[b * 4 + i]);
            }
            for (int i = 0; i < 4; i++) {
                assertEquals(Math.exp(v[b * 4 + i]) / sum, legacy.floats()[b * 4 + i], 1e-7);
            }
            for (int j = 0; j < 2; j++) {
                double s2 = Math.exp(v[b * 4 + j]) + Math.exp(v[b * 4 + 2 + j]);
                assertEquals(Math.exp(v[b * 4 + j]) / s2, modern.floats()[b * 4 + j], 1e-7);
            }
        }
        Tensor logsm = run(13, "LogSoftmax", List.of(f(new int[] {3}, 1, 2, 3)));
        double lse = Math.log(Math.exp(1) + Math.exp(2) + Math.exp(3));
        assertArrayEquals(new float[] {(float) (1 - lse), (float) (2 - lse), (float) (3 - lse)}, logsm.floats(), 1e-6f);
    }

    @Test
    void clipTakesAttributesBeforeOpset11() {
        Tensor x = f(new int[] {4}, -2, -0.5f, 0.5f, 2);
        assertArrayEquals(new float[] {-1, -0.5f, 0.5f, 1},
                run(6, "Clip", List.of(x), Attribute.of("min", -1f), Attribute.of("max", 1f)).floats());
        assertArrayEquals(new float[] {-1, -0.5f, 0.5f, 1},
                run(13, "Clip", List.of(x, Tensor.scalar(-1f), Tensor.scalar(1f))).floats());
    }

    @Test
    void sliceClampsAndWalksBackwards() {
        Tensor x = f(new int[] {2, 5}, 0, 1, 2, 3, 4, 10, 11, 12, 13, 14);
        // Opset 9: attributes; end beyond the dim is clamped.
        Tensor a = run(9, "Slice", List.of(x), Attribute.ofInts("starts", 1), Attribute.ofInts("ends", 100),
                Attribute.ofInts("axes", 1));
        assertArrayEquals(new float[] {1, 2, 3, 4, 11, 12, 13, 14}, a.floats());
        // Opset 13: negative step from the end, with an out-of-range start.
        Tensor b = run(13, "Slice", List.of(x, l(new int[] {1}, 100), l(new int[] {1}, 0), l(new int[] {1}, 1),
                l(new int[] {1}, -2)));
        assertArrayEquals(new int[] {2, 2}, b.shape());
        assertArrayEquals(new float[] {4, 2, 14, 12}, b.floats());
    }

    @Test
    void reshapeAllowZero() {
        Tensor x = f(new int[] {2, 3}, 1, 2, 3, 4, 5, 6);
        assertArrayEquals(new int[] {2, 3}, run(14, "Reshape", List.of(x, l(new int[] {2}, 0, -1))).shape());
        Tensor empty = Tensor.zeros(DataType.FLOAT32, new int[] {0, 3});
        assertArrayEquals(new int[] {3, 0}, run(14, "Reshape", List.of(empty, l(new int[] {2}, 3, 0)),
                Attribute.of("allowzero", 1L)).shape());
    }

    @Test
    void matmulBroadcastsBatchesLikeNumpy() {
        Random r = new Random(3);
        int b = 3;
        int m = 2;
        int k = 4;
        int n = 5;
        float[] a = new float[b * m * k];
        float[] w = new float[k * n];
        for (int i = 0; i < a.length; i++) {
            a[i] = (float) r.nextGaussian();
        }
        for (int i = 0; i < w.length; i++) {
            w[i] = (float) r.nextGaussian();
        }
        // (3,2,4) x (1,4,5) -> (3,2,5); and (4,) x (1,4,5) -> (1,5).
        Tensor y = run(13, "MatMul", List.of(f(new int[] {b, m, k}, a), f(new int[] {1, k, n}, w)));
        assertArrayEquals(new int[] {b, m, n}, y.shape());
        for (int bi = 0; bi < b; bi++) {
            for (int i = 0; i < m; i++) {
                for (int j = 0; j < n; j++) {
                    double s = 0;
                    for (int p = 0; p < k; p++) {
                        s += (double) a[(bi * m + i) * k + p] * w[p * n + j];
                    }
                    assertEquals(s, y.floats()[(bi * m + i) * n + j], 1e-5);
                }
            }
        }
        Tensor v = run(13, "MatMul", List.of(f(new int[] {k}, 1, 0, 0, 0), f(new int[] {1, k, n}, w)));
        assertArrayEquals(new int[] {1, n}, v.shape());
        assertArrayEquals(java.util.Arrays.copyOf(w, n), v.floats(), 0f);
    }

    @Test
    void erfAndGelu() {
        // Reference values of erf from tables (Abramowitz & Stegun, 7.1).
        assertEquals(0.0, SpecialFunctions.erf(0), 0);
        assertEquals(0.5204998778130465, SpecialFunctions.erf(0.5), 1e-15);
        assertEquals(0.8427007929497149, SpecialFunctions.erf(1), 1e-15);
        assertEquals(-0.9953222650189527, SpecialFunctions.erf(-2), 1e-15);
        assertEquals(0.9999992569016276, SpecialFunctions.erf(3.5), 1e-15);
        assertEquals(1.0, SpecialFunctions.erf(10), 0);
        Tensor x = f(new int[] {3}, -1, 0.5f, 2);
        Tensor exact = run(20, "Gelu", List.of(x));
        Tensor tanh = run(20, "Gelu", List.of(x), Attribute.of("approximate", "tanh"));
        float[] xs = x.floats();
        for (int i = 0; i < 3; i++) {
            double e = 0.5 * xs[i] * (1 + SpecialFunctions.erf(xs[i] / Math.sqrt(2)));
            assertEquals(e, exact.floats()[i], 1e-6);
            double t = 0.5 * xs[i] * (1 + Math.tanh(Math.sqrt(2 / Math.PI) * (xs[i] + 0.044715 * Math.pow(xs[i], 3))));
            assertEquals(t, tanh.floats()[i], 1e-6);
        }
    }

    @Test
    void quantizeRoundsHalfToEvenAndSaturates() {
        Tensor x = f(new int[] {6}, 0.5f, 1.5f, 2.5f, -0.5f, 1000f, -1000f);
        Tensor q = run(13, "QuantizeLinear", List.of(x, Tensor.scalar(1f), Tensor.ofLongs(DataType.INT8, new int[0], new long[] {0})));
        assertEquals(DataType.INT8, q.type());
        assertArrayEquals(new long[] {0, 2, 2, -0, 127, -128}, q.longs());
        // Default output type uint8 with zero point 128 via an explicit uint8 zero point.
        Tensor u = run(13, "QuantizeLinear", List.of(x, Tensor.scalar(2f), Tensor.ofLongs(DataType.UINT8, new int[0], new long[] {128})));
        assertArrayEquals(new long[] {128, 129, 129, 128, 255, 0}, u.longs());
    }

    @Test
    void perAxisAndBlockedQuantizationToInt4() {
        // x (2, 4); per-axis scales along axis 0.
        Tensor x = f(new int[] {2, 4}, 1, 2, 3, 40, -1, -2, -3, -40);
        Tensor perAxis = run(13, "QuantizeLinear", List.of(x, f(new int[] {2}, 1, 2),
                Tensor.ofLongs(DataType.INT8, new int[] {2}, new long[] {0, 0})), Attribute.of("axis", 0L));
        assertArrayEquals(new long[] {1, 2, 3, 40, -0, -1, -2, -20}, perAxis.longs());
        // Blocked along axis 1 with block 2: scale (2, 2); int4 output saturates to [-8, 7].
        Tensor scale = f(new int[] {2, 2}, 1, 4, 1, 8);
        Tensor zp = Tensor.ofLongs(DataType.INT4, new int[] {2, 2}, new long[] {0, 0, 0, 0});
        Tensor blocked = run(21, "QuantizeLinear", List.of(x, scale, zp), Attribute.of("axis", 1L),
                Attribute.of("block_size", 2L));
        assertEquals(DataType.INT4, blocked.type());
        // Row 0: 1/1, 2/1, 3/4=0.75->1, 40/4=10->7; row 1: -1, -2, -3/8=-0.375->0, -40/8=-5.
        assertArrayEquals(new long[] {1, 2, 1, 7, -1, -2, 0, -5}, blocked.longs());
        Tensor back = run(21, "DequantizeLinear", List.of(blocked, scale, zp), Attribute.of("axis", 1L),
                Attribute.of("block_size", 2L));
        assertArrayEquals(new float[] {1, 2, 4, 28, -1, -2, 0, -40}, back.floats());
        // Per-axis dequantize with uint4 and a zero point.
        Tensor q4 = Tensor.ofLongs(DataType.UINT4, new int[] {2, 2}, new long[] {0, 15, 8, 9});
        Tensor dq = run(21, "DequantizeLinear", List.of(q4, f(new int[] {2}, 0.5f, 2f),
                Tensor.ofLongs(DataType.UINT4, new int[] {2}, new long[] {8, 8})), Attribute.of("axis", 0L));
        assertArrayEquals(new float[] {-4, 3.5f, 0, 2}, dq.floats());
    }

    @Test
    void reductionsAccumulateInDouble() {
        // 1e8 followed by a million ones: float accumulation would lose every one of them.
        int n = 1_000_001;
        float[] v = new float[n];
        v[0] = 1e8f;
        java.util.Arrays.fill(v, 1, n, 1f);
        Tensor s = run(13, "ReduceSum", List.of(f(new int[] {n}, v)), Attribute.of("keepdims", 0L));
        assertEquals(101_000_000f, s.floats()[0], 0f);
    }

    @Test
    void castRoundsToHalfAndWrapsIntegers() {
        Tensor x = f(new int[] {3}, 1.0009765625f /* 1 + 2^-10 */, 1.00048828125f /* 1 + 2^-11, a tie */, 65520f);
        Tensor h = run(13, "Cast", List.of(x), Attribute.of("to", (long) DataType.FLOAT16.onnxCode()));
        assertEquals(DataType.FLOAT16, h.type());
        assertArrayEquals(new float[] {1.0009765625f, 1f, Float.POSITIVE_INFINITY}, h.floats(), 0f);
        Tensor i = run(13, "Cast", List.of(f(new int[] {3}, -1.7f, 2.9f, 300f)), Attribute.of("to", (long) DataType.UINT8.onnxCode()));
        assertArrayEquals(new long[] {255, 2, 44}, i.longs());
        Tensor b = run(13, "Cast", List.of(f(new int[] {3}, 0f, -0.1f, Float.NaN)), Attribute.of("to", (long) DataType.BOOL.onnxCode()));
        assertArrayEquals(new long[] {0, 1, 1}, b.longs());
    }

    @Test
    void whereAndComparisonsBroadcast() {
        Tensor a = f(new int[] {2, 1}, 1, 5);
        Tensor b = f(new int[] {3}, 0, 1, 6);
        Tensor less = run(13, "Less", List.of(a, b));
        assertEquals(DataType.BOOL, less.type());
        assertArrayEquals(new long[] {0, 0, 1, 0, 0, 1}, less.longs());
        Tensor w = run(13, "Where", List.of(less, a, b));
        assertArrayEquals(new float[] {0, 1, 1, 0, 1, 5}, w.floats());
        Tensor mx = run(13, "Max", List.of(a, b, Tensor.scalar(2f)));
        assertArrayEquals(new float[] {2, 2, 6, 5, 5, 6}, mx.floats());
    }
}
