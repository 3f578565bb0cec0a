package dev.quantize.core.kernel;

/**
 * The innermost GEMM loops, in two interchangeable implementations: {@link ScalarGemmKernels} (plain Java,
 * always available) and {@code VectorGemmKernels} (jdk.incubator.vector, loaded reflectively by
 * {@link GemmKernelsProvider} only when that module is present). The blocking and packing around them
 * live in {@link Gemm} and are shared, so both paths see the same packed panels.
 *
 * <p>The two are not bitwise equal: the vector micro-kernel uses fused multiply-add and the vector dot
 * product sums lane-wise partial sums, while the scalar path multiplies and adds separately in order.
 * Both agree with a double-precision reference within the tolerance the tests state.
 */
interface GemmKernels {
    /** Name reported by {@link Gemm#implementation()}. */
    String name();

    /** Rows of C per micro-tile. */
    int mr();

    /** Columns of C per micro-tile. */
    int nr();

    /**
     * One full micro-tile: C[r][j] += sum_p A[r][p] * B[p][j] for r < mr, j < nr. A[r][p] is
     * pa[paOff + r*rs + p*ks]: packed as kc groups of mr values (rs = 1, ks = mr), or read in place from
     * a row-major A (rs = its row stride, ks = 1: no packing when alpha is 1); pb holds B packed as kc groups of nr values
     * (pb[pbOff + p*nr + j]). C starts at cOff with row stride ldc. Scaling by alpha and beta happens
     * outside (alpha is folded into the packed A, C is scaled by beta beforehand): a branch-free epilogue
     * is what lets the JIT keep every accumulator in a register (with a conditional store the Vector API
     * fell back to boxed, interpreted lane operations, 100x slower).
     */
    void microTile(int kc, float[] pa, int paOff, int rs, int ks, float[] pb, int pbOff, float[] c, int cOff, int ldc);

    /**
     * Column counts below nr that {@link #microTileNarrow} covers exactly are the multiples of this;
     * 0 when there is no narrow tile (partial tiles then go through a padded scratch tile).
     */
    default int narrowStep() {
        return 0;
    }

    /**
     * As {@link #microTile} for the first cols columns only (cols a positive multiple of
     * {@link #narrowStep()} below nr), reading the same packed B (groups of nr values) and writing only
     * those columns of C: the last sliver of a product whose width is not a multiple of nr (256 = 5 x 48
     * + 16) computes no padding and needs no scratch copy.
     */
    default void microTileNarrow(int cols, int kc, float[] pa, int paOff, int rs, int ks, float[] pb, int pbOff,
                                 float[] c, int cOff, int ldc) {
        throw new UnsupportedOperationException("no narrow micro-tile in " + name());
    }

    /**
     * A row vector times a matrix: y[yOff + j] = sum_p x[xOff + p] * b[bOff + p*ldb + j] for j < n, p < k
     * (x is (1,K), b is (K,N) with row stride ldb, y is (1,N)). y is overwritten.
     */
    void rowTimesMatrix(int n, int k, float[] x, int xOff, float[] b, int bOff, int ldb, float[] y, int yOff);

    /**
     * A row vector times a transposed matrix: y[yOff + j] = sum_p x[xOff + p] * b[bOff + j*ldb + p] for
     * j < n, p < k (x is (1,K), b is stored (N,K) with row stride ldb, y is (1,N)). y is overwritten.
     */
    void rowTimesTransposed(int n, int k, float[] x, int xOff, float[] b, int bOff, int ldb, float[] y, int yOff);

    /** y[yOff + i] += a * x[xOff + i] for i < len. */
    void axpy(int len, float a, float[] x, int xOff, float[] y, int yOff);

    /** sum_i x[xOff + i] * y[yOff + i] for i < len. */
    float dot(int len, float[] x, int xOff, float[] y, int yOff);
}
