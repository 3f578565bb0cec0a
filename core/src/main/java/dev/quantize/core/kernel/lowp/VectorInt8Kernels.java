package dev.quantize.core.kernel.lowp;

import jdk.incubator.vector.ByteVector;
import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorOperators;
import jdk.incubator.vector.VectorShape;
import jdk.incubator.vector.VectorSpecies;

/**
 * Vector API inner loops of {@link Int8Gemm}. Java 17's Vector API has no int8 or int16 dot-product
 * operation (no VPMADDWD / VPDPBUSD), and measured on the AVX-512 EPYC it was built on (same-run ratios,
 * see BENCHMARKS.md) the exact integer alternatives were no faster than float FMA: int32 multiply-add ran
 * at ~0.8-1.0x the float micro-kernel, and every way to widen int16 products to int32 lanes
 * (convertShape S2I, reinterpret plus shifts) was not compiled to SIMD and ran ~20x slower. So products of
 * codes are summed on the FMA units: the micro-tile is the FP32 GEMM's (3 vectors wide, 8 rows with
 * 512-bit vectors, else 4), with the int8 weights widened in registers (B2F) from a byte panel a quarter the
 * size of a float one. Every partial sum is an integer below 2^24, hence exact. The widening is written out
 * in every kernel rather than in a helper method: under load, a helper that C2 had not inlined ran the
 * Vector API's boxed Java fallback and made batch-1 calls ~100x slower in some runs.
 * Only loaded reflectively when jdk.incubator.vector is in the boot layer; nothing else references it.
 */
final class VectorInt8Kernels implements Int8Kernels {
    private static final VectorSpecies<Float> S = FloatVector.SPECIES_PREFERRED;
    private static final int L = S.length();
    private static final VectorSpecies<Byte> B = VectorSpecies.of(byte.class, VectorShape.forBitSize(L * 8));
    private static final int NR = 3 * L;
    private static final int MR = S.vectorBitSize() >= 512 ? 8 : 4;
    /** Adding then subtracting 1.5 * 2^23 rounds a float of magnitude at most 2^22 to an integer, ties to even. */
    private static final float ROUNDER = 0x1.8p23f;

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


    @Override
    public int narrowNr() {
        return L;
    }

    /** One vector for a head; otherwise two or three vectors, whichever pads n less (three on a tie). */
    @Override
    public int nrFor(int n) {
        if (n <= L) {
            return L;
        }
        int two = 2 * L;
        return (n + two - 1) / two * two < (n + NR - 1) / NR * NR ? two : NR;
    }

    @Override
    public void microTile(int rows, int nr, int kc, float[] pa, int paOff, int lda, byte[] pb, int pbOff, float[] tile) {
        boolean half = rows <= 4; // the 4-row tiles write the same layout: rows 0..3 of an 8-row tile
        if (nr == L) {
            if (rows == 1) {
                narrowRow(kc, pa, paOff, pb, pbOff, tile);
            } else if (MR == 8 && !half) {
                narrowTile8(kc, pa, paOff, lda, pb, pbOff, tile);
            } else {
                narrowTile4(kc, pa, paOff, lda, pb, pbOff, tile);
            }
        } else if (nr == 2 * L) {
            if (rows == 1) {
                row2(kc, pa, paOff, pb, pbOff, tile);
            } else if (MR == 8 && !half) {
                tile8x2(kc, pa, paOff, lda, pb, pbOff, tile);
            } else {
                tile4x2(kc, pa, paOff, lda, pb, pbOff, tile);
            }
        } else if (rows == 1) {
            row(kc, pa, paOff, pb, pbOff, tile);
        } else if (MR == 8 && !half) {
            microTile8(kc, pa, paOff, lda, pb, pbOff, tile);
        } else {
            microTile4(kc, pa, paOff, lda, pb, pbOff, tile);
        }
    }

