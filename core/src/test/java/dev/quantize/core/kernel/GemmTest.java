package dev.quantize.core.kernel;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;

class GemmTest {
    /** (M, N, K): odd sizes around the micro-tile (4/8 x 8/48), panel (KC 1024, MC 96) and NC (1536) edges. */
    private static final int[][] SHAPES = {
        {1, 1, 1}, {1, 7, 17}, {7, 1, 33}, {17, 33, 7}, {33, 17, 257}, {257, 7, 33}, {7, 257, 17},
        {257, 257, 33}, {33, 257, 257}, {257, 33, 257}, {1, 257, 257}, {257, 1, 257}, {3, 100, 9},
        {9, 1600, 5}, {150, 50, 300}, {4, 7, 1}, {8, 48, 64}, {16, 96, 1},
        // Few columns, many rows: the transposed path (layers with 10, 16 or 32 outputs over a batch).
        {300, 10, 64}, {257, 17, 33}, {1024, 32, 16},
        // Deeper than one packed panel (KC = 1024): later panels add to the first.
        {17, 100, 1500}, {40, 60, 2100},
        // Widths that end in a narrow tile of one or two vectors (48 + 16, 32, 2 x 48 + 16) and short row tiles.
        {40, 64, 33}, {24, 32, 70}, {17, 112, 20},
    };

    private static List<GemmKernels> implementations() {
        List<GemmKernels> list = new ArrayList<>();
        list.add(GemmKernelsProvider.scalar());
        GemmKernels vector = GemmKernelsProvider.vectorOrNull();
        if (vector != null) {
            list.add(vector);
        }
        return list;
    }

    /** Runs one case with padding around every matrix and checks C against the reference and the padding. */
    private static void runCase(GemmKernels impl, boolean ta, boolean tb, int m, int n, int k, float alpha,
                                float beta, int pad, Parallelism par, Random rnd) {
        int aRows = ta ? k : m;
        int aCols = ta ? m : k;
        int bRows = tb ? n : k;
        int bCols = tb ? k : n;
        int lda = aCols + pad;
        int ldb = bCols + 2 * pad;
        int ldc = n + pad;
        int aOff = pad;
        int bOff = 3 * pad;
        int cOff = 2 * pad;
        float[] a = Check.random(rnd, aOff + aRows * lda);
        float[] b = Check.random(rnd, bOff + bRows * ldb);
        float[] c = Check.random(rnd, cOff + m * ldc + pad);
        if (beta == 0f) {
            // beta == 0 must not read C: NaN there must not leak into the result.
            for (int i = 0; i < m; i++) {
                c[cOff + i * ldc] = Float.NaN;
            }
        }
        float[] before = c.clone();
        Reference.Result ref = Reference.gemm(ta, tb, m, n, k, alpha, a, aOff, lda, b, bOff, ldb, beta, c, cOff, ldc);
        Gemm.gemm(ta, tb, m, n, k, alpha, a, aOff, lda, b, bOff, ldb, beta, c, cOff, ldc, par, impl);
        String what = impl.name() + " transA=" + ta + " transB=" + tb + " m=" + m + " n=" + n + " k=" + k
                + " alpha=" + alpha + " beta=" + beta + " pad=" + pad + " " + par;
        Check.close(c, cOff, ldc, m, n, ref, what);
        // Nothing outside op(C) changes.
        for (int i = 0; i < c.length; i++) {
            int rel = i - cOff;
            boolean insideC = rel >= 0 && rel / ldc < m && rel % ldc < n;
            if (!insideC && Float.compare(c[i], before[i]) != 0) {
                fail(what + ": wrote outside C at index " + i);
            }
        }
    }

    @Test
    void everyShapeAndTransposeMatchesTheReference() {
        Random rnd = new Random(42);
        for (GemmKernels impl : implementations()) {
            for (int[] s : SHAPES) {
                for (int t = 0; t < 4; t++) {
                    runCase(impl, (t & 1) != 0, (t & 2) != 0, s[0], s[1], s[2], 1f, 0f, 0, Parallelism.single(), rnd);
                }
            }
        }
    }

    @Test
    void alphaBetaOffsetsAndLeadingDimensions() {
        Random rnd = new Random(7);
        float[][] alphaBeta = {{1f, 1f}, {0.5f, 1f}, {-1.25f, 0.75f}, {2f, 0f}, {0f, 2f}, {0f, 0f}, {1f, -1f}};
        int[][] shapes = {{7, 17, 33}, {33, 257, 17}, {1, 33, 7}, {257, 3, 17}};
        for (GemmKernels impl : implementations()) {
            for (float[] ab : alphaBeta) {
                for (int[] s : shapes) {
                    for (int t = 0; t < 4; t++) {
                        runCase(impl, (t & 1) != 0, (t & 2) != 0, s[0], s[1], s[2], ab[0], ab[1], 5,
                                Parallelism.single(), rnd);
                    }
                }
            }
        }
    }

    @Test
    void parallelSplitsByRowsAndByColumnsMatchTheReference() {
        Random rnd = new Random(11);
        // Tall (rows split), short and wide (columns split), and sizes that leave ragged chunks; all above
        // the 2^20 multiply-adds below which a product stays on one thread.
        int[][] shapes = {{257, 129, 65}, {9, 2000, 70}, {33, 257, 257}, {100, 100, 101}};
        for (GemmKernels impl : implementations()) {
            for (int threads : new int[] {2, 3}) {
                for (int[] s : shapes) {
                    for (int t = 0; t < 4; t++) {
                        runCase(impl, (t & 1) != 0, (t & 2) != 0, s[0], s[1], s[2], 1.5f, 0.5f, 3,
                                Parallelism.of(threads), rnd);
                    }
                }
            }
        }
    }

