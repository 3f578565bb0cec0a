package dev.quantize.core.kernel;

import java.util.Arrays;

/**
 * Single-precision general matrix multiply, row-major: C = alpha * op(A) * op(B) + beta * C.
 *
 * <p>Shapes: op(A) is (M,K); A is stored (M,K) with row stride lda, or (K,M) when transA. op(B) is (K,N);
 * B is stored (K,N) with row stride ldb, or (N,K) when transB. C is (M,N) with row stride ldc.
 * beta == 0 means C is only written (NaN or garbage in C is ignored).
 *
 * <p>Method: the classic packed, cache-blocked scheme. B is packed KC x NC at a time into slivers of NR
 * columns, A MC x KC at a time into slivers of MR rows (or, when A is row-major and alpha is 1, read in
 * place: packing would only copy it), and a micro-kernel keeps an MR x NR block of C in registers while
 * it walks a shared k range and then adds it to C (C is first scaled by beta, alpha is folded into the
 * packed A). A last column sliver narrower than NR runs a one- or two-vector micro-tile when the kernels
 * have one, so 256 columns are 5 x 48 + 16, not 6 x 48. Work is split over {@link Parallelism} by rows of C (or by
 * columns when there are too few rows); each worker packs its own panels. Very short or very narrow
 * products (fewer than MR rows or fewer than {@value #NARROW_N} columns) skip packing, which would cost
 * as much as the arithmetic, and run as rows of axpy or dot products; products with few columns and many
 * rows are computed transposed so that the wide side of the micro-tile is not wasted on padding.
 */
public final class Gemm {
    /**
     * Depth of one packed panel. Deep panels mean C is loaded and stored fewer times (each pass over C
     * misses cache; Java cannot prefetch it): on the AVX-512 machine this was tuned on (1 MB L2 per core),
     * 1024^3 ran at ~120 GFLOP/s with KC 256 and ~140 with KC 1024. An NR-wide B sliver (192 KB) and the
     * MC x KC block of A (384 KB) then share L2.
     */
    static final int KC = 1024;
    /** Rows of A packed at once. */
    static final int MC = 96;
    /** Columns of B packed at once (KC x NC floats). */
    static final int NC = 1536;
    /** Below this many columns the packed path would mostly compute padding. */
    static final int NARROW_N = 8;
    /**
     * With B stored (N,K), fewer columns than this over at least FEW_COLUMNS_MIN_DEPTH run as row dots,
     * unless the kernels have a narrow micro-tile: on AVX-512, 1024x10x256 ran at 30-32 GFLOP/s as row
     * dots and 37-41 as 8x16 tiles through scratch (single thread, CPU time, loaded machine).
     */
    static final int FEW_COLUMNS = 16;
    static final int FEW_COLUMNS_MIN_DEPTH = 64;
    /** Below this many multiply-adds a product stays on the calling thread. */
    private static final long PARALLEL_MIN_WORK = 1L << 20;

    private static final ThreadLocal<Workspace> WORKSPACE = ThreadLocal.withInitial(Workspace::new);

    private Gemm() {
    }

    /** Which inner loops run: "scalar" or "vector-&lt;bits&gt;bit". */
    public static String implementation() {
        return GemmKernelsProvider.chosen().name();
    }

    public static void gemm(boolean transA, boolean transB, int m, int n, int k, float alpha,
                            float[] a, int aOff, int lda, float[] b, int bOff, int ldb,
                            float beta, float[] c, int cOff, int ldc, Parallelism par) {
        gemm(transA, transB, m, n, k, alpha, a, aOff, lda, b, bOff, ldb, beta, c, cOff, ldc, par,
                GemmKernelsProvider.chosen());
    }

    /**
     * As gemm, with B also given packed by {@link #prepack} from the same b, bOff and ldb (the caller's
     * duty; transposition and sizes are checked), or null. The packed path then skips packing B; the other paths read b as usual. Results are
     * bit-identical to the plain call.
     */
    public static void gemm(boolean transA, boolean transB, int m, int n, int k, float alpha,
                            float[] a, int aOff, int lda, float[] b, int bOff, int ldb, PackedB packedB,
                            float beta, float[] c, int cOff, int ldc, Parallelism par) {
        GemmKernels kernels = GemmKernelsProvider.chosen();
        if (packedB != null && !packedB.matches(transB, k, n, kernels.nr())) {
            throw new IllegalArgumentException("gemm: packed B was made for another shape or transposition");
        }
        gemm(transA, transB, m, n, k, alpha, a, aOff, lda, b, bOff, ldb, packedB, beta, c, cOff, ldc, par, kernels);
    }

