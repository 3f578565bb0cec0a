package dev.quantize.core.kernel.lowp;

import dev.quantize.core.format.FormatRegistry;
import dev.quantize.core.format.IntFormat;
import dev.quantize.core.format.NumericFormat;
import dev.quantize.core.format.PackedTensor;
import dev.quantize.core.kernel.Parallelism;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.List;

/**
 * INT8 x INT8 GEMM with integer accumulation and requantization fused into the output, in the manner of
 * FBGEMM: y = relu?(act_scale * w_scale[n] * (acc - act_zp * colsum[n]) + bias[n]).
 *
 * <p>Shapes: x is (M,K) row-major float activations; the weight is (N,K) (transB, PyTorch's Linear) or
 * (K,N), int8 codes with a symmetric scale per output column n (int8_per_channel; int8_per_tensor is the
 * one-scale case); bias is (N) or absent; y is (M,N) row-major float.
 *
 * <p>Method: {@link #prepack} lays the codes out once as byte slivers of NR columns over all K and sums
 * every column (colsum). {@link #run} quantizes x with the static activation scale and zero point exactly
 * as {@code IntFormat.quantize} (rint(x / s) + z, clamped; so exactly as the emulation's activation fake
 * quantizer), multiplies codes, and requantizes each MR x NR tile as it leaves the micro-kernel.
 *
 * <p>What is exact: the integer accumulator acc = sum_k xq[m,k] * wq[k,n] and the corrected sum
 * acc - zp * colsum[n]. Java 17's Vector API has no int8/int16 dot product, so the products are summed
 * on the FMA units as floats in blocks of at most {@link #KC}, where every partial sum is an integer below
 * 2^24 and therefore exact; deeper products add the blocks as int32. Rounding happens only in the
 * epilogue, in this order: acc - zp * colsum to float (one rounding, exact below 2^24), the product with
 * the float scale act_scale * w_scale[n] (itself rounded once), the bias addition (an absent bias adds
 * +0), then ReLU (max with 0). So the vector and scalar paths and {@link #reference} (int loops) agree bit
 * for bit. Against the float emulation (fake-quantized x times dequantized w through the FP32 GEMM),
 * which rounds every dequantized value, product and partial sum, the difference is bounded by
 * (K + 10) * 2^-24 * (sum_k |x'[m,k] * w'[k,n]| + |bias[n]|), x' and w' being the dequantized values
 * (Int8GemmTest derives and checks the bound; on random data the worst case seen is about 0.3 of it).
 *
 * <p>With a {@link Prologue} the rows of x first go through row-wise float steps (LayerNorm, GELU) and
 * are quantized (or turned into GELU codes) per block of {@code MC} rows, straight into the panel the
 * micro-kernels read: the chain in front of an INT8 layer without FP32 intermediate tensors.
 *
 * <p>Limits: weights must be symmetric (no weight zero point); K at most {@link #MAX_K}; the micro-tile is 3
 * vectors wide (48 columns with AVX-512), so layers with a few outputs (a 10-class head) compute mostly
 * padding and run slower than the FP32 GEMM, which transposes such products.
 */
public final class Int8Gemm {
    /**
     * Products per exact float block: code products are at most 128 * 128 = 2^14 in magnitude, so partial
     * sums of 1024 of them stay within 2^24, below which every integer is a float.
     */
    static final int KC = 1024;
    /** Rows quantized and packed at once (a multiple of every MR). */
    private static final int MC = 64;
    /** Bytes of weight slivers swept per row block: they stay in L2 while the row tiles pass over them. */
    private static final int COLUMN_BLOCK_BYTES = 256 * 1024;
    /** Below this many multiply-adds a product stays on the calling thread. */
    private static final long PARALLEL_MIN_WORK = 1L << 20;
    /** acc - zp * colsum stays within int32 for K up to this (128 * 128 * 2 * K < 2^31). */
    static final int MAX_K = 1 << 16;

    private static final ThreadLocal<Workspace> WORKSPACE = ThreadLocal.withInitial(Workspace::new);

    private Int8Gemm() {
    }

    /** Which inner loops run: "scalar" or "vector-&lt;bits&gt;bit". */
    public static String implementation() {
        return Int8KernelsProvider.chosen().name();
    }

