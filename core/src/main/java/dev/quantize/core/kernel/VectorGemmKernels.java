package dev.quantize.core.kernel;

import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorOperators;
import jdk.incubator.vector.VectorSpecies;

/**
 * GEMM inner loops on the incubating Vector API. The micro-tile is 3 vectors wide and holds C in
 * registers: with 512-bit vectors (32 registers on AVX-512) it is 8 rows (8x48, 24 accumulators, 11 loads
 * per 24 FMAs); with narrower vectors (16 registers on AVX2/NEON) it is 4 rows (12 accumulators), since 24
 * would spill. The taller tile matters because every vector load carries a bounds check that the JIT
 * does not hoist here: measured on AVX-512, 4x48 ran at ~90 GFLOP/s and 8x48 at ~170.
 * Keep microTile8 about this size: a variant with two epilogues (1,457 bytecodes) made C1 give up ("out
 * of virtual registers"), the method never reached C2 and ran at ~1 GFLOP/s.
 * Only loaded by {@link GemmKernelsProvider} when jdk.incubator.vector is in the boot layer; nothing else
 * may reference this class.
 */
final class VectorGemmKernels implements GemmKernels {
    private static final VectorSpecies<Float> S = FloatVector.SPECIES_PREFERRED;
    private static final int L = S.length();
    private static final int NR = 3 * L;
    /** Rows per micro-tile: 8 when the register file is wide enough for 24 accumulators, else 4. */
    private static final int MR = S.vectorBitSize() >= 512 ? 8 : 4;

    @Override
    public String name() {
        return "vector-" + S.vectorBitSize() + "bit";
    }

    @Override
    public int mr() {
        return MR;
    }

    @Override
    public int nr() {
        return NR;
    }

    /** Lanes per vector (used by the provider to decide whether vectors help at all). */
    static int lanes() {
        return L;
    }

    @Override
    public void microTile(int kc, float[] pa, int paOff, int rs, int ks, float[] pb, int pbOff, float[] c, int cOff,
                          int ldc) {
        if (MR == 8) {
            microTile8(kc, pa, paOff, rs, ks, pb, pbOff, c, cOff, ldc);
        } else {
            microTile4(kc, pa, paOff, rs, ks, pb, pbOff, c, cOff, ldc);
        }
    }