    /** As the public gemm, with the inner loops given explicitly (tests compare both paths). */
    static void gemm(boolean transA, boolean transB, int m, int n, int k, float alpha,
                     float[] a, int aOff, int lda, float[] b, int bOff, int ldb,
                     float beta, float[] c, int cOff, int ldc, Parallelism par, GemmKernels kernels) {
        gemm(transA, transB, m, n, k, alpha, a, aOff, lda, b, bOff, ldb, null, beta, c, cOff, ldc, par, kernels);
    }

    /**
     * B (stored as for gemm) packed once into the panels the packed path reads, for products that
     * reuse one B many times (a layer's weights). Immutable; shared by any number of threads.
     */
    public static PackedB prepack(boolean transB, int k, int n, float[] b, int bOff, int ldb) {
        GemmKernels kernels = GemmKernelsProvider.chosen();
        checkMatrix("B", b, bOff, ldb, transB ? n : k, transB ? k : n);
        int nr = kernels.nr();
        int colBlocks = (n + NC - 1) / NC;
        int depthBlocks = (k + KC - 1) / KC;
        float[][] panels = new float[colBlocks * depthBlocks][];
        for (int jb = 0; jb < colBlocks; jb++) {
            int jc = jb * NC;
            int nc = Math.min(NC, n - jc);
            for (int pb = 0; pb < depthBlocks; pb++) {
                int pc = pb * KC;
                int kc = Math.min(KC, k - pc);
                float[] panel = new float[kc * roundUp(nc, nr)];
                packB(transB, b, bOff, ldb, pc, kc, jc, nc, nr, panel);
                panels[jb * depthBlocks + pb] = panel;
            }
        }
        return new PackedB(transB, k, n, nr, depthBlocks, panels);
    }

    /** B packed by {@link #prepack}: panel (jc / NC, pc / KC) as packB lays it out. */
    public static final class PackedB {
        private final boolean transB;
        private final int k;
        private final int n;
        private final int nr;
        private final int depthBlocks;
        private final float[][] panels;

        private PackedB(boolean transB, int k, int n, int nr, int depthBlocks, float[][] panels) {
            this.transB = transB;
            this.k = k;
            this.n = n;
            this.nr = nr;
            this.depthBlocks = depthBlocks;
            this.panels = panels;
        }

        boolean matches(boolean transB, int k, int n, int nr) {
            return this.transB == transB && this.k == k && this.n == n && this.nr == nr;
        }

        float[] panel(int jc, int pc) {
            return panels[jc / NC * depthBlocks + pc / KC];
        }
    }

    private static void gemm(boolean transA, boolean transB, int m, int n, int k, float alpha,
                             float[] a, int aOff, int lda, float[] b, int bOff, int ldb, PackedB pre,
                             float beta, float[] c, int cOff, int ldc, Parallelism par, GemmKernels kernels) {
        checkArgs(transA, transB, m, n, k, a, aOff, lda, b, bOff, ldb, c, cOff, ldc);
        if (m == 0 || n == 0) {
            return;
        }
        long work = (long) m * n * Math.max(k, 1);
        if (par.threads() == 1 || work < PARALLEL_MIN_WORK) {
            serial(transA, transB, m, n, k, alpha, a, aOff, lda, b, bOff, ldb, pre, beta, c, cOff, ldc, kernels);
            return;
        }
        int mr = kernels.mr();
        int nr = kernels.nr();
        int rowTiles = (m + mr - 1) / mr;
        if (rowTiles >= 2 * par.threads() || n < 2 * nr) {
            // Rows of C: each chunk is a whole number of MR-row tiles.
            par.parallelFor(rowTiles, (t0, t1) -> {
                int i0 = t0 * mr;
                int i1 = Math.min(m, t1 * mr);
                int aSub = transA ? aOff + i0 : aOff + i0 * lda;
                serial(transA, transB, i1 - i0, n, k, alpha, a, aSub, lda, b, bOff, ldb, pre,
                        beta, c, cOff + i0 * ldc, ldc, kernels);
            });
        } else {
            int colTiles = (n + nr - 1) / nr;
            par.parallelFor(colTiles, (t0, t1) -> {
                int j0 = t0 * nr;
                int j1 = Math.min(n, t1 * nr);
                int bSub = transB ? bOff + j0 * ldb : bOff + j0;
                serial(transA, transB, m, j1 - j0, k, alpha, a, aOff, lda, b, bSub, ldb, null,
                        beta, c, cOff + j0, ldc, kernels);
            });
        }
    }