    /**
     * The static activation quantization: codes in [qmin, qmax] = clamp(rint(x / scale) + zeroPoint), as
     * int8_per_tensor (symmetric, [-127, 127]) or int8_per_tensor_affine ([-128, 127]) quantize.
     */
    public record Activation(float scale, int zeroPoint, int qmin, int qmax) {
        public Activation {
            if (qmin < -128 || qmax > 127 || qmin > qmax || zeroPoint < qmin || zeroPoint > qmax) {
                throw new IllegalArgumentException("int8 activation: zero point " + zeroPoint + " and range ["
                        + qmin + ", " + qmax + "] must lie in [-128, 127]");
            }
            if (!(scale > 0f) || !Float.isFinite(scale)) {
                throw new IllegalArgumentException("int8 activation: scale must be positive and finite, got " + scale);
            }
        }

        /** The activation quantizer of an 8-bit per-tensor integer format with these parameters. */
        public static Activation of(IntFormat format, IntFormat.Params params) {
            if (format.bits() != 8 || format.granularity() != IntFormat.Granularity.PER_TENSOR) {
                throw new IllegalArgumentException("int8 activation: format " + format.name()
                        + " is not an 8-bit per-tensor integer format");
            }
            return new Activation(params.scale(), params.zeroPoint(), format.symmetric() ? -127 : -128, 127);
        }
    }

    /**
     * Row-wise float operations run on each row of x before it is quantized, while the rows are in
     * cache: what a graph computes between the previous layer and this INT8 layer (a LayerNorm and an
     * Erf-form GELU, in either order). Each step is the executor's own row kernel, so the rows are bit
     * for bit what the executor would hand to the layer. When {@code codes} is not null the last step
     * is a GELU whose output goes straight to int8 codes through {@link GeluCodes} (the same codes as
     * quantizing the GELU's float output, without a full-precision erf per element); else the rows are
     * quantized as usual. No FP32 tensor of the intermediate values exists and there is no separate
     * quantization pass.
     */
    public record Prologue(List<Step> steps, GeluCodes codes) {
        public Prologue {
            steps = List.copyOf(steps);
            if (steps.isEmpty() && codes == null) {
                throw new IllegalArgumentException("int8 GEMM prologue: no steps");
            }
        }

        /**
         * Rows [0, rows) of x (k apart from xOff) quantized into out (k apart from outOff); a and b are
         * scratch of rows * k. Each step runs over the whole block of rows.
         */
        void codes(float[] x, int xOff, int rows, int k, Activation act, Int8Kernels kernels, float[] a, float[] b,
                   float[] out, int outOff) {
            float[] src = x;
            int off = xOff;
            for (Step s : steps) {
                float[] dst = src == a ? b : a;
                s.apply(src, off, rows, k, dst);
                src = dst;
                off = 0;
            }
            if (codes != null) {
                codes.codes(src, off, rows * k, out, outOff);
            } else {
                kernels.quantize(rows * k, src, off, act.scale(), act.zeroPoint(), act.qmin(), act.qmax(), out, outOff);
            }
        }
    }

    /** One row-wise step of a {@link Prologue}. */
    public sealed interface Step permits LayerNormStep, OnnxLayerNormStep, GeluStep {
        /** y[0, rows * k) = the step applied to rows x[off + r * k, off + r * k + k). */
        void apply(float[] x, int off, int rows, int k, float[] y);
    }

    /** The decomposed LayerNorm as the executor fuses it ({@link dev.quantize.core.kernel.LayerNorm#row}). */
    public record LayerNormStep(float[] gamma, float[] beta, float epsilon) implements Step {
        @Override
        public void apply(float[] x, int off, int rows, int k, float[] y) {
            for (int r = 0; r < rows; r++) {
                dev.quantize.core.kernel.LayerNorm.row(x, off + r * k, k, epsilon, gamma, beta, y, r * k);
            }
        }
    }

    /**
     * The ONNX LayerNormalization op over the last axis as the executor runs it
     * ({@link dev.quantize.core.kernel.LayerNorm#onnxRows}); beta may be null.
     */
    public record OnnxLayerNormStep(float[] gamma, float[] beta, float epsilon) implements Step {
        @Override
        public void apply(float[] x, int off, int rows, int k, float[] y) {
            dev.quantize.core.kernel.LayerNorm.onnxRows(x, off, rows, k, epsilon, gamma, beta, y, 0);
        }
    }