    /** Two vectors of columns (a weight whose width two-vector slivers pad less), eight rows. */
    private static void tile8x2(int kc, float[] pa, int paOff, int lda, byte[] pb, int pbOff, float[] tile) {
        int nr = 2 * L;
        FloatVector c00 = FloatVector.zero(S), c01 = FloatVector.zero(S), c10 = FloatVector.zero(S), c11 = FloatVector.zero(S);
        FloatVector c20 = FloatVector.zero(S), c21 = FloatVector.zero(S), c30 = FloatVector.zero(S), c31 = FloatVector.zero(S);
        FloatVector c40 = FloatVector.zero(S), c41 = FloatVector.zero(S), c50 = FloatVector.zero(S), c51 = FloatVector.zero(S);
        FloatVector c60 = FloatVector.zero(S), c61 = FloatVector.zero(S), c70 = FloatVector.zero(S), c71 = FloatVector.zero(S);
        for (int p = 0; p < kc; p++) {
            int ai = paOff + p;
            int bi = pbOff + p * nr;
            FloatVector b0 = ((FloatVector) ByteVector.fromArray(B, pb, bi).convertShape(VectorOperators.B2F, S, 0));
            FloatVector b1 = ((FloatVector) ByteVector.fromArray(B, pb, bi + L).convertShape(VectorOperators.B2F, S, 0));
            FloatVector a = FloatVector.broadcast(S, pa[ai]);
            c00 = b0.fma(a, c00);
            c01 = b1.fma(a, c01);
            a = FloatVector.broadcast(S, pa[ai + lda]);
            c10 = b0.fma(a, c10);
            c11 = b1.fma(a, c11);
            a = FloatVector.broadcast(S, pa[ai + 2 * lda]);
            c20 = b0.fma(a, c20);
            c21 = b1.fma(a, c21);
            a = FloatVector.broadcast(S, pa[ai + 3 * lda]);
            c30 = b0.fma(a, c30);
            c31 = b1.fma(a, c31);
            a = FloatVector.broadcast(S, pa[ai + 4 * lda]);
            c40 = b0.fma(a, c40);
            c41 = b1.fma(a, c41);
            a = FloatVector.broadcast(S, pa[ai + 5 * lda]);
            c50 = b0.fma(a, c50);
            c51 = b1.fma(a, c51);
            a = FloatVector.broadcast(S, pa[ai + 6 * lda]);
            c60 = b0.fma(a, c60);
            c61 = b1.fma(a, c61);
            a = FloatVector.broadcast(S, pa[ai + 7 * lda]);
            c70 = b0.fma(a, c70);
            c71 = b1.fma(a, c71);
        }
        c00.intoArray(tile, 0);
        c01.intoArray(tile, L);
        c10.intoArray(tile, nr);
        c11.intoArray(tile, nr + L);
        c20.intoArray(tile, 2 * nr);
        c21.intoArray(tile, 2 * nr + L);
        c30.intoArray(tile, 3 * nr);
        c31.intoArray(tile, 3 * nr + L);
        c40.intoArray(tile, 4 * nr);
        c41.intoArray(tile, 4 * nr + L);
        c50.intoArray(tile, 5 * nr);
        c51.intoArray(tile, 5 * nr + L);
        c60.intoArray(tile, 6 * nr);
        c61.intoArray(tile, 6 * nr + L);
        c70.intoArray(tile, 7 * nr);
        c71.intoArray(tile, 7 * nr + L);
    }