    private static void serial(boolean transA, boolean transB, int m, int n, int k, float alpha,
                               float[] a, int aOff, int lda, float[] b, int bOff, int ldb, PackedB pre,
                               float beta, float[] c, int cOff, int ldc, GemmKernels kernels) {
        if (k == 0 || alpha == 0f) {
            scale(m, n, beta, c, cOff, ldc);
            return;
        }
        if (m < kernels.mr()) {
            shortRows(transA, transB, m, n, k, alpha, a, aOff, lda, b, bOff, ldb, beta, c, cOff, ldc, kernels);
            return;
        }
        if (n < NARROW_N) {
            narrowColumns(transA, transB, m, n, k, alpha, a, aOff, lda, b, bOff, ldb, beta, c, cOff, ldc, kernels);
            return;
        }
        if (transB && !transA && n < FEW_COLUMNS && k >= FEW_COLUMNS_MIN_DEPTH && kernels.narrowStep() == 0) {
            fewColumnsTransposedB(m, n, k, alpha, a, aOff, lda, b, bOff, ldb, beta, c, cOff, ldc, kernels);
            return;
        }
        if (transposedIsCheaper(m, n, kernels)) {
            transposed(transA, transB, m, n, k, alpha, a, aOff, lda, b, bOff, ldb, beta, c, cOff, ldc, kernels);
            return;
        }
        packed(transA, transB, m, n, k, alpha, a, aOff, lda, b, bOff, ldb, pre, beta, c, cOff, ldc, kernels);
    }

    /**
     * Micro-tiles are much wider (NR) than tall (MR), so a product with few columns and many rows (a
     * layer with 10 outputs over a batch) computes mostly padding. Computing C^T = op(B)^T op(A)^T instead
     * puts the long side along NR. Worth it when it saves a fifth of the padded work, which pays for the
     * final transposition (M*N copies against M*N*K multiply-adds).
     */
    private static boolean transposedIsCheaper(int m, int n, GemmKernels kernels) {
        long direct = (long) roundUp(m, kernels.mr()) * paddedWidth(n, kernels);
        long swapped = (long) roundUp(n, kernels.mr()) * paddedWidth(m, kernels);
        return swapped * 5 < direct * 4;
    }

    /** Columns the micro-tiles compute for n columns: whole NR tiles, the last one narrow when it can be. */
    private static int paddedWidth(int n, GemmKernels kernels) {
        int nr = kernels.nr();
        int step = kernels.narrowStep();
        int rest = n % nr;
        return n - rest + (rest == 0 ? 0 : step > 0 ? roundUp(rest, step) : nr);
    }

    /** C = alpha * T^T + beta * C where T (N,M) = op(B)^T op(A)^T is computed by the packed path. */
    private static void transposed(boolean transA, boolean transB, int m, int n, int k, float alpha,
                                   float[] a, int aOff, int lda, float[] b, int bOff, int ldb,
                                   float beta, float[] c, int cOff, int ldc, GemmKernels kernels) {
        float[] t = WORKSPACE.get().transposed(n * m);
        // op(B)^T is B read with the opposite transpose flag; likewise op(A)^T.
        packed(!transB, !transA, n, m, k, 1f, b, bOff, ldb, a, aOff, lda, null, 0f, t, 0, m, kernels);
        for (int i = 0; i < m; i++) {
            int row = cOff + i * ldc;
            for (int j = 0; j < n; j++) {
                float v = alpha * t[j * m + i];
                c[row + j] = beta == 0f ? v : v + beta * c[row + j];
            }
        }
    }