    private static void microTile8(int kc, float[] pa, int paOff, int rs, int ks, float[] pb, int pbOff,
                                   float[] c, int cOff, int ldc) {
        FloatVector c00 = FloatVector.zero(S), c01 = FloatVector.zero(S), c02 = FloatVector.zero(S);
        FloatVector c10 = FloatVector.zero(S), c11 = FloatVector.zero(S), c12 = FloatVector.zero(S);
        FloatVector c20 = FloatVector.zero(S), c21 = FloatVector.zero(S), c22 = FloatVector.zero(S);
        FloatVector c30 = FloatVector.zero(S), c31 = FloatVector.zero(S), c32 = FloatVector.zero(S);
        FloatVector c40 = FloatVector.zero(S), c41 = FloatVector.zero(S), c42 = FloatVector.zero(S);
        FloatVector c50 = FloatVector.zero(S), c51 = FloatVector.zero(S), c52 = FloatVector.zero(S);
        FloatVector c60 = FloatVector.zero(S), c61 = FloatVector.zero(S), c62 = FloatVector.zero(S);
        FloatVector c70 = FloatVector.zero(S), c71 = FloatVector.zero(S), c72 = FloatVector.zero(S);
        int r1 = rs, r2 = 2 * rs, r3 = 3 * rs, r4 = 4 * rs, r5 = 5 * rs, r6 = 6 * rs, r7 = 7 * rs;
        for (int p = 0; p < kc; p++) {
            int ai = paOff + p * ks;
            int bi = pbOff + p * NR;
            FloatVector b0 = FloatVector.fromArray(S, pb, bi);
            FloatVector b1 = FloatVector.fromArray(S, pb, bi + L);
            FloatVector b2 = FloatVector.fromArray(S, pb, bi + 2 * L);
            FloatVector a = FloatVector.broadcast(S, pa[ai]);
            c00 = b0.fma(a, c00);
            c01 = b1.fma(a, c01);
            c02 = b2.fma(a, c02);
            a = FloatVector.broadcast(S, pa[ai + r1]);
            c10 = b0.fma(a, c10);
            c11 = b1.fma(a, c11);
            c12 = b2.fma(a, c12);
            a = FloatVector.broadcast(S, pa[ai + r2]);
            c20 = b0.fma(a, c20);
            c21 = b1.fma(a, c21);
            c22 = b2.fma(a, c22);
            a = FloatVector.broadcast(S, pa[ai + r3]);
            c30 = b0.fma(a, c30);
            c31 = b1.fma(a, c31);
            c32 = b2.fma(a, c32);
            a = FloatVector.broadcast(S, pa[ai + r4]);
            c40 = b0.fma(a, c40);
            c41 = b1.fma(a, c41);
            c42 = b2.fma(a, c42);
            a = FloatVector.broadcast(S, pa[ai + r5]);
            c50 = b0.fma(a, c50);
            c51 = b1.fma(a, c51);
            c52 = b2.fma(a, c52);
            a = FloatVector.broadcast(S, pa[ai + r6]);
            c60 = b0.fma(a, c60);
            c61 = b1.fma(a, c61);
            c62 = b2.fma(a, c62);
            a = FloatVector.broadcast(S, pa[ai + r7]);
            c70 = b0.fma(a, c70);
            c71 = b1.fma(a, c71);
            c72 = b2.fma(a, c72);
        }
        store(c00, c, cOff);
        store(c01, c, cOff + L);
        store(c02, c, cOff + 2 * L);
        store(c10, c, cOff + ldc);
        store(c11, c, cOff + ldc + L);
        store(c12, c, cOff + ldc + 2 * L);
        store(c20, c, cOff + 2 * ldc);
        store(c21, c, cOff + 2 * ldc + L);
        store(c22, c, cOff + 2 * ldc + 2 * L);
        store(c30, c, cOff + 3 * ldc);
        store(c31, c, cOff + 3 * ldc + L);
        store(c32, c, cOff + 3 * ldc + 2 * L);
        store(c40, c, cOff + 4 * ldc);
        store(c41, c, cOff + 4 * ldc + L);
        store(c42, c, cOff + 4 * ldc + 2 * L);
        store(c50, c, cOff + 5 * ldc);
        store(c51, c, cOff + 5 * ldc + L);
        store(c52, c, cOff + 5 * ldc + 2 * L);
        store(c60, c, cOff + 6 * ldc);
        store(c61, c, cOff + 6 * ldc + L);
        store(c62, c, cOff + 6 * ldc + 2 * L);
        store(c70, c, cOff + 7 * ldc);
        store(c71, c, cOff + 7 * ldc + L);
        store(c72, c, cOff + 7 * ldc + 2 * L);
    }

    private static void microTile4(int kc, float[] pa, int paOff, int rs, int ks, float[] pb, int pbOff,
                                   float[] c, int cOff, int ldc) {
        FloatVector c00 = FloatVector.zero(S), c01 = FloatVector.zero(S), c02 = FloatVector.zero(S);
        FloatVector c10 = FloatVector.zero(S), c11 = FloatVector.zero(S), c12 = FloatVector.zero(S);
        FloatVector c20 = FloatVector.zero(S), c21 = FloatVector.zero(S), c22 = FloatVector.zero(S);
        FloatVector c30 = FloatVector.zero(S), c31 = FloatVector.zero(S), c32 = FloatVector.zero(S);
        // Indices are linear in p so that C2 can hoist the bounds checks out of the loop.
        int r1 = rs, r2 = 2 * rs, r3 = 3 * rs;
        for (int p = 0; p < kc; p++) {
            int ai = paOff + p * ks;
            int bi = pbOff + p * NR;
            FloatVector b0 = FloatVector.fromArray(S, pb, bi);
            FloatVector b1 = FloatVector.fromArray(S, pb, bi + L);
            FloatVector b2 = FloatVector.fromArray(S, pb, bi + 2 * L);
            FloatVector a = FloatVector.broadcast(S, pa[ai]);
            c00 = b0.fma(a, c00);
            c01 = b1.fma(a, c01);
            c02 = b2.fma(a, c02);
            a = FloatVector.broadcast(S, pa[ai + r1]);
            c10 = b0.fma(a, c10);
            c11 = b1.fma(a, c11);
            c12 = b2.fma(a, c12);
            a = FloatVector.broadcast(S, pa[ai + r2]);
            c20 = b0.fma(a, c20);
            c21 = b1.fma(a, c21);
            c22 = b2.fma(a, c22);
            a = FloatVector.broadcast(S, pa[ai + r3]);
            c30 = b0.fma(a, c30);
            c31 = b1.fma(a, c31);
            c32 = b2.fma(a, c32);
        }
        store(c00, c, cOff);
        store(c01, c, cOff + L);
        store(c02, c, cOff + 2 * L);
        store(c10, c, cOff + ldc);
        store(c11, c, cOff + ldc + L);
        store(c12, c, cOff + ldc + 2 * L);
        store(c20, c, cOff + 2 * ldc);
        store(c21, c, cOff + 2 * ldc + L);
        store(c22, c, cOff + 2 * ldc + 2 * L);
        store(c30, c, cOff + 3 * ldc);
        store(c31, c, cOff + 3 * ldc + L);
        store(c32, c, cOff + 3 * ldc + 2 * L);
    }