    private static void tile4x2(int kc, float[] pa, int paOff, int lda, byte[] pb, int pbOff, float[] tile) {
        int nr = 2 * L;
        FloatVector c00 = FloatVector.zero(S), c01 = FloatVector.zero(S), c10 = FloatVector.zero(S), c11 = FloatVector.zero(S);
        FloatVector c20 = FloatVector.zero(S), c21 = FloatVector.zero(S), c30 = FloatVector.zero(S), c31 = FloatVector.zero(S);
        for (int p = 0; p < kc; p++) {
            int ai = paOff + p;
            int bi = pbOff + p * nr;
            FloatVector b0 = ((FloatVector) ByteVector.fromArray(B, pb, bi).convertShape(VectorOperators.B2F, S, 0));
            FloatVector b1 = ((FloatVector) ByteVector.fromArray(B, pb, bi + L).convertShape(VectorOperators.B2F, S, 0));
            FloatVector a = FloatVector.broadcast(S, pa[ai]);
            c00 = b0.fma(a, c00);
            c01 = b1.fma(a, c01);
            a = FloatVector.broadcast(S, pa[ai + lda]);
            c10 = b0.fma(a, c10);
            c11 = b1.fma(a, c11);
            a = FloatVector.broadcast(S, pa[ai + 2 * lda]);
            c20 = b0.fma(a, c20);
            c21 = b1.fma(a, c21);
            a = FloatVector.broadcast(S, pa[ai + 3 * lda]);
            c30 = b0.fma(a, c30);
            c31 = b1.fma(a, c31);
        }
        c00.intoArray(tile, 0);
        c01.intoArray(tile, L);
        c10.intoArray(tile, nr);
        c11.intoArray(tile, nr + L);
        c20.intoArray(tile, 2 * nr);
        c21.intoArray(tile, 2 * nr + L);
        c30.intoArray(tile, 3 * nr);
        c31.intoArray(tile, 3 * nr + L);
    }

    /** One row of a two-vector tile, over two interleaved sets of accumulators (exact, as in {@link #row}). */
    private static void row2(int kc, float[] pa, int paOff, byte[] pb, int pbOff, float[] tile) {
        int nr = 2 * L;
        FloatVector c0 = FloatVector.zero(S), c1 = FloatVector.zero(S), d0 = FloatVector.zero(S), d1 = FloatVector.zero(S);
        int p = 0;
        for (; p + 2 <= kc; p += 2) {
            int bi = pbOff + p * nr;
            FloatVector a = FloatVector.broadcast(S, pa[paOff + p]);
            c0 = ((FloatVector) ByteVector.fromArray(B, pb, bi).convertShape(VectorOperators.B2F, S, 0)).fma(a, c0);
            c1 = ((FloatVector) ByteVector.fromArray(B, pb, bi + L).convertShape(VectorOperators.B2F, S, 0)).fma(a, c1);
            FloatVector e = FloatVector.broadcast(S, pa[paOff + p + 1]);
            d0 = ((FloatVector) ByteVector.fromArray(B, pb, bi + nr).convertShape(VectorOperators.B2F, S, 0)).fma(e, d0);
            d1 = ((FloatVector) ByteVector.fromArray(B, pb, bi + nr + L).convertShape(VectorOperators.B2F, S, 0)).fma(e, d1);
        }
        if (p < kc) {
            int bi = pbOff + p * nr;
            FloatVector a = FloatVector.broadcast(S, pa[paOff + p]);
            c0 = ((FloatVector) ByteVector.fromArray(B, pb, bi).convertShape(VectorOperators.B2F, S, 0)).fma(a, c0);
            c1 = ((FloatVector) ByteVector.fromArray(B, pb, bi + L).convertShape(VectorOperators.B2F, S, 0)).fma(a, c1);
        }
        c0.add(d0).intoArray(tile, 0);
        c1.add(d1).intoArray(tile, L);
    }