    private static void packed(boolean transA, boolean transB, int m, int n, int k, float alpha,
                               float[] a, int aOff, int lda, float[] b, int bOff, int ldb, PackedB pre,
                               float beta, float[] c, int cOff, int ldc, GemmKernels kernels) {
        int mr = kernels.mr();
        int nr = kernels.nr();
        int narrow = kernels.narrowStep();
        // A row-major A with alpha 1 is read in place by the micro-tiles: packing would only copy it (the
        // hardware follows the mr row streams as well as one packed stream). Short row slivers are packed.
        boolean directA = !transA && alpha == 1f;
        Workspace ws = WORKSPACE.get();
        float[] scratchB = pre == null ? ws.packedB(KC * roundUp(Math.min(NC, n), nr)) : null;
        float[] packedA = ws.packedA(KC * roundUp(Math.min(MC, m), mr));
        float[] edge = ws.edge(mr * nr);
        // Tiles add alpha*A*B into C (after the first panel when beta == 0), so C first becomes beta*C.
        if (beta != 0f && beta != 1f) {
            scale(m, n, beta, c, cOff, ldc);
        }
        for (int jc = 0; jc < n; jc += NC) {
            int nc = Math.min(NC, n - jc);
            for (int pc = 0; pc < k; pc += KC) {
                int kc = Math.min(KC, k - pc);
                // The first panel overwrites C when beta == 0 (C is then never read); otherwise tiles add.
                boolean accumulate = pc > 0 || beta != 0f;
                float[] packedB = scratchB;
                if (pre == null) {
                    packB(transB, b, bOff, ldb, pc, kc, jc, nc, nr, packedB);
                } else {
                    packedB = pre.panel(jc, pc);
                }
                for (int ic = 0; ic < m; ic += MC) {
                    int mc = Math.min(MC, m - ic);
                    int fullRows = mc / mr * mr;
                    if (!directA) {
                        packA(transA, a, aOff, lda, ic, mc, pc, kc, mr, alpha, packedA);
                    } else if (fullRows < mc) {
                        packA(transA, a, aOff, lda, ic + fullRows, mc - fullRows, pc, kc, mr, alpha, packedA);
                    }
                    for (int jr = 0; jr < nc; jr += nr) {
                        int cols = Math.min(nr, nc - jr);
                        int pbOff = jr * kc;
                        for (int ir = 0; ir < mc; ir += mr) {
                            int rows = Math.min(mr, mc - ir);
                            boolean inPlace = directA && rows == mr;
                            float[] pa = inPlace ? a : packedA;
                            int paOff = inPlace ? aOff + (ic + ir) * lda + pc : directA ? 0 : ir * kc;
                            int rs = inPlace ? lda : 1;
                            int ks = inPlace ? 1 : mr;
                            int cIdx = cOff + (ic + ir) * ldc + jc + jr;
                            if (rows == mr && (cols == nr || narrow > 0 && cols % narrow == 0)) {
                                if (!accumulate) {
                                    // Zeroing just before the tile leaves C's lines in L1 for its epilogue.
                                    for (int r = 0; r < mr; r++) {
                                        Arrays.fill(c, cIdx + r * ldc, cIdx + r * ldc + cols, 0f);
                                    }
                                }
                                if (cols == nr) {
                                    kernels.microTile(kc, pa, paOff, rs, ks, packedB, pbOff, c, cIdx, ldc);
                                } else {
                                    kernels.microTileNarrow(cols, kc, pa, paOff, rs, ks, packedB, pbOff, c, cIdx, ldc);
                                }
                            } else {
                                // A partial tile goes through scratch, as narrow as the kernels allow.
                                int edgeCols = narrow > 0 ? roundUp(cols, narrow) : nr;
                                Arrays.fill(edge, 0, mr * nr, 0f);
                                if (edgeCols >= nr) {
                                    kernels.microTile(kc, pa, paOff, rs, ks, packedB, pbOff, edge, 0, nr);
                                } else {
                                    kernels.microTileNarrow(edgeCols, kc, pa, paOff, rs, ks, packedB, pbOff, edge, 0, nr);
                                }
                                storeEdge(edge, nr, rows, cols, c, cIdx, ldc, accumulate);
                            }
                        }
                    }
                }
            }
        }
    }