    @Override
    public int narrowStep() {
        return MR == 8 ? L : 0;
    }

    @Override
    public void microTileNarrow(int cols, int kc, float[] pa, int paOff, int rs, int ks, float[] pb, int pbOff,
                                float[] c, int cOff, int ldc) {
        if (MR != 8 || cols % L != 0 || cols <= 0 || cols >= NR) {
            throw new IllegalArgumentException("narrow micro-tile of " + cols + " columns");
        }
        if (cols == L) {
            microTile8x1(kc, pa, paOff, rs, ks, pb, pbOff, c, cOff, ldc);
        } else {
            microTile8x2(kc, pa, paOff, rs, ks, pb, pbOff, c, cOff, ldc);
        }
    }

    /** microTile8 for the first vector of columns only (a separate small method: see the class comment). */
    private static void microTile8x1(int kc, float[] pa, int paOff, int rs, int ks, float[] pb, int pbOff,
                                     float[] c, int cOff, int ldc) {
        FloatVector c0 = FloatVector.zero(S), c1 = FloatVector.zero(S), c2 = FloatVector.zero(S);
        FloatVector c3 = FloatVector.zero(S), c4 = FloatVector.zero(S), c5 = FloatVector.zero(S);
        FloatVector c6 = FloatVector.zero(S), c7 = FloatVector.zero(S);
        int r1 = rs, r2 = 2 * rs, r3 = 3 * rs, r4 = 4 * rs, r5 = 5 * rs, r6 = 6 * rs, r7 = 7 * rs;
        for (int p = 0; p < kc; p++) {
            int ai = paOff + p * ks;
            FloatVector b0 = FloatVector.fromArray(S, pb, pbOff + p * NR);
            c0 = b0.fma(FloatVector.broadcast(S, pa[ai]), c0);
            c1 = b0.fma(FloatVector.broadcast(S, pa[ai + r1]), c1);
            c2 = b0.fma(FloatVector.broadcast(S, pa[ai + r2]), c2);
            c3 = b0.fma(FloatVector.broadcast(S, pa[ai + r3]), c3);
            c4 = b0.fma(FloatVector.broadcast(S, pa[ai + r4]), c4);
            c5 = b0.fma(FloatVector.broadcast(S, pa[ai + r5]), c5);
            c6 = b0.fma(FloatVector.broadcast(S, pa[ai + r6]), c6);
            c7 = b0.fma(FloatVector.broadcast(S, pa[ai + r7]), c7);
        }
        store(c0, c, cOff);
        store(c1, c, cOff + ldc);
        store(c2, c, cOff + 2 * ldc);
        store(c3, c, cOff + 3 * ldc);
        store(c4, c, cOff + 4 * ldc);
        store(c5, c, cOff + 5 * ldc);
        store(c6, c, cOff + 6 * ldc);
        store(c7, c, cOff + 7 * ldc);
    }