    /**
     * One row of a wide tile (a batch of one). Two interleaved sets of accumulators (even and odd p) keep
     * the FMA units busy; their sums are exact integers, so adding them at the end changes nothing.
     */
    private static void row(int kc, float[] pa, int paOff, byte[] pb, int pbOff, float[] tile) {
        FloatVector c0 = FloatVector.zero(S), c1 = FloatVector.zero(S), c2 = FloatVector.zero(S);
        FloatVector d0 = FloatVector.zero(S), d1 = FloatVector.zero(S), d2 = FloatVector.zero(S);
        int p = 0;
        for (; p + 2 <= kc; p += 2) {
            int bi = pbOff + p * NR;
            FloatVector a = FloatVector.broadcast(S, pa[paOff + p]);
            c0 = ((FloatVector) ByteVector.fromArray(B, pb, bi).convertShape(VectorOperators.B2F, S, 0)).fma(a, c0);
            c1 = ((FloatVector) ByteVector.fromArray(B, pb, bi + L).convertShape(VectorOperators.B2F, S, 0)).fma(a, c1);
            c2 = ((FloatVector) ByteVector.fromArray(B, pb, bi + 2 * L).convertShape(VectorOperators.B2F, S, 0)).fma(a, c2);
            FloatVector e = FloatVector.broadcast(S, pa[paOff + p + 1]);
            d0 = ((FloatVector) ByteVector.fromArray(B, pb, bi + NR).convertShape(VectorOperators.B2F, S, 0)).fma(e, d0);
            d1 = ((FloatVector) ByteVector.fromArray(B, pb, bi + NR + L).convertShape(VectorOperators.B2F, S, 0)).fma(e, d1);
            d2 = ((FloatVector) ByteVector.fromArray(B, pb, bi + NR + 2 * L).convertShape(VectorOperators.B2F, S, 0)).fma(e, d2);
        }
        if (p < kc) {
            int bi = pbOff + p * NR;
            FloatVector a = FloatVector.broadcast(S, pa[paOff + p]);
            c0 = ((FloatVector) ByteVector.fromArray(B, pb, bi).convertShape(VectorOperators.B2F, S, 0)).fma(a, c0);
            c1 = ((FloatVector) ByteVector.fromArray(B, pb, bi + L).convertShape(VectorOperators.B2F, S, 0)).fma(a, c1);
            c2 = ((FloatVector) ByteVector.fromArray(B, pb, bi + 2 * L).convertShape(VectorOperators.B2F, S, 0)).fma(a, c2);
        }
        c0.add(d0).intoArray(tile, 0);
        c1.add(d1).intoArray(tile, L);
        c2.add(d2).intoArray(tile, 2 * L);
    }

    /** One row of a narrow tile, over four interleaved accumulators (exact, as in {@link #row}). */
    private static void narrowRow(int kc, float[] pa, int paOff, byte[] pb, int pbOff, float[] tile) {
        FloatVector c0 = FloatVector.zero(S), c1 = FloatVector.zero(S), c2 = FloatVector.zero(S), c3 = FloatVector.zero(S);
        int p = 0;
        for (; p + 4 <= kc; p += 4) {
            int bi = pbOff + p * L;
            c0 = ((FloatVector) ByteVector.fromArray(B, pb, bi).convertShape(VectorOperators.B2F, S, 0)).fma(FloatVector.broadcast(S, pa[paOff + p]), c0);
            c1 = ((FloatVector) ByteVector.fromArray(B, pb, bi + L).convertShape(VectorOperators.B2F, S, 0)).fma(FloatVector.broadcast(S, pa[paOff + p + 1]), c1);
            c2 = ((FloatVector) ByteVector.fromArray(B, pb, bi + 2 * L).convertShape(VectorOperators.B2F, S, 0)).fma(FloatVector.broadcast(S, pa[paOff + p + 2]), c2);
            c3 = ((FloatVector) ByteVector.fromArray(B, pb, bi + 3 * L).convertShape(VectorOperators.B2F, S, 0)).fma(FloatVector.broadcast(S, pa[paOff + p + 3]), c3);
        }
        for (; p < kc; p++) {
            c0 = ((FloatVector) ByteVector.fromArray(B, pb, pbOff + p * L).convertShape(VectorOperators.B2F, S, 0)).fma(FloatVector.broadcast(S, pa[paOff + p]), c0);
        }
        c0.add(c1).add(c2.add(c3)).intoArray(tile, 0);
    }