    /**
     * (x * (erf(x / divisor) + 1)) * 0.5: exactly as the executor's fused GELU computes it (divide, erf,
     * multiply), or, when {@code cheap}, {@link GeluCodes#cheapGelu} (within {@link GeluCodes#MAX_ERROR}
     * of it, without an erf; for a GELU whose output is only normalised and quantized).
     */
    public record GeluStep(float divisor, boolean cheap) implements Step {
        @Override
        public void apply(float[] x, int off, int rows, int k, float[] y) {
            int len = rows * k;
            if (cheap) {
                GeluCodes.cheapGelu(x, off, len, 1f / divisor, y, 0);
                return;
            }
            dev.quantize.core.kernel.FloatLoops.divide(x, off, divisor, y, 0, len);
            dev.quantize.core.kernel.Erf.erf(y, 0, y, 0, len);
            dev.quantize.core.kernel.FloatLoops.timesShifted(x, off, y, 0, len, 1f, 0.5f);
        }
    }

    /** Weights prepacked by {@link #prepack}: immutable, shared by any number of threads. */
    public static final class Weights {
        private final int k;
        private final int n;
        private final int nr;
        private final byte[] panels; // sliver s at s*k*nr: p*nr + j holds column s*nr + j of row p, zero-padded
        private final int[] colsum;  // padded to whole slivers
        private final float[] scales;

        private Weights(int k, int n, int nr, byte[] panels, int[] colsum, float[] scales) {
            this.k = k;
            this.n = n;
            this.nr = nr;
            this.panels = panels;
            this.colsum = colsum;
            this.scales = scales;
        }

        /** Depth K. */
        public int k() {
            return k;
        }

        /** Output columns N. */
        public int n() {
            return n;
        }

        /** Bytes held (codes, column sums and scales): about a quarter of the FP32 weight. */
        public long bytes() {
            return panels.length + 4L * colsum.length + 4L * scales.length;
        }

        /** The code of weight element (p, j) of the (K,N) view. */
        int code(int p, int j) {
            return panels[j / nr * k * nr + p * nr + j % nr];
        }

        float scale(int j) {
            return scales[j];
        }
    }

    /**
     * Prepacks a weight packed as the artifact stores it: format int8_per_channel (the scale axis must be
     * the output axis: 0 for a (N,K) weight with transB, 1 for (K,N)) or int8_per_tensor, tensor scale 1.
     */
    public static Weights prepack(PackedTensor w, boolean transB) {
        NumericFormat f = FormatRegistry.parse(w.format());
        int[] shape = w.shape();
        if (!(f instanceof IntFormat fi) || fi.bits() != 8 || !fi.symmetric()
                || fi.granularity() == IntFormat.Granularity.PER_GROUP) {
            throw new IllegalArgumentException("int8 GEMM: weight format " + w.format()
                    + " is not int8_per_channel or int8_per_tensor (symmetric 8-bit codes)");
        }
        if (shape.length != 2) {
            throw new IllegalArgumentException("int8 GEMM: weight must be 2-D, got shape " + java.util.Arrays.toString(shape));
        }
        int n = transB ? shape[0] : shape[1];
        int k = transB ? shape[1] : shape[0];
        boolean perChannel = fi.granularity() == IntFormat.Granularity.PER_CHANNEL;
        if (perChannel && Math.floorMod(w.axis(), 2) != (transB ? 0 : 1)) {
            throw new IllegalArgumentException("int8 GEMM: per-channel scales run along axis " + w.axis()
                    + " but the output channels of this " + (transB ? "(N,K)" : "(K,N)") + " weight are axis "
                    + (transB ? 0 : 1));
        }
        int count = perChannel ? n : 1;
        byte[] bytes = w.bytes();
        long expected = 4L * count + (long) n * k;
        if (bytes.length != expected) {
            throw new IllegalArgumentException("int8 GEMM: packed weight has " + bytes.length + " bytes, "
                    + w.format() + " of shape " + java.util.Arrays.toString(shape) + " needs " + expected);
        }
        ByteBuffer bb = ByteBuffer.wrap(bytes).order(ByteOrder.LITTLE_ENDIAN);
        float[] scales = new float[count];
        for (int i = 0; i < count; i++) {
            scales[i] = bb.getFloat();
        }
        byte[] codes = java.util.Arrays.copyOfRange(bytes, 4 * count, bytes.length);
        return prepack(codes, scales, k, n, transB);
    }

    /**
     * Prepacks int8 codes stored (N,K) when transB, else (K,N), row-major, with one scale per output column
     * (scales.length == n) or one for all (length 1). The weight value is code * scale.
     */
    public static Weights prepack(byte[] codes, float[] scales, int k, int n, boolean transB) {
        return prepack(codes, scales, k, n, transB, Int8KernelsProvider.chosen());
    }

