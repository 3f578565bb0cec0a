package dev.quantize.core.kernel.lowp;

import dev.quantize.core.format.FormatRegistry;
import dev.quantize.core.format.NumericFormat;
import dev.quantize.core.format.PackedTensor;
import dev.quantize.core.kernel.Gemm;
import dev.quantize.core.kernel.Parallelism;
import java.util.Arrays;

/**
 * GEMM with a weight-only quantized weight, decoded a panel at a time: y = x * W + bias, where W is the
 * weight the artifact stands for, decode(bytes) * scale.
 *
 * <p>Shapes: x is (M,K) row-major; the packed weight is (N,K) when transB (PyTorch's Linear) or (K,N);
 * bias is (N) or absent; y is (M,N) row-major.
 *
 * <p>Method: the output columns are cut into panels of a multiple of 64 columns sized so that a decoded
 * panel (K x panel floats) fits in L2; the last panel takes the remainder, so no panel is narrower than
 * 64 columns unless N is. Each panel of W is decoded by the format's own codec
 * ({@link NumericFormat#decodeRegion}, bit-identical to its full decode) into a small per-thread buffer and
 * handed to the FP32 {@link Gemm}, which packs and multiplies it; the full FP32 copy of W never exists.
 *
 * <p>Exact: y equals, bit for bit, what the executor's Gemm op computes on the fully decoded weight (the
 * bias copied into y, then {@link Gemm} with beta 1; without bias, beta 0). This holds because Gemm computes
 * every output element with the same sequence of roundings whichever columns share its call (its
 * micro-tile lanes are independent, its tails start at multiples of the vector width and panels are at
 * least 64 columns wide so they never take the narrow-matrix paths), as DecodingGemmTest checks for every
 * weight-only format. One exception is stated rather than hidden: with K above Gemm's depth block (1024)
 * and a bias, Gemm's transposed path adds the bias after the depth blocks and its direct path before, so
 * a panel whose path differs from the whole product's could differ in the last bit.
 */
public final class DecodingGemm {
    /** Panels are a multiple of this many columns. */
    static final int PANEL_QUANTUM = 64;
    /** Floats of one decoded panel (256 KB). */
    private static final int PANEL_FLOATS = 64 * 1024;
    /** Below this many rows the panels are spread over threads (decoding dominates); above, Gemm's rows are. */
    private static final int FEW_ROWS = 64;

    private static final ThreadLocal<float[][]> BUFFER = ThreadLocal.withInitial(() -> new float[1][0]);

    private DecodingGemm() {
    }

    /** A packed weight ready for {@link #run}: its format parsed once, its shape read in GEMM terms. */
    public static final class Weights {
        private final NumericFormat format;
        private final PackedTensor packed;
        private final float scale;
        private final boolean transB;
        private final int k;
        private final int n;

        private Weights(NumericFormat format, PackedTensor packed, float scale, boolean transB, int k, int n) {
            this.format = format;
            this.packed = packed;
            this.scale = scale;
            this.transB = transB;
            this.k = k;
            this.n = n;
        }

        public int k() {
            return k;
        }

        public int n() {
            return n;
        }

        public NumericFormat format() {
            return format;
        }

        /** Bytes held: the packed weight itself. */
        public long bytes() {
            return packed.bytes().length;
        }

        /** Columns of each panel but the last, which takes the remainder too. */
        int panelWidth() {
            return Math.max(PANEL_QUANTUM, PANEL_FLOATS / k / PANEL_QUANTUM * PANEL_QUANTUM);
        }
    }

    /**
     * Wraps a 2-D packed weight (any format with a codec; the weight-only ones are int4_per_group, mxint8,
     * mxfp8/6/4, mx9/6/4, fp16, bf16) and the artifact's tensor scale: decoded values are decode(bytes) * scale.
     */
    public static Weights prepare(PackedTensor w, float scale, boolean transB) {
        NumericFormat f = FormatRegistry.parse(w.format());
        int[] shape = w.shape();
        if (shape.length != 2 || shape[0] < 1 || shape[1] < 1) {
            throw new IllegalArgumentException("decoding GEMM: weight must be a non-empty 2-D tensor, got shape "
                    + Arrays.toString(shape));
        }
        if (!Float.isFinite(scale) || scale == 0f) {
            throw new IllegalArgumentException("decoding GEMM: tensor scale must be finite and non-zero, got " + scale);
        }
        long expected = f.packedBytes(shape, w.axis());
        if (w.bytes().length != expected) {
            throw new IllegalArgumentException("decoding GEMM: packed weight has " + w.bytes().length + " bytes, "
                    + w.format() + " of shape " + Arrays.toString(shape) + " needs " + expected);
        }
        return new Weights(f, w, scale, transB, transB ? shape[1] : shape[0], transB ? shape[0] : shape[1]);
    }

    /** y (M,N) = x (M,K) * W + bias; see the class comment. */
    public static void run(Weights w, float[] x, int m, float[] bias, float[] y, Parallelism par) {
        int k = w.k;
        int n = w.n;
        if (m < 0 || x.length < (long) m * k || y.length < (long) m * n || (bias != null && bias.length != n)) {
            throw new IllegalArgumentException("decoding GEMM: x (" + m + "," + k + ") has " + x.length + " values, y ("
                    + m + "," + n + ") " + y.length + ", bias " + (bias == null ? "none" : bias.length + " values")
                    + " (expected " + n + ")");
        }
        if (m == 0) {
            return;
        }
        if (bias != null) {
            for (int i = 0; i < m; i++) {
                System.arraycopy(bias, 0, y, i * n, n);
            }
        }
        float beta = bias != null ? 1f : 0f;
        int width = w.panelWidth();
        int panels = Math.max(1, n / width);
        if (m < FEW_ROWS && panels > 1 && par.threads() > 1) {
            par.parallelFor(panels, (p0, p1) -> {
                for (int p = p0; p < p1; p++) {
                    panel(w, x, m, p, panels, width, beta, y, Parallelism.single());
                }
            });
        } else {
            for (int p = 0; p < panels; p++) {
                panel(w, x, m, p, panels, width, beta, y, par);
            }
        }
    }

    /** Decodes columns of panel p of W and multiplies them into the same columns of y. */
    private static void panel(Weights w, float[] x, int m, int p, int panels, int width, float beta, float[] y,
                              Parallelism par) {
        int k = w.k;
        int n = w.n;
        int j0 = p * width;
        int j1 = p == panels - 1 ? n : j0 + width;
        int nb = j1 - j0;
        float[] buf = buffer(nb * k);
        if (w.transB) {
            w.format.decodeRegion(w.packed, j0, j1, 0, k, buf); // rows of the (N,K) weight: (nb, K)
        } else {
            w.format.decodeRegion(w.packed, 0, k, j0, j1, buf); // columns of the (K,N) weight: (K, nb)
        }
        if (w.scale != 1f) {
            for (int i = 0; i < nb * k; i++) {
                buf[i] = buf[i] * w.scale;
            }
        }
        Gemm.gemm(false, w.transB, m, nb, k, 1f, x, 0, k, buf, 0, w.transB ? k : nb, beta, y, j0, n, par);
    }

    private static float[] buffer(int size) {
        float[][] holder = BUFFER.get();
        if (holder[0].length < size) {
            holder[0] = new float[size];
        }
        return holder[0];
    }
}