    /** Packs op(B)[pc..pc+kc, jc..jc+nc] into slivers of nr columns: dst[s*kc*nr + p*nr + j], zero-padded. */
    private static void packB(boolean transB, float[] b, int bOff, int ldb, int pc, int kc, int jc, int nc,
                              int nr, float[] dst) {
        for (int js = 0; js < nc; js += nr) {
            int cols = Math.min(nr, nc - js);
            int base = js * kc;
            if (!transB) {
                for (int p = 0; p < kc; p++) {
                    int src = bOff + (pc + p) * ldb + jc + js;
                    int d = base + p * nr;
                    System.arraycopy(b, src, dst, d, cols);
                    for (int j = cols; j < nr; j++) {
                        dst[d + j] = 0f;
                    }
                }
            } else {
                for (int j = 0; j < cols; j++) {
                    int src = bOff + (jc + js + j) * ldb + pc;
                    for (int p = 0; p < kc; p++) {
                        dst[base + p * nr + j] = b[src + p];
                    }
                }
                for (int j = cols; j < nr; j++) {
                    for (int p = 0; p < kc; p++) {
                        dst[base + p * nr + j] = 0f;
                    }
                }
            }
        }
    }

    /**
     * Packs alpha * op(A)[ic..ic+mc, pc..pc+kc] into slivers of mr rows: dst[s*kc*mr + p*mr + r],
     * zero-padded. Folding alpha in here costs nothing per multiply-add.
     */
    private static void packA(boolean transA, float[] a, int aOff, int lda, int ic, int mc, int pc, int kc,
                              int mr, float alpha, float[] dst) {
        for (int is = 0; is < mc; is += mr) {
            int rows = Math.min(mr, mc - is);
            int base = is * kc;
            if (transA) {
                for (int p = 0; p < kc; p++) {
                    int src = aOff + (pc + p) * lda + ic + is;
                    int d = base + p * mr;
                    if (alpha == 1f) {
                        System.arraycopy(a, src, dst, d, rows);
                    } else {
                        for (int r = 0; r < rows; r++) {
                            dst[d + r] = alpha * a[src + r];
                        }
                    }
                    for (int r = rows; r < mr; r++) {
                        dst[d + r] = 0f;
                    }
                }
            } else {
                for (int r = 0; r < rows; r++) {
                    int src = aOff + (ic + is + r) * lda + pc;
                    for (int p = 0; p < kc; p++) {
                        dst[base + p * mr + r] = alpha * a[src + p];
                    }
                }
                for (int r = rows; r < mr; r++) {
                    for (int p = 0; p < kc; p++) {
                        dst[base + p * mr + r] = 0f;
                    }
                }
            }
        }
    }

    private static void storeEdge(float[] edge, int nr, int rows, int cols, float[] c, int cIdx, int ldc,
                                  boolean accumulate) {
        for (int r = 0; r < rows; r++) {
            int ci = cIdx + r * ldc;
            int ei = r * nr;
            for (int j = 0; j < cols; j++) {
                c[ci + j] = accumulate ? c[ci + j] + edge[ei + j] : edge[ei + j];
            }
        }
    }

    /**
     * A few output columns of deep rows with B stored (N,K), e.g. a classifier head: every row of C is
     * N dot products of a contiguous row of A with contiguous rows of B (which stay in L1), four at a
     * time; no packing, no padding to a micro-tile and no final transposition.
     */
    private static void fewColumnsTransposedB(int m, int n, int k, float alpha, float[] a, int aOff, int lda,
                                              float[] b, int bOff, int ldb, float beta, float[] c, int cOff,
                                              int ldc, GemmKernels kernels) {
        float[] acc = WORKSPACE.get().edge(n);
        for (int i = 0; i < m; i++) {
            kernels.rowTimesTransposed(n, k, a, aOff + i * lda, b, bOff, ldb, acc, 0);
            combine(acc, n, c, cOff + i * ldc, 1, alpha, beta);
        }
    }

    /** Fewer rows than a micro-tile (GEMV-like): each row of C is a sum of scaled rows of op(B), or of dots. */
    private static void shortRows(boolean transA, boolean transB, int m, int n, int k, float alpha,
                                  float[] a, int aOff, int lda, float[] b, int bOff, int ldb,
                                  float beta, float[] c, int cOff, int ldc, GemmKernels kernels) {
        Workspace ws = WORKSPACE.get();
        float[] aRow = ws.packedA(k);
        float[] acc = ws.edge(n);
        for (int i = 0; i < m; i++) {
            for (int p = 0; p < k; p++) {
                aRow[p] = transA ? a[aOff + p * lda + i] : a[aOff + i * lda + p];
            }
            if (transB) {
                kernels.rowTimesTransposed(n, k, aRow, 0, b, bOff, ldb, acc, 0);
            } else {
                kernels.rowTimesMatrix(n, k, aRow, 0, b, bOff, ldb, acc, 0);
            }
            combine(acc, n, c, cOff + i * ldc, 1, alpha, beta);
        }
    }

