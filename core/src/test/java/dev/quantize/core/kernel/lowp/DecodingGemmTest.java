package dev.quantize.core.kernel.lowp;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.quantize.core.format.FormatRegistry;
import dev.quantize.core.format.NumericFormat;
import dev.quantize.core.format.PackedTensor;
import dev.quantize.core.kernel.Gemm;
import dev.quantize.core.kernel.Parallelism;
import java.util.Random;
import org.junit.jupiter.api.Test;

class DecodingGemmTest {
    /** The weight-only formats, a few with non-default block sizes, and a scaled FP8 cast (tensor scale != 1). */
    private static final String[] FORMATS = {"int4_per_group", "int4_per_group:g7", "mxint8", "mxfp8_e4m3",
        "mxfp8_e5m2", "mxfp6_e3m2", "mxfp6_e2m3", "mxfp4_e2m1", "mxfp4_e2m1:k16:rna", "mx9", "mx6", "mx4", "mx6:k6",
        "fp16", "bf16", "fp8_e4m3"};

    /** (M, N, K, bias): the odd sizes, and shapes that make several panels (N > 2 * panel width). */
    private static final int[][] SHAPES = {
        {1, 1, 1, 1}, {1, 7, 17, 0}, {7, 1, 33, 1}, {17, 33, 7, 1}, {33, 17, 257, 0}, {257, 7, 33, 1},
        {7, 257, 17, 1}, {257, 257, 33, 0}, {33, 257, 257, 1}, {257, 33, 257, 1}, {1, 257, 257, 0},
        {257, 1, 257, 1}, {257, 257, 257, 1}, {17, 1, 1, 0},
        // Several panels: K 1024 gives 64-column panels, K 257 192-column ones.
        {33, 257, 1024, 1}, {257, 600, 257, 1}, {7, 600, 257, 1}, {1, 333, 1024, 0},
        // Deeper than Gemm's depth block, without bias (see the class comment for the bias case).
        {9, 300, 1500, 0},
    };

    @Test
    void equalsTheFp32GemmOnTheDecodedWeightBitForBit() {
        Random rnd = new Random(17);
        int caseIndex = 0;
        for (String name : FORMATS) {
            NumericFormat f = FormatRegistry.parse(name);
            for (int[] s : SHAPES) {
                int m = s[0];
                int n = s[1];
                int k = s[2];
                boolean transB = caseIndex % 2 == 0;
                boolean withBias = s[3] == 1;
                caseIndex++;
                float[] wf = new float[n * k];
                for (int i = 0; i < wf.length; i++) {
                    wf[i] = (float) (rnd.nextGaussian() * Math.pow(2, rnd.nextInt(6) - 4));
                }
                int[] shape = transB ? new int[] {n, k} : new int[] {k, n};
                // The reduction axis, as the artifact packs block formats: K.
                int axis = transB ? 1 : 0;
                float scale = name.startsWith("fp8") ? 0x1.3p-5f : 1f;
                float[] scaled = wf.clone();
                if (scale != 1f) {
                    for (int i = 0; i < scaled.length; i++) {
                        scaled[i] = wf[i] / scale;
                    }
                }
                PackedTensor packed = f.encode(scaled, shape, axis);
                float[] x = new float[m * k];
                for (int i = 0; i < x.length; i++) {
                    x[i] = (float) rnd.nextGaussian();
                }
                float[] bias = null;
                if (withBias) {
                    bias = new float[n];
                    for (int j = 0; j < n; j++) {
                        bias[j] = (float) rnd.nextGaussian();
                    }
                }
                float[] expected = emulate(f, packed, scale, transB, x, m, n, k, bias);
                DecodingGemm.Weights w = DecodingGemm.prepare(packed, scale, transB);
                for (Parallelism par : new Parallelism[] {Parallelism.single(), Parallelism.of(2)}) {
                    float[] y = new float[m * n];
                    java.util.Arrays.fill(y, Float.NaN);
                    DecodingGemm.run(w, x, m, bias, y, par);
                    for (int i = 0; i < y.length; i++) {
                        if (Float.floatToRawIntBits(expected[i]) != Float.floatToRawIntBits(y[i])) {
                            assertEquals(expected[i], y[i], 0f, name + " M=" + m + " N=" + n + " K=" + k
                                    + (transB ? " transB" : "") + (withBias ? " bias" : "") + " " + par + " element " + i);
                            assertEquals(Float.floatToRawIntBits(expected[i]), Float.floatToRawIntBits(y[i]), "sign of zero");
                        }
                    }
                }
            }
        }
    }

    /** The emulation's arithmetic: the whole weight decoded and scaled, then the executor's Gemm op. */
    private static float[] emulate(NumericFormat f, PackedTensor packed, float scale, boolean transB, float[] x, int m,
                                   int n, int k, float[] bias) {
        float[] w = f.decode(packed);
        for (int i = 0; i < w.length; i++) {
            w[i] = w[i] * scale;
        }
        float[] y = new float[m * n];
        if (bias != null) {
            for (int i = 0; i < m; i++) {
                System.arraycopy(bias, 0, y, i * n, n);
            }
        }
        Gemm.gemm(false, transB, m, n, k, 1f, x, 0, k, w, 0, transB ? k : n, bias != null ? 1f : 0f, y, 0, n,
                Parallelism.single());
        return y;
    }

    @Test
    void panelsAreWholeQuantaAndTheLastTakesTheRemainder() {
        NumericFormat f = FormatRegistry.parse("mxfp4_e2m1");
        DecodingGemm.Weights w = DecodingGemm.prepare(f.encode(new float[333 * 1024], new int[] {333, 1024}, 1), 1f, true);
        assertEquals(64, w.panelWidth());
        DecodingGemm.Weights narrow = DecodingGemm.prepare(f.encode(new float[5 * 64], new int[] {5, 64}, 1), 1f, true);
        assertEquals(1024, narrow.panelWidth());
        assertTrue(w.bytes() < 333L * 1024 * 4 / 7, "packed mxfp4 is about an eighth of fp32");
    }

    @Test
    void refusesMalformedWeightsAndArguments() {
        NumericFormat f = FormatRegistry.parse("mx6");
        PackedTensor good = f.encode(new float[16 * 8], new int[] {8, 16}, 1);
        PackedTensor truncated = new PackedTensor("mx6", new int[] {8, 16}, 1, java.util.Arrays.copyOf(good.bytes(), 10));
        assertThrows(IllegalArgumentException.class, () -> DecodingGemm.prepare(truncated, 1f, true));
        PackedTensor rank3 = f.encode(new float[16], new int[] {2, 2, 4}, 2);
        assertThrows(IllegalArgumentException.class, () -> DecodingGemm.prepare(rank3, 1f, true));
        DecodingGemm.Weights w = DecodingGemm.prepare(good, 1f, true);
        assertThrows(IllegalArgumentException.class,
                () -> DecodingGemm.run(w, new float[16], 2, new float[7], new float[16], Parallelism.single()));
    }
}