    /** One vector of columns: for layers with at most L outputs (8 FMAs per load instead of 24 on padding). */
    private static void narrowTile8(int kc, float[] pa, int paOff, int lda, byte[] pb, int pbOff, float[] tile) {
        FloatVector c0 = FloatVector.zero(S), c1 = FloatVector.zero(S), c2 = FloatVector.zero(S), c3 = FloatVector.zero(S), c4 = FloatVector.zero(S), c5 = FloatVector.zero(S), c6 = FloatVector.zero(S), c7 = FloatVector.zero(S);
        for (int p = 0; p < kc; p++) {
            int ai = paOff + p;
            FloatVector b = ((FloatVector) ByteVector.fromArray(B, pb, pbOff + p * L).convertShape(VectorOperators.B2F, S, 0));
            c0 = b.fma(FloatVector.broadcast(S, pa[ai]), c0);
            c1 = b.fma(FloatVector.broadcast(S, pa[ai + lda]), c1);
            c2 = b.fma(FloatVector.broadcast(S, pa[ai + 2 * lda]), c2);
            c3 = b.fma(FloatVector.broadcast(S, pa[ai + 3 * lda]), c3);
            c4 = b.fma(FloatVector.broadcast(S, pa[ai + 4 * lda]), c4);
            c5 = b.fma(FloatVector.broadcast(S, pa[ai + 5 * lda]), c5);
            c6 = b.fma(FloatVector.broadcast(S, pa[ai + 6 * lda]), c6);
            c7 = b.fma(FloatVector.broadcast(S, pa[ai + 7 * lda]), c7);
        }
        c0.intoArray(tile, 0);
        c1.intoArray(tile, L);
        c2.intoArray(tile, 2 * L);
        c3.intoArray(tile, 3 * L);
        c4.intoArray(tile, 4 * L);
        c5.intoArray(tile, 5 * L);
        c6.intoArray(tile, 6 * L);
        c7.intoArray(tile, 7 * L);
    }

    private static void narrowTile4(int kc, float[] pa, int paOff, int lda, byte[] pb, int pbOff, float[] tile) {
        FloatVector c0 = FloatVector.zero(S), c1 = FloatVector.zero(S), c2 = FloatVector.zero(S), c3 = FloatVector.zero(S);
        for (int p = 0; p < kc; p++) {
            int ai = paOff + p;
            FloatVector b = ((FloatVector) ByteVector.fromArray(B, pb, pbOff + p * L).convertShape(VectorOperators.B2F, S, 0));
            c0 = b.fma(FloatVector.broadcast(S, pa[ai]), c0);
            c1 = b.fma(FloatVector.broadcast(S, pa[ai + lda]), c1);
            c2 = b.fma(FloatVector.broadcast(S, pa[ai + 2 * lda]), c2);
            c3 = b.fma(FloatVector.broadcast(S, pa[ai + 3 * lda]), c3);
        }
        c0.intoArray(tile, 0);
        c1.intoArray(tile, L);
        c2.intoArray(tile, 2 * L);
        c3.intoArray(tile, 3 * L);
    }

