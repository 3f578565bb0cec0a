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
    public void microTile(int kc, float[] pa, int paOff, byte[] pb, int pbOff, float[] tile) {
        java.util.Arrays.fill(tile, 0, MR * NR, 0f);
        for (int p = 0; p < kc; p++) {
            for (int r = 0; r < MR; r++) {
                float a = pa[paOff + p * MR + r];
                int t = r * NR;
                int b = pbOff + p * NR;
                for (int j = 0; j < NR; j++) {
                    tile[t + j] += a * pb[b + j]; // exact: integers below 2^24
                }
            }
        }
    }

    @Override
    public void accumulate(int len, float[] tile, int[] acc, boolean first) {
        for (int i = 0; i < len; i++) {
            acc[i] = (first ? 0 : acc[i]) + (int) tile[i];
        }
    }

    @Override
    public void epilogue(int rows, int[] acc, int[] zc, float[] cs, float[] bias, int zcOff, boolean relu,
                         float[] out) {
        for (int r = 0; r < rows; r++) {
            for (int j = 0; j < NR; j++) {
                out[r * NR + j] = Int8Gemm.requantize(acc[r * NR + j], zc[zcOff + j], cs[zcOff + j],
                        bias, zcOff + j, relu);
            }
        }
    }

    @Override
    public void quantize(int len, float[] x, int xOff, float scale, int zp, int qmin, int qmax, float[] q) {
        for (int i = 0; i < len; i++) {
            q[i] = Int8Gemm.quantize(x[xOff + i], scale, zp, qmin, qmax);
        }
    }
}