    static Weights prepack(byte[] codes, float[] scales, int k, int n, boolean transB, Int8Kernels kernels) {
        if (k < 1 || n < 1 || k > MAX_K) {
            throw new IllegalArgumentException("int8 GEMM: sizes must be K in [1, " + MAX_K + "] and N >= 1, got K="
                    + k + " N=" + n);
        }
        if (codes.length != (long) k * n) {
            throw new IllegalArgumentException("int8 GEMM: " + codes.length + " codes for a weight of " + k + "x" + n);
        }
        if (scales.length != n && scales.length != 1) {
            throw new IllegalArgumentException("int8 GEMM: " + scales.length + " scales for " + n + " output columns");
        }
        int nr = kernels.nrFor(n);
        int slivers = (n + nr - 1) / nr;
        byte[] panels = new byte[slivers * k * nr];
        int[] colsum = new int[slivers * nr];
        float[] s = new float[n];
        for (int j = 0; j < n; j++) {
            s[j] = scales.length == 1 ? scales[0] : scales[j];
            if (!(s[j] > 0f) || !Float.isFinite(s[j])) {
                throw new IllegalArgumentException("int8 GEMM: scale of column " + j + " is " + s[j]);
            }
            int base = j / nr * k * nr + j % nr;
            int sum = 0;
            for (int p = 0; p < k; p++) {
                byte c = transB ? codes[j * k + p] : codes[p * n + j];
                panels[base + p * nr] = c;
                sum += c;
            }
            colsum[j] = sum;
        }
        return new Weights(k, n, nr, panels, colsum, s);
    }

    /** y (M,N) = requantized x (M,K) times the prepacked weight; see the class comment. */
    public static void run(Weights w, float[] x, int m, Activation act, float[] bias, boolean relu, float[] y,
                           Parallelism par) {
        run(w, x, m, act, bias, relu, y, par, Int8KernelsProvider.chosen());
    }

    /**
     * y (M,N) = x (M,K) through the prologue's row steps, quantized with {@code act} (or turned into
     * codes by its GELU codes, which must be for {@code act}), times the prepacked weight, requantized
     * as {@link #run(Weights, float[], int, Activation, float[], boolean, float[], Parallelism)}.
     */
    public static void run(Weights w, float[] x, int m, Activation act, Prologue pre, float[] bias, boolean relu,
                           float[] y, Parallelism par) {
        run(w, x, m, act, pre, bias, relu, y, par, Int8KernelsProvider.chosen());
    }

    /** The codes the prologue gives rows [0, m) of x (M,K), as floats: what the GEMM multiplies. */
    public static void codes(Prologue pre, Activation act, float[] x, int m, int k, float[] out) {
        pre.codes(x, 0, m, k, act, Int8KernelsProvider.chosen(), new float[m * k], new float[m * k], out, 0);
    }

    static void run(Weights w, float[] x, int m, Activation act, float[] bias, boolean relu, float[] y,
                    Parallelism par, Int8Kernels kernels) {
        run(w, x, m, act, null, bias, relu, y, par, kernels);
    }

    static void run(Weights w, float[] x, int m, Activation act, Prologue pre, float[] bias, boolean relu, float[] y,
                    Parallelism par, Int8Kernels kernels) {
        if (pre != null && pre.codes() != null && !pre.codes().activation().equals(act)) {
            throw new IllegalArgumentException("int8 GEMM prologue: GELU codes for " + pre.codes().activation()
                    + ", the layer quantizes with " + act);
        }
        int k = w.k;
        int n = w.n;
        check(w, x, m, bias, y, kernels);
        if (m == 0) {
            return;
        }
        int nPad = w.colsum.length;
        // Per call: the combined scale, the zero-point correction and the bias, padded to whole slivers.
        float[] cs = new float[nPad];
        int[] zc = new int[nPad];
        float[] zcf = new float[nPad]; // exact when K <= KC, the only case that reads it
        float[] b = new float[nPad]; // an absent bias adds zeros
        for (int j = 0; j < n; j++) {
            cs[j] = act.scale() * w.scales[j];
            zc[j] = act.zeroPoint() * w.colsum[j];
            zcf[j] = zc[j];
            b[j] = bias == null ? 0f : bias[j];
        }
        float floor = floor(relu);
        int mr = kernels.mr();
        int rowTiles = (m + mr - 1) / mr;
        Parallelism p = (long) m * n * k < PARALLEL_MIN_WORK ? Parallelism.single() : par;
        p.parallelFor(rowTiles, (t0, t1) -> rows(w, x, t0 * mr, Math.min(m, t1 * mr), act, pre, cs, zc, zcf, b, floor, y, kernels));
    }