    private static void microTile8(int kc, float[] pa, int paOff, int lda, byte[] pb, int pbOff, float[] tile) {
        FloatVector c00 = FloatVector.zero(S), c01 = FloatVector.zero(S), c02 = FloatVector.zero(S);
        FloatVector c10 = FloatVector.zero(S), c11 = FloatVector.zero(S), c12 = FloatVector.zero(S);
        FloatVector c20 = FloatVector.zero(S), c21 = FloatVector.zero(S), c22 = FloatVector.zero(S);
        FloatVector c30 = FloatVector.zero(S), c31 = FloatVector.zero(S), c32 = FloatVector.zero(S);
        FloatVector c40 = FloatVector.zero(S), c41 = FloatVector.zero(S), c42 = FloatVector.zero(S);
        FloatVector c50 = FloatVector.zero(S), c51 = FloatVector.zero(S), c52 = FloatVector.zero(S);
        FloatVector c60 = FloatVector.zero(S), c61 = FloatVector.zero(S), c62 = FloatVector.zero(S);
        FloatVector c70 = FloatVector.zero(S), c71 = FloatVector.zero(S), c72 = FloatVector.zero(S);
        for (int p = 0; p < kc; p++) {
            int ai = paOff + p;
            int bi = pbOff + p * NR;
            FloatVector b0 = ((FloatVector) ByteVector.fromArray(B, pb, bi).convertShape(VectorOperators.B2F, S, 0));
            FloatVector b1 = ((FloatVector) ByteVector.fromArray(B, pb, bi + L).convertShape(VectorOperators.B2F, S, 0));
            FloatVector b2 = ((FloatVector) ByteVector.fromArray(B, pb, bi + 2 * L).convertShape(VectorOperators.B2F, S, 0));
            FloatVector a = FloatVector.broadcast(S, pa[ai]);
            c00 = b0.fma(a, c00);
            c01 = b1.fma(a, c01);
            c02 = b2.fma(a, c02);
            a = FloatVector.broadcast(S, pa[ai + lda]);
            c10 = b0.fma(a, c10);
            c11 = b1.fma(a, c11);
            c12 = b2.fma(a, c12);
            a = FloatVector.broadcast(S, pa[ai + 2 * lda]);
            c20 = b0.fma(a, c20);
            c21 = b1.fma(a, c21);
            c22 = b2.fma(a, c22);
            a = FloatVector.broadcast(S, pa[ai + 3 * lda]);
            c30 = b0.fma(a, c30);
            c31 = b1.fma(a, c31);
            c32 = b2.fma(a, c32);
            a = FloatVector.broadcast(S, pa[ai + 4 * lda]);
            c40 = b0.fma(a, c40);
            c41 = b1.fma(a, c41);
            c42 = b2.fma(a, c42);
            a = FloatVector.broadcast(S, pa[ai + 5 * lda]);
            c50 = b0.fma(a, c50);
            c51 = b1.fma(a, c51);
            c52 = b2.fma(a, c52);
            a = FloatVector.broadcast(S, pa[ai + 6 * lda]);
            c60 = b0.fma(a, c60);
            c61 = b1.fma(a, c61);
            c62 = b2.fma(a, c62);
            a = FloatVector.broadcast(S, pa[ai + 7 * lda]);
            c70 = b0.fma(a, c70);
            c71 = b1.fma(a, c71);
            c72 = b2.fma(a, c72);
        }
        c00.intoArray(tile, 0);
        c01.intoArray(tile, L);
        c02.intoArray(tile, 2 * L);
        c10.intoArray(tile, NR);
        c11.intoArray(tile, NR + L);
        c12.intoArray(tile, NR + 2 * L);
        c20.intoArray(tile, 2 * NR);
        c21.intoArray(tile, 2 * NR + L);
        c22.intoArray(tile, 2 * NR + 2 * L);
        c30.intoArray(tile, 3 * NR);
        c31.intoArray(tile, 3 * NR + L);
        c32.intoArray(tile, 3 * NR + 2 * L);
        c40.intoArray(tile, 4 * NR);
        c41.intoArray(tile, 4 * NR + L);
        c42.intoArray(tile, 4 * NR + 2 * L);
        c50.intoArray(tile, 5 * NR);
        c51.intoArray(tile, 5 * NR + L);
        c52.intoArray(tile, 5 * NR + 2 * L);
        c60.intoArray(tile, 6 * NR);
        c61.intoArray(tile, 6 * NR + L);
        c62.intoArray(tile, 6 * NR + 2 * L);
        c70.intoArray(tile, 7 * NR);
        c71.intoArray(tile, 7 * NR + L);
        c72.intoArray(tile, 7 * NR + 2 * L);
    }