    /** Fewer columns than NARROW_N (matrix times a few vectors): each column of C from dots or axpys. */
    private static void narrowColumns(boolean transA, boolean transB, int m, int n, int k, float alpha,
                                      float[] a, int aOff, int lda, float[] b, int bOff, int ldb,
                                      float beta, float[] c, int cOff, int ldc, GemmKernels kernels) {
        Workspace ws = WORKSPACE.get();
        float[] bCol = ws.packedB(k);
        float[] acc = ws.edge(m);
        for (int j = 0; j < n; j++) {
            for (int p = 0; p < k; p++) {
                bCol[p] = transB ? b[bOff + j * ldb + p] : b[bOff + p * ldb + j];
            }
            if (transA) {
                // Column p of op(A) is row p of the stored A: contiguous.
                Arrays.fill(acc, 0, m, 0f);
                for (int p = 0; p < k; p++) {
                    kernels.axpy(m, bCol[p], a, aOff + p * lda, acc, 0);
                }
            } else {
                for (int i = 0; i < m; i++) {
                    acc[i] = kernels.dot(k, a, aOff + i * lda, bCol, 0);
                }
            }
            combine(acc, m, c, cOff + j, ldc, alpha, beta);
        }
    }

    /** c[cOff + i*stride] = alpha * acc[i] + beta * c[...], not reading C when beta == 0. */
    private static void combine(float[] acc, int len, float[] c, int cOff, int stride, float alpha, float beta) {
        for (int i = 0; i < len; i++) {
            int ci = cOff + i * stride;
            c[ci] = beta == 0f ? alpha * acc[i] : alpha * acc[i] + beta * c[ci];
        }
    }

    private static void scale(int m, int n, float beta, float[] c, int cOff, int ldc) {
        for (int i = 0; i < m; i++) {
            int row = cOff + i * ldc;
            for (int j = 0; j < n; j++) {
                c[row + j] = beta == 0f ? 0f : beta * c[row + j];
            }
        }
    }

    private static int roundUp(int v, int multiple) {
        return (v + multiple - 1) / multiple * multiple;
    }

    private static void checkArgs(boolean transA, boolean transB, int m, int n, int k,
                                  float[] a, int aOff, int lda, float[] b, int bOff, int ldb,
                                  float[] c, int cOff, int ldc) {
        if (m < 0 || n < 0 || k < 0) {
            throw new IllegalArgumentException("gemm: negative size m=" + m + " n=" + n + " k=" + k);
        }
        if (m == 0 || n == 0) {
            return;
        }
        checkMatrix("A", a, aOff, lda, transA ? k : m, transA ? m : k);
        checkMatrix("B", b, bOff, ldb, transB ? n : k, transB ? k : n);
        checkMatrix("C", c, cOff, ldc, m, n);
    }

    private static void checkMatrix(String name, float[] x, int off, int ld, int rows, int cols) {
        if (rows == 0 || cols == 0) {
            return;
        }
        if (x == null) {
            throw new IllegalArgumentException("gemm: matrix " + name + " is null");
        }
        if (ld < cols) {
            throw new IllegalArgumentException("gemm: leading dimension of " + name + " is " + ld
                    + " but its stored rows have " + cols + " columns");
        }
        long last = off + (long) (rows - 1) * ld + cols;
        if (off < 0 || last > x.length) {
            throw new IllegalArgumentException("gemm: matrix " + name + " (" + rows + "x" + cols + ", offset "
                    + off + ", leading dimension " + ld + ") needs " + last + " elements but the array has "
                    + x.length);
        }
    }

    /** Per-thread scratch buffers, grown on demand and reused across calls. */
    private static final class Workspace {
        private float[] a = new float[0];
        private float[] b = new float[0];
        private float[] e = new float[0];
        private float[] t = new float[0];

        float[] transposed(int size) {
            if (t.length < size) {
                t = new float[size];
            }
            return t;
        }

        float[] packedA(int size) {
            if (a.length < size) {
                a = new float[size];
            }
            return a;
        }

        float[] packedB(int size) {
            if (b.length < size) {
                b = new float[size];
            }
            return b;
        }

        float[] edge(int size) {
            if (e.length < size) {
                e = new float[size];
            }
            return e;
        }
    }
}
