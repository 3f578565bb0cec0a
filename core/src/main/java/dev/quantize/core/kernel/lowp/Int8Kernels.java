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
     * The width of the narrow micro-tile (one vector) used for weights with at most this many output
     * columns (a classifier head), where the wide tile would mostly compute padding.
     */
    int narrowNr();

    /**
     * The sliver width for a weight of n output columns: {@link #narrowNr()} for a classifier head, else
     * the width among those the micro-tiles support that pads n the least (64 columns on two 32-wide
     * slivers rather than two 48-wide ones computing 96).
     */
    int nrFor(int n);

    /**
     * tile[r*nr + j] = sum_p pa[paOff + r*lda + p] * pb[pbOff + p*nr + j] for r < rows, j < nr, p < kc, where
     * rows &lt;= mr and nr is {@link #nrFor} of the weight's width (tile rows from rows to mr may be
     * overwritten with anything). pa holds activation codes as floats, row by row (each value is broadcast,
     * so rows need no interleaving), pb weight codes as bytes; kc &lt;= {@link Int8Gemm#KC} keeps every
     * partial sum an exact integer, so the sums may be formed in any order. A short last tile (a batch of
     * one) computes only the rows it has.
     */
    void microTile(int rows, int nr, int kc, float[] pa, int paOff, int lda, byte[] pb, int pbOff, float[] tile);

    /**
     * The requantization epilogue of one tile: out[r*nr + j] = Math.max((tile[r*nr + j] - zc[zcOff + j])
     * * cs[zcOff + j] + bias[zcOff + j], floor) for r &lt; rows, j &lt; nr (the tile's width), each operation rounded on its own.
     * tile and zc hold integers below 2^24 in magnitude (exact floats), so the subtraction rounds the exact
     * difference once, as float(int difference) does. floor is 0 for ReLU, else -Infinity (a no-op, NaN
     * included).
     */
    void epilogue(int nr, int rows, float[] tile, float[] zc, float[] cs, float[] bias, int zcOff, float floor, float[] out);

    /**
     * Activation codes as {@code IntFormat.quantize} makes them: q[i] = clamp(rint(x[xOff+i] / scale) + zp,
     * qmin, qmax), NaN to zp, the division in float32; written as floats from q[qOff].
     */
    void quantize(int len, float[] x, int xOff, float scale, int zp, int qmin, int qmax, float[] q, int qOff);
}