    /** microTile8 for the first two vectors of columns only. */
    private static void microTile8x2(int kc, float[] pa, int paOff, int rs, int ks, float[] pb, int pbOff,
                                     float[] c, int cOff, int ldc) {
        FloatVector c00 = FloatVector.zero(S), c01 = FloatVector.zero(S);
        FloatVector c10 = FloatVector.zero(S), c11 = FloatVector.zero(S);
        FloatVector c20 = FloatVector.zero(S), c21 = FloatVector.zero(S);
        FloatVector c30 = FloatVector.zero(S), c31 = FloatVector.zero(S);
        FloatVector c40 = FloatVector.zero(S), c41 = FloatVector.zero(S);
        FloatVector c50 = FloatVector.zero(S), c51 = FloatVector.zero(S);
        FloatVector c60 = FloatVector.zero(S), c61 = FloatVector.zero(S);
        FloatVector c70 = FloatVector.zero(S), c71 = FloatVector.zero(S);
        int r1 = rs, r2 = 2 * rs, r3 = 3 * rs, r4 = 4 * rs, r5 = 5 * rs, r6 = 6 * rs, r7 = 7 * rs;
        for (int p = 0; p < kc; p++) {
            int ai = paOff + p * ks;
            int bi = pbOff + p * NR;
            FloatVector b0 = FloatVector.fromArray(S, pb, bi);
            FloatVector b1 = FloatVector.fromArray(S, pb, bi + L);
            FloatVector a = FloatVector.broadcast(S, pa[ai]);
            c00 = b0.fma(a, c00);
            c01 = b1.fma(a, c01);
            a = FloatVector.broadcast(S, pa[ai + r1]);
            c10 = b0.fma(a, c10);
            c11 = b1.fma(a, c11);
            a = FloatVector.broadcast(S, pa[ai + r2]);
            c20 = b0.fma(a, c20);
            c21 = b1.fma(a, c21);
            a = FloatVector.broadcast(S, pa[ai + r3]);
            c30 = b0.fma(a, c30);
            c31 = b1.fma(a, c31);
            a = FloatVector.broadcast(S, pa[ai + r4]);
            c40 = b0.fma(a, c40);
            c41 = b1.fma(a, c41);
            a = FloatVector.broadcast(S, pa[ai + r5]);
            c50 = b0.fma(a, c50);
            c51 = b1.fma(a, c51);
            a = FloatVector.broadcast(S, pa[ai + r6]);
            c60 = b0.fma(a, c60);
            c61 = b1.fma(a, c61);
            a = FloatVector.broadcast(S, pa[ai + r7]);
            c70 = b0.fma(a, c70);
            c71 = b1.fma(a, c71);
        }
        store(c00, c, cOff);
        store(c01, c, cOff + L);
        store(c10, c, cOff + ldc);
        store(c11, c, cOff + ldc + L);
        store(c20, c, cOff + 2 * ldc);
        store(c21, c, cOff + 2 * ldc + L);
        store(c30, c, cOff + 3 * ldc);
        store(c31, c, cOff + 3 * ldc + L);
        store(c40, c, cOff + 4 * ldc);
        store(c41, c, cOff + 4 * ldc + L);
        store(c50, c, cOff + 5 * ldc);
        store(c51, c, cOff + 5 * ldc + L);
        store(c60, c, cOff + 6 * ldc);
        store(c61, c, cOff + 6 * ldc + L);
        store(c70, c, cOff + 7 * ldc);
        store(c71, c, cOff + 7 * ldc + L);
    }

    // Vectors passed to a method that is not inlined get boxed, so this stays tiny and branch-free.
    private static void store(FloatVector acc, float[] c, int off) {
        acc.add(FloatVector.fromArray(S, c, off)).intoArray(c, off);
    }

