package dev.quantize.core.kernel.lowp;

/** Plain-Java inner loops of {@link Int8Gemm}: the fallback when the Vector API is absent, and a test oracle. */
final class ScalarInt8Kernels implements Int8Kernels {
    private static final int MR = 4;
    private static final int NR = 16;

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
    public int narrowNr() {
        return NR;
    }

    @Override
    public int nrFor(int n) {
        return NR;
    }

    @Override
    public void microTile(int rows, int nr, int kc, float[] pa, int paOff, int lda, byte[] pb, int pbOff, float[] tile) {
        java.util.Arrays.fill(tile, 0, MR * NR, 0f);
        for (int p = 0; p < kc; p++) {
            for (int r = 0; r < rows; r++) {
                float a = pa[paOff + r * lda + p];
                int t = r * NR;
                int b = pbOff + p * NR;
                for (int j = 0; j < NR; j++) {
                    tile[t + j] += a * pb[b + j]; // exact: integers below 2^24
                }
            }
        }
    }

    @Override
    public void epilogue(int nr, int rows, float[] tile, float[] zc, float[] cs, float[] bias, int zcOff, float floor,
                         float[] out) {
        for (int r = 0; r < rows; r++) {
            for (int j = 0; j < NR; j++) {
                // tile and zc hold exact integers: the float subtraction rounds the exact difference once.
                out[r * NR + j] = Math.max((tile[r * NR + j] - zc[zcOff + j]) * cs[zcOff + j] + bias[zcOff + j], floor);
            }
        }
    }

    @Override
    public void quantize(int len, float[] x, int xOff, float scale, int zp, int qmin, int qmax, float[] q, int qOff) {
        for (int i = 0; i < len; i++) {
            q[qOff + i] = Int8Gemm.quantize(x[xOff + i], scale, zp, qmin, qmax);
        }
    }
}
