package dev.quantize.core.kernel;

/** Plain-Java GEMM inner loops: a 4x8 micro-tile of C kept in local accumulators. */
final class ScalarGemmKernels implements GemmKernels {
    private static final int MR = 4;
    private static final int NR = 8;

    @Override
    public String name() {
        return "scalar";
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
    public void microTile(int kc, float[] pa, int paOff, int rs, int ks, float[] pb, int pbOff, float[] c, int cOff,
                          int ldc) {
        // Four rows of eight accumulators; the j loops are fixed-length so the JIT unrolls them.
        float[] acc0 = new float[NR];
        float[] acc1 = new float[NR];
        float[] acc2 = new float[NR];
        float[] acc3 = new float[NR];
        int ai = paOff;
        int bi = pbOff;
        for (int p = 0; p < kc; p++) {
            float a0 = pa[ai];
            float a1 = pa[ai + rs];
            float a2 = pa[ai + 2 * rs];
            float a3 = pa[ai + 3 * rs];
            for (int j = 0; j < NR; j++) {
                float bv = pb[bi + j];
                acc0[j] += a0 * bv;
                acc1[j] += a1 * bv;
                acc2[j] += a2 * bv;
                acc3[j] += a3 * bv;
            }
            ai += ks;
            bi += NR;
        }
        storeRow(acc0, c, cOff);
        storeRow(acc1, c, cOff + ldc);
        storeRow(acc2, c, cOff + 2 * ldc);
        storeRow(acc3, c, cOff + 3 * ldc);
    }

    private static void storeRow(float[] acc, float[] c, int off) {
        for (int j = 0; j < NR; j++) {
            c[off + j] += acc[j];
        }
    }

    @Override
    public void rowTimesMatrix(int n, int k, float[] x, int xOff, float[] b, int bOff, int ldb, float[] y, int yOff) {
        java.util.Arrays.fill(y, yOff, yOff + n, 0f);
        for (int p = 0; p < k; p++) {
            axpy(n, x[xOff + p], b, bOff + p * ldb, y, yOff);
        }
    }

    @Override
    public void rowTimesTransposed(int n, int k, float[] x, int xOff, float[] b, int bOff, int ldb, float[] y,
                                   int yOff) {
        for (int j = 0; j < n; j++) {
            y[yOff + j] = dot(k, x, xOff, b, bOff + j * ldb);
        }
    }

    @Override
    public void axpy(int len, float a, float[] x, int xOff, float[] y, int yOff) {
        for (int i = 0; i < len; i++) {
            y[yOff + i] += a * x[xOff + i];
        }
    }

    @Override
    public float dot(int len, float[] x, int xOff, float[] y, int yOff) {
        float s = 0f;
        for (int i = 0; i < len; i++) {
            s += x[xOff + i] * y[yOff + i];
        }
        return s;
    }
}