    private static void microTile4(int kc, float[] pa, int paOff, int lda, byte[] pb, int pbOff, float[] tile) {
        FloatVector c00 = FloatVector.zero(S), c01 = FloatVector.zero(S), c02 = FloatVector.zero(S);
        FloatVector c10 = FloatVector.zero(S), c11 = FloatVector.zero(S), c12 = FloatVector.zero(S);
        FloatVector c20 = FloatVector.zero(S), c21 = FloatVector.zero(S), c22 = FloatVector.zero(S);
        FloatVector c30 = FloatVector.zero(S), c31 = FloatVector.zero(S), c32 = FloatVector.zero(S);
        for (int p = 0; p < kc; p++) {
            int ai = paOff + p;
            int bi = pbOff + p * NR;
            FloatVector b0 = ((FloatVector) ByteVector.fromArray(B, pb, bi).convertShape(VectorOperators.B2F, S, 0));
            FloatVector b1 = ((FloatVector) ByteVector.fromArray(B, pb, bi + L).convertShape(VectorOperators.B2F, S, 0));
            FloatVector b2 = ((FloatVector) ByteVector.fromArray(B, pb, bi + 2 * L).convertShape(VectorOperators.B2F, S, 0));
            FloatVector a = FloatVector.broadcast(S, pa[ai]);
            c00 = b0.fma(a, c00);
            c01 = b1.fma(a, c01);
            c02 = b2.fma(a, c02);
            a = FloatVector.broadcast(S, pa[ai + lda]);
            c10 = b0.fma(a, c10);
            c11 = b1.fma(a, c11);
            c12 = b2.fma(a, c12);
            a = FloatVector.broadcast(S, pa[ai + 2 * lda]);
            c20 = b0.fma(a, c20);
            c21 = b1.fma(a, c21);
            c22 = b2.fma(a, c22);
            a = FloatVector.broadcast(S, pa[ai + 3 * lda]);
            c30 = b0.fma(a, c30);
            c31 = b1.fma(a, c31);
            c32 = b2.fma(a, c32);
        }
        c00.intoArray(tile, 0);
        c01.intoArray(tile, L);
        c02.intoArray(tile, 2 * L);
        c10.intoArray(tile, NR);
        c11.intoArray(tile, NR + L);
        c12.intoArray(tile, NR + 2 * L);
        c20.intoArray(tile, 2 * NR);
        c21.intoArray(tile, 2 * NR + L);
        c22.intoArray(tile, 2 * NR + 2 * L);
        c30.intoArray(tile, 3 * NR);
        c31.intoArray(tile, 3 * NR + L);
        c32.intoArray(tile, 3 * NR + 2 * L);
    }

    @Override
    public void epilogue(int nr, int rows, float[] tile, float[] zc, float[] cs, float[] bias, int zcOff, float floor,
                         float[] out) {
        // Branch-free (a vector-valued phi can defeat C2's intrinsics): the bias is always added (zeros when
        // absent) and ReLU is a max with floor (0 or -Inf). No float/int conversions: F2I is not compiled to
        // SIMD by JDK 17 on this machine (~3 ns per value), and tile and zc hold exact integers, so tile - zc
        // rounds once, exactly like float(int difference).
        for (int v = 0; v < nr; v += L) {
            FloatVector z = FloatVector.fromArray(S, zc, zcOff + v);
            FloatVector s = FloatVector.fromArray(S, cs, zcOff + v);
            FloatVector b = FloatVector.fromArray(S, bias, zcOff + v);
            for (int r = 0; r < rows; r++) {
                int o = r * nr + v;
                FloatVector.fromArray(S, tile, o).sub(z).mul(s).add(b).max(floor).intoArray(out, o);
            }
        }
    }

    @Override
    public void quantize(int len, float[] x, int xOff, float scale, int zp, int qmin, int qmax, float[] q, int qOff) {
        // All in float. Clamping x / scale to [qmin - zp, qmax - zp] (integers) before rounding equals clamping
        // after it (rint is monotone), and keeps the magnitude below 2^22, where adding then subtracting
        // 1.5 * 2^23 rounds to an integer, ties to even; adding zp is then exact. NaN lanes (kept NaN by max
        // and min) are replaced by the zero point at the end.
        float z = zp;
        float lo = qmin - zp;
        float hi = qmax - zp;
        int i = 0;
        for (; i + L <= len; i += L) {
            FloatVector in = FloatVector.fromArray(S, x, xOff + i);
            FloatVector v = in.div(scale).max(lo).min(hi).add(ROUNDER).sub(ROUNDER).add(z);
            v.blend(z, in.compare(VectorOperators.NE, in)).intoArray(q, qOff + i);
        }
        for (; i < len; i++) {
            q[qOff + i] = Int8Gemm.quantize(x[xOff + i], scale, zp, qmin, qmax);
        }
    }
}