    /** Rows [i0, i1) of y. */
    private static void rows(Weights w, float[] x, int i0, int i1, Activation act, Prologue pre, float[] cs, int[] zc,
                             float[] zcf, float[] b, float floor, float[] y, Int8Kernels kernels) {
        int k = w.k;
        int n = w.n;
        int mr = kernels.mr();
        int nr = w.nr;
        int slivers = (n + nr - 1) / nr;
        int sliversPerBlock = Math.max(1, COLUMN_BLOCK_BYTES / (k * nr));
        Workspace ws = WORKSPACE.get();
        float[] pa = ws.packedA(MC * k);
        float[] tile = ws.tile(mr * nr);
        int[] acc = ws.acc(mr * nr);
        float[] zeros = k > KC ? new float[zcf.length] : null;
        float[] out = ws.out(mr * nr);
        for (int ic = i0; ic < i1; ic += MC) {
            int mc = Math.min(MC, i1 - ic);
            if (pre == null) {
                packA(x, ic, mc, k, act, mr, kernels, pa);
            } else {
                pre.codes(x, ic * k, mc, k, act, kernels, ws.row(MC * k), ws.row2(MC * k), pa, 0);
                java.util.Arrays.fill(pa, mc * k, (mc + mr - 1) / mr * mr * k, 0f);
            }
            for (int s0 = 0; s0 < slivers; s0 += sliversPerBlock) {
                int s1 = Math.min(slivers, s0 + sliversPerBlock);
                for (int ir = 0; ir < mc; ir += mr) {
                    int rows = Math.min(mr, mc - ir);
                    int paBase = ir * k; // rows ir.. of the block, k apart
                    for (int s = s0; s < s1; s++) {
                        int pbBase = s * k * nr;
                        if (k <= KC) {
                            kernels.microTile(rows, nr, k, pa, paBase, k, w.panels, pbBase, tile);
                            kernels.epilogue(nr, rows, tile, zcf, cs, b, s * nr, floor, out);
                        } else {
                            deep(kernels, nr, k, pa, paBase, w.panels, pbBase, tile, acc, zc, s * nr);
                            kernels.epilogue(nr, rows, tile, zeros, cs, b, s * nr, floor, out);
                        }
                        int cols = Math.min(nr, n - s * nr);
                        for (int r = 0; r < rows; r++) {
                            System.arraycopy(out, r * nr, y, (ic + ir + r) * n + s * nr, cols);
                        }
                    }
                }
            }
        }
    }

    /**
     * A tile deeper than one exact float block: the blocks' exact sums are added as int32, the zero-point
     * correction subtracted in int32, and the difference rounded to float once into tile.
     */
    private static void deep(Int8Kernels kernels, int nr, int k, float[] pa, int paBase, byte[] pb, int pbBase,
                             float[] tile, int[] acc, int[] zc, int zcOff) {
        int mr = kernels.mr();
        for (int pc = 0; pc < k; pc += KC) {
            kernels.microTile(mr, nr, Math.min(KC, k - pc), pa, paBase + pc, k, pb, pbBase + pc * nr, tile);
            for (int i = 0; i < mr * nr; i++) {
                acc[i] = (pc == 0 ? 0 : acc[i]) + (int) tile[i];
            }
        }
        for (int i = 0; i < mr * nr; i++) {
            tile[i] = (float) (acc[i] - zc[zcOff + i % nr]);
        }
    }

    /** Quantizes rows [ic, ic+mc) of x into pa row by row (k apart), and zeroes the padding rows of the last tile. */
    private static void packA(float[] x, int ic, int mc, int k, Activation act, int mr, Int8Kernels kernels, float[] pa) {
        // pa's rows are k apart like x's, so the block is one contiguous run: one call, one short tail.
        kernels.quantize(mc * k, x, ic * k, act.scale(), act.zeroPoint(), act.qmin(), act.qmax(), pa, 0);
        int padded = (mc + mr - 1) / mr * mr;
        java.util.Arrays.fill(pa, mc * k, padded * k, 0f);
    }

    /**
     * The oracle: plain loops over int codes with an int accumulator and the same epilogue. The vector and
     * scalar kernels must match it bit for bit.
     */
    public static void reference(Weights w, float[] x, int m, Activation act, float[] bias, boolean relu, float[] y) {
        referenceRows(w, x, m, act, null, bias, relu, y);
    }