    @Test
    void prepackedBGivesTheSameBits() {
        Random rnd = new Random(23);
        // {m, n, k}: the sample MLP's layers, deeper than one KC panel, wider than one NC block, a ragged edge.
        int[][] shapes = {{1024, 256, 64}, {300, 256, 256}, {37, 50, 1100}, {20, 1600, 9}, {64, 10, 256}};
        for (int[] s : shapes) {
            int m = s[0];
            int n = s[1];
            int k = s[2];
            for (boolean transB : new boolean[] {false, true}) {
                float[] a = new float[m * k];
                float[] b = new float[k * n];
                float[] c0 = new float[m * n];
                for (int i = 0; i < a.length; i++) {
                    a[i] = (float) rnd.nextGaussian();
                }
                for (int i = 0; i < b.length; i++) {
                    b[i] = (float) rnd.nextGaussian();
                }
                for (int i = 0; i < c0.length; i++) {
                    c0[i] = (float) rnd.nextGaussian();
                }
                int ldb = transB ? k : n;
                Gemm.PackedB packed = Gemm.prepack(transB, k, n, b, 0, ldb);
                for (int threads : new int[] {1, 2}) {
                    float[] plain = c0.clone();
                    float[] pre = c0.clone();
                    Gemm.gemm(false, transB, m, n, k, 0.5f, a, 0, k, b, 0, ldb, 1f, plain, 0, n, Parallelism.of(threads));
                    Gemm.gemm(false, transB, m, n, k, 0.5f, a, 0, k, b, 0, ldb, packed, 1f, pre, 0, n,
                            Parallelism.of(threads));
                    assertArrayEquals(plain, pre, m + "x" + n + "x" + k + " transB=" + transB + " threads=" + threads);
                    Reference.Result ref = Reference.gemm(false, transB, m, n, k, 0.5f, a, 0, k, b, 0, ldb, 1f, c0, 0, n);
                    Check.close(pre, ref, "prepacked " + m + "x" + n + "x" + k);
                }
            }
        }
        assertThrows(IllegalArgumentException.class, () -> Gemm.gemm(false, true, 4, 256, 64, 1f, new float[256],
                0, 64, new float[256 * 64], 0, 64, Gemm.prepack(false, 64, 256, new float[256 * 64], 0, 256), 0f,
                new float[1024], 0, 256, Parallelism.of(1)));
    }

    @Test
    void zeroDepthScalesC() {
        float[] c = {1f, 2f, 3f, 4f};
        Gemm.gemm(false, false, 2, 2, 0, 1f, new float[0], 0, 0, new float[0], 0, 2, 0.5f, c, 0, 2,
                Parallelism.single());
        assertEquals(0.5f, c[0]);
        assertEquals(2f, c[3]);
        float[] nan = {Float.NaN, Float.NaN};
        Gemm.gemm(false, false, 1, 2, 0, 1f, new float[0], 0, 0, new float[0], 0, 2, 0f, nan, 0, 2,
                Parallelism.single());
        assertEquals(0f, nan[0]);
        assertEquals(0f, nan[1]);
    }

    @Test
    void smallKnownProduct() {
        // [[1,2],[3,4]] * [[5,6],[7,8]] = [[19,22],[43,50]]
        float[] c = new float[4];
        Gemm.gemm(false, false, 2, 2, 2, 1f, new float[] {1, 2, 3, 4}, 0, 2, new float[] {5, 6, 7, 8}, 0, 2,
                0f, c, 0, 2, Parallelism.single());
        assertEquals(19f, c[0]);
        assertEquals(22f, c[1]);
        assertEquals(43f, c[2]);
        assertEquals(50f, c[3]);
    }

    @Test
    void badArgumentsAreRejectedWithClearMessages() {
        float[] a = new float[6];
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () ->
                Gemm.gemm(false, false, 2, 2, 3, 1f, a, 0, 2, new float[6], 0, 2, 0f, new float[4], 0, 2,
                        Parallelism.single()));
        assertTrue(e.getMessage().contains("leading dimension of A"), e.getMessage());
        e = assertThrows(IllegalArgumentException.class, () ->
                Gemm.gemm(false, false, 2, 2, 3, 1f, a, 1, 3, new float[6], 0, 2, 0f, new float[4], 0, 2,
                        Parallelism.single()));
        assertTrue(e.getMessage().contains("matrix A"), e.getMessage());
        e = assertThrows(IllegalArgumentException.class, () ->
                Gemm.gemm(false, false, -1, 2, 3, 1f, a, 0, 3, new float[6], 0, 2, 0f, new float[4], 0, 2,
                        Parallelism.single()));
        assertTrue(e.getMessage().contains("negative size"), e.getMessage());
    }

    @Test
    void vectorImplementationIsChosenWhenTheModuleIsPresent() {
        GemmKernels vector = GemmKernelsProvider.vectorOrNull();
        boolean useful = vector != null && vector.nr() >= 24;
        assertEquals(useful, Gemm.implementation().startsWith("vector"), Gemm.implementation());
    }
}
