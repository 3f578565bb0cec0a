package dev.quantize.core.kernel.lowp;

/**
 * The inner loops of {@link Int8Gemm}, in two interchangeable implementations: {@link ScalarInt8Kernels}
 * (plain Java, always available) and {@code VectorInt8Kernels} (jdk.incubator.vector, loaded reflectively
 * only when that module is present). Both are exact: integer products and sums are computed in float
 * lanes only while every partial sum is an integer below 2^24 (see {@link Int8Gemm#KC}), so the two agree
 * bit for bit with each other and with {@link Int8Gemm#reference}.
 */
interface Int8Kernels {
    /** Name reported by {@link Int8Gemm#implementation()}. */
    String name();

    /** Rows of the output per micro-tile. */
    int mr();

    /** Columns of the output per micro-tile (the width of a packed weight sliver). */
    int nr();

    /**
     * tile[r*nr + j] = sum_p pa[paOff + p*mr + r] * pb[pbOff + p*nr + j] for r < mr, j < nr, p < kc (tile is
     * overwritten). pa holds activation codes as floats, pb weight codes as bytes; kc &lt;= {@link Int8Gemm#KC}
     * keeps every partial sum an exact integer.
     */
    void microTile(int kc, float[] pa, int paOff, byte[] pb, int pbOff, float[] tile);

    /** acc[i] = (first ? 0 : acc[i]) + (int) tile[i] for i &lt; len (tile holds exact integers). */
    void accumulate(int len, float[] tile, int[] acc, boolean first);

    /**
     * The requantization epilogue of one tile: out[r*nr + j] = relu?(float(acc[r*nr + j] - zc[zcOff + j])
     * * cs[zcOff + j] (+ bias[zcOff + j] when bias != null)) for r &lt; rows, j &lt; nr; the multiply and the
     * add are rounded separately, ReLU is Math.max(v, 0f).
     */
    void epilogue(int rows, int[] acc, int[] zc, float[] cs, float[] bias, int zcOff, boolean relu, float[] out);

    /**
     * Activation codes as {@code IntFormat.quantize} makes them: q[i] = clamp(rint(x[xOff+i] / scale) + zp,
     * qmin, qmax), NaN to zp, the division in float32; written as floats.
     */
    void quantize(int len, float[] x, int xOff, float scale, int zp, int qmin, int qmax, float[] q);
}