    @Override
    public void rowTimesMatrix(int n, int k, float[] x, int xOff, float[] b, int bOff, int ldb, float[] y, int yOff) {
        // Four vectors of y stay in registers over the whole k loop: one broadcast and four loads per step.
        int j = 0;
        for (; j + 4 * L <= n; j += 4 * L) {
            FloatVector y0 = FloatVector.zero(S), y1 = FloatVector.zero(S);
            FloatVector y2 = FloatVector.zero(S), y3 = FloatVector.zero(S);
            for (int p = 0; p < k; p++) {
                int bi = bOff + p * ldb + j;
                FloatVector xv = FloatVector.broadcast(S, x[xOff + p]);
                y0 = FloatVector.fromArray(S, b, bi).fma(xv, y0);
                y1 = FloatVector.fromArray(S, b, bi + L).fma(xv, y1);
                y2 = FloatVector.fromArray(S, b, bi + 2 * L).fma(xv, y2);
                y3 = FloatVector.fromArray(S, b, bi + 3 * L).fma(xv, y3);
            }
            y0.intoArray(y, yOff + j);
            y1.intoArray(y, yOff + j + L);
            y2.intoArray(y, yOff + j + 2 * L);
            y3.intoArray(y, yOff + j + 3 * L);
        }
        for (; j + L <= n; j += L) {
            FloatVector y0 = FloatVector.zero(S);
            for (int p = 0; p < k; p++) {
                y0 = FloatVector.fromArray(S, b, bOff + p * ldb + j).fma(FloatVector.broadcast(S, x[xOff + p]), y0);
            }
            y0.intoArray(y, yOff + j);
        }
        for (; j < n; j++) {
            float s = 0f;
            for (int p = 0; p < k; p++) {
                s += x[xOff + p] * b[bOff + p * ldb + j];
            }
            y[yOff + j] = s;
        }
    }

    @Override
    public void rowTimesTransposed(int n, int k, float[] x, int xOff, float[] b, int bOff, int ldb, float[] y,
                                   int yOff) {
        // Four dot products at once share each load of x; one lane reduction per output at the end.
        int bound = S.loopBound(k);
        int j = 0;
        for (; j + 4 <= n; j += 4) {
            int r0 = bOff + j * ldb;
            int r1 = r0 + ldb;
            int r2 = r1 + ldb;
            int r3 = r2 + ldb;
            FloatVector s0 = FloatVector.zero(S), s1 = FloatVector.zero(S);
            FloatVector s2 = FloatVector.zero(S), s3 = FloatVector.zero(S);
            int p = 0;
            for (; p < bound; p += L) {
                FloatVector xv = FloatVector.fromArray(S, x, xOff + p);
                s0 = FloatVector.fromArray(S, b, r0 + p).fma(xv, s0);
                s1 = FloatVector.fromArray(S, b, r1 + p).fma(xv, s1);
                s2 = FloatVector.fromArray(S, b, r2 + p).fma(xv, s2);
                s3 = FloatVector.fromArray(S, b, r3 + p).fma(xv, s3);
            }
            float t0 = s0.reduceLanes(VectorOperators.ADD);
            float t1 = s1.reduceLanes(VectorOperators.ADD);
            float t2 = s2.reduceLanes(VectorOperators.ADD);
            float t3 = s3.reduceLanes(VectorOperators.ADD);
            for (; p < k; p++) {
                float xv = x[xOff + p];
                t0 += xv * b[r0 + p];
                t1 += xv * b[r1 + p];
                t2 += xv * b[r2 + p];
                t3 += xv * b[r3 + p];
            }
            y[yOff + j] = t0;
            y[yOff + j + 1] = t1;
            y[yOff + j + 2] = t2;
            y[yOff + j + 3] = t3;
        }
        for (; j < n; j++) {
            y[yOff + j] = dot(k, x, xOff, b, bOff + j * ldb);
        }
    }

    @Override
    public void axpy(int len, float a, float[] x, int xOff, float[] y, int yOff) {
        FloatVector av = FloatVector.broadcast(S, a);
        int i = 0;
        int bound = S.loopBound(len);
        for (; i < bound; i += L) {
            FloatVector yv = FloatVector.fromArray(S, y, yOff + i);
            FloatVector.fromArray(S, x, xOff + i).fma(av, yv).intoArray(y, yOff + i);
        }
        for (; i < len; i++) {
            y[yOff + i] += a * x[xOff + i];
        }
    }

    @Override
    public float dot(int len, float[] x, int xOff, float[] y, int yOff) {
        FloatVector acc = FloatVector.zero(S);
        int i = 0;
        int bound = S.loopBound(len);
        for (; i < bound; i += L) {
            acc = FloatVector.fromArray(S, x, xOff + i).fma(FloatVector.fromArray(S, y, yOff + i), acc);
        }
        float s = acc.reduceLanes(VectorOperators.ADD);
        for (; i < len; i++) {
            s += x[xOff + i] * y[yOff + i];
        }
        return s;
    }
}