    /**
     * The oracle with a prologue: its row steps, then each code by the float chain
     * ({@link GeluCodes#exact}, when the prologue ends in GELU codes) or {@link #quantize}, then the
     * integer loops.
     */
    public static void reference(Weights w, float[] x, int m, Activation act, Prologue pre, float[] bias, boolean relu,
                                 float[] y) {
        referenceRows(w, x, m, act, pre, bias, relu, y);
    }

    private static void referenceRows(Weights w, float[] x, int m, Activation act, Prologue pre, float[] bias,
                                      boolean relu, float[] y) {
        int k = w.k;
        int n = w.n;
        int[] q = new int[k];
        for (int i = 0; i < m; i++) {
            float[] row = java.util.Arrays.copyOfRange(x, i * k, i * k + k);
            if (pre != null) {
                for (Step s : pre.steps()) {
                    float[] next = new float[k];
                    s.apply(row, 0, 1, k, next);
                    row = next;
                }
            }
            for (int p = 0; p < k; p++) {
                q[p] = (int) (pre != null && pre.codes() != null ? pre.codes().exact(row[p])
                        : quantize(row[p], act.scale(), act.zeroPoint(), act.qmin(), act.qmax()));
            }
            for (int j = 0; j < n; j++) {
                int acc = 0;
                int colsum = 0;
                for (int p = 0; p < k; p++) {
                    int c = w.code(p, j);
                    acc += q[p] * c;
                    colsum += c;
                }
                y[i * n + j] = requantize(acc, act.zeroPoint() * colsum, act.scale() * w.scales[j],
                        bias == null ? 0f : bias[j], floor(relu));
            }
        }
    }

    /** IntFormat.quantize with the range spelled out: clamp(rint(x / scale) + zp), NaN to zp. */
    static float quantize(float x, float scale, int zp, int qmin, int qmax) {
        if (Float.isNaN(x)) {
            return zp;
        }
        double q = Math.rint(x / scale) + zp;
        return (int) Math.max(qmin, Math.min(qmax, q));
    }

    /** The epilogue of one output: max(float(acc - zc) * cs + bias, floor), each operation rounded on its own. */
    static float requantize(int acc, int zc, float cs, float bias, float floor) {
        return Math.max((float) (acc - zc) * cs + bias, floor);
    }

    /** ReLU as a lower bound: 0, or -Infinity, which Math.max leaves every value (NaN too) unchanged by. */
    private static float floor(boolean relu) {
        return relu ? 0f : Float.NEGATIVE_INFINITY;
    }

    private static void check(Weights w, float[] x, int m, float[] bias, float[] y, Int8Kernels kernels) {
        if (w.nr != kernels.nrFor(w.n)) {
            throw new IllegalArgumentException("int8 GEMM: weights were prepacked for other kernels");
        }
        if (m < 0) {
            throw new IllegalArgumentException("int8 GEMM: negative row count " + m);
        }
        if (x.length < (long) m * w.k) {
            throw new IllegalArgumentException("int8 GEMM: x has " + x.length + " values, (" + m + "," + w.k + ") needs "
                    + (long) m * w.k);
        }
        if (y.length < (long) m * w.n) {
            throw new IllegalArgumentException("int8 GEMM: y has " + y.length + " values, (" + m + "," + w.n + ") needs "
                    + (long) m * w.n);
        }
        if (bias != null && bias.length != w.n) {
            throw new IllegalArgumentException("int8 GEMM: bias has " + bias.length + " values, expected " + w.n);
        }
    }

    /** Per-thread scratch buffers, grown on demand. */
    private static final class Workspace {
        private float[] a = new float[0];
        private float[] tile = new float[0];
        private int[] acc = new int[0];
        private float[] out = new float[0];
        private float[] row = new float[0];

        private float[] row2 = new float[0];

        float[] row(int size) {
            if (row.length < size) {
                row = new float[size];
            }
            return row;
        }

        float[] row2(int size) {
            if (row2.length < size) {
                row2 = new float[size];
            }
            return row2;
        }

        float[] packedA(int size) {
            if (a.length < size) {
                a = new float[size];
            }
            return a;
        }

        float[] tile(int size) {
            if (tile.length < size) {
                tile = new float[size];
            }
            return tile;
        }

        int[] acc(int size) {
            if (acc.length < size) {
                acc = new int[size];
            }
            return acc;
        }

        float[] out(int size) {
            if (out.length < size) {
                out = new float[size];
            }
            return out;
        }
    }
}
