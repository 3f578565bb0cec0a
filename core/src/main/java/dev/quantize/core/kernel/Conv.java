package dev.quantize.core.kernel;

import java.util.Arrays;

/**
 * N-d convolution (1, 2 or 3 spatial dimensions), ONNX Conv semantics, channels-first layout.
 *
 * <p>Shapes: x is (N, C, D1..Dk); w is (M, C/group, K1..Kk); bias is (M) or null; y is (N, M, O1..Ok),
 * preallocated. pads are [begin_1..begin_k, end_1..end_k]; strides and dilations have k values.
 *
 * <p>Method: with one input channel per group (depthwise, also with a channel multiplier) a direct loop per
 * output plane; otherwise each (batch, group) is one GEMM, W_g (M/g x C/g*K) times the column matrix
 * (C/g*K x O), where the column matrix is the input itself for an unpadded, unstrided 1x1 kernel and an
 * im2col copy otherwise. Batch elements run in parallel when there are enough of them; otherwise the GEMM
 * itself is parallel.
 */
public final class Conv {
    /** The vector (or scalar) axpy used along output rows of the direct path. */
    private static final GemmKernels ROW_KERNELS = GemmKernelsProvider.chosen();
    /**
     * One reusable im2col buffer per thread. Taken out while in use, so a nested conv on the same thread
     * (a fork/join worker helping while it waits) allocates its own instead of overwriting it.
     */
    private static final ThreadLocal<float[][]> COLUMN_BUFFER = ThreadLocal.withInitial(() -> new float[1][]);

    private Conv() {
    }

    private static float[] takeColumnBuffer(int size) {
        float[][] holder = COLUMN_BUFFER.get();
        float[] buf = holder[0];
        holder[0] = null;
        return buf != null && buf.length >= size ? buf : new float[size];
    }

    private static void returnColumnBuffer(float[] buf) {
        if (buf != null) {
            COLUMN_BUFFER.get()[0] = buf;
        }
    }

    /** Output spatial size for one dim: floor((in + padBegin + padEnd - dilation*(kernel-1) - 1) / stride) + 1. */
    public static int outputSize(int in, int kernel, int padBegin, int padEnd, int stride, int dilation) {
        return Math.floorDiv(in + padBegin + padEnd - dilation * (kernel - 1) - 1, stride) + 1;
    }

    /** ONNX Conv attributes to output spatial sizes and explicit pads (Conv has no ceil_mode). */
    public static WindowGeometry geometry(int[] inSpatial, int[] kernel, int[] strides, int[] dilations,
                                          int[] pads, String autoPad) {
        return WindowGeometry.resolve(inSpatial, kernel, strides, dilations, pads, autoPad, false);
    }

    public static void conv(float[] x, int[] xShape, float[] w, int[] wShape, float[] bias,
                            float[] y, int[] yShape, int[] pads, int[] strides, int[] dilations, int group,
                            Parallelism par) {
        int k = xShape.length - 2;
        int[] kernel = wShape.length == xShape.length ? Arrays.copyOfRange(wShape, 2, wShape.length) : null;
        if (kernel == null) {
            throw new IllegalArgumentException("Conv: weight shape " + Arrays.toString(wShape)
                    + " must have the rank of the input shape " + Arrays.toString(xShape));
        }
        Window3 win = new Window3("Conv", xShape, yShape, kernel, pads, strides, dilations, false);
        int n = xShape[0];
        int c = xShape[1];
        int m = wShape[0];
        if (group < 1 || c % group != 0 || m % group != 0 || wShape[1] != c / group) {
            throw new IllegalArgumentException("Conv: input channels " + c + ", output channels " + m + ", group "
                    + group + " and weight shape " + Arrays.toString(wShape)
                    + " disagree (need C and M divisible by group and weight dimension 1 == C/group)");
        }
        if (yShape[0] != n || yShape[1] != m) {
            throw new IllegalArgumentException("Conv: output shape " + Arrays.toString(yShape) + " must start with ("
                    + n + ", " + m + ")");
        }
        if (bias != null && bias.length != m) {
            throw new IllegalArgumentException("Conv: bias has " + bias.length + " values, expected " + m);
        }
        checkLength("x", x, n * c * win.inSize(), xShape);
        checkLength("w", w, m * (c / group) * win.kernelSize(), wShape);
        checkLength("y", y, n * m * win.outSize(), yShape);
        if (k < 1 || win.outSize() == 0 || n == 0 || m == 0) {
            return;
        }
        if (c / group == 1) {
            depthwise(x, c, w, bias, y, m, n, group, win, par);
        } else {
            viaGemm(x, c, w, bias, y, m, n, group, win, par);
        }
    }

    private static void checkLength(String name, float[] a, int expected, int[] shape) {
        if (a.length != expected) {
            throw new IllegalArgumentException("Conv: " + name + " has " + a.length + " elements but shape "
                    + Arrays.toString(shape) + " needs " + expected);
        }
    }

    /** One input channel per group: output plane (b, o) reads input plane (b, o / (M/group)) only. */
    private static void depthwise(float[] x, int c, float[] w, float[] bias, float[] y, int m, int n, int group,
                                  Window3 win, Parallelism par) {
        int mPerGroup = m / group;
        int inSize = win.inSize();
        int outSize = win.outSize();
        int kSize = win.kernelSize();
        par.parallelFor(n * m, 4, (p0, p1) -> {
            for (int plane = p0; plane < p1; plane++) {
                int b = plane / m;
                int o = plane % m;
                int xBase = (b * c + o / mPerGroup) * inSize;
                Arrays.fill(y, plane * outSize, (plane + 1) * outSize, bias == null ? 0f : bias[o]);
                directPlane(x, xBase, w, o * kSize, y, plane * outSize, win);
            }
        });
    }

    /**
     * y[yBase + o] += sum over kernel positions of w * x, for one input and one output plane. Loops run per
     * kernel position over the output positions whose input is inside (padding contributes zero).
     */
    private static void directPlane(float[] x, int xBase, float[] w, int wBase, float[] y, int yBase, Window3 win) {
        int[] in = win.in;
        int[] out = win.out;
        int[] st = win.stride;
        int[] dl = win.dilation;
        int[] pb = win.padBegin;
        for (int kd = 0; kd < win.kernel[0]; kd++) {
            int od0 = win.firstValid(0, kd * dl[0]);
            int od1 = win.endValid(0, kd * dl[0]);
            for (int kh = 0; kh < win.kernel[1]; kh++) {
                int oh0 = win.firstValid(1, kh * dl[1]);
                int oh1 = win.endValid(1, kh * dl[1]);
                for (int kw = 0; kw < win.kernel[2]; kw++) {
                    int ow0 = win.firstValid(2, kw * dl[2]);
                    int ow1 = win.endValid(2, kw * dl[2]);
                    float wv = w[wBase + (kd * win.kernel[1] + kh) * win.kernel[2] + kw];
                    for (int od = od0; od < od1; od++) {
                        int id = od * st[0] - pb[0] + kd * dl[0];
                        for (int oh = oh0; oh < oh1; oh++) {
                            int ih = oh * st[1] - pb[1] + kh * dl[1];
                            int xRow = xBase + (id * in[1] + ih) * in[2] - pb[2] + kw * dl[2];
                            int yRow = yBase + (od * out[1] + oh) * out[2];
                            int s = st[2];
                            if (s == 1) {
                                if (ow1 > ow0) {
                                    ROW_KERNELS.axpy(ow1 - ow0, wv, x, xRow + ow0, y, yRow + ow0);
                                }
                            } else {
                                for (int ow = ow0; ow < ow1; ow++) {
                                    y[yRow + ow] += wv * x[xRow + ow * s];
                                }
                            }
                        }
                    }
                }
            }
        }
    }

    private static void viaGemm(float[] x, int c, float[] w, float[] bias, float[] y, int m, int n, int group,
                                Window3 win, Parallelism par) {
        int cPerGroup = c / group;
        int mPerGroup = m / group;
        int rows = cPerGroup * win.kernelSize();
        int outSize = win.outSize();
        boolean pointwise = win.kernelSize() == 1 && win.inSize() == outSize && isIdentityWindow(win);
        if (n >= par.threads()) {
            par.parallelFor(n, (b0, b1) -> {
                float[] col = pointwise ? null : takeColumnBuffer(rows * outSize);
                for (int b = b0; b < b1; b++) {
                    oneBatch(x, c, w, bias, y, m, b, group, cPerGroup, mPerGroup, rows, win, col,
                            Parallelism.single());
                }
                returnColumnBuffer(col);
            });
        } else {
            float[] col = pointwise ? null : takeColumnBuffer(rows * outSize);
            for (int b = 0; b < n; b++) {
                oneBatch(x, c, w, bias, y, m, b, group, cPerGroup, mPerGroup, rows, win, col, par);
            }
            returnColumnBuffer(col);
        }
    }

    private static boolean isIdentityWindow(Window3 win) {
        for (int i = 0; i < 3; i++) {
            if (win.stride[i] != 1 || win.padBegin[i] != 0 || win.padEnd[i] != 0) {
                return false;
            }
        }
        return true;
    }

    /** Batch element b: for each group, y_g (M/g x O) = W_g (M/g x rows) * col_g (rows x O) + bias. */
    private static void oneBatch(float[] x, int c, float[] w, float[] bias, float[] y, int m, int b, int group,
                                 int cPerGroup, int mPerGroup, int rows, Window3 win, float[] col, Parallelism par) {
        int inSize = win.inSize();
        int outSize = win.outSize();
        for (int g = 0; g < group; g++) {
            int xBase = (b * c + g * cPerGroup) * inSize;
            int yBase = (b * m + g * mPerGroup) * outSize;
            float beta = 0f;
            if (bias != null) {
                for (int o = 0; o < mPerGroup; o++) {
                    int row = yBase + o * outSize;
                    Arrays.fill(y, row, row + outSize, bias[g * mPerGroup + o]);
                }
                beta = 1f;
            }
            float[] bMatrix;
            int bOff;
            if (col == null) {
                bMatrix = x;
                bOff = xBase;
            } else {
                im2col(x, xBase, cPerGroup, win, col);
                bMatrix = col;
                bOff = 0;
            }
            Gemm.gemm(false, false, mPerGroup, outSize, rows, 1f, w, g * mPerGroup * rows, rows,
                    bMatrix, bOff, outSize, beta, y, yBase, outSize, par);
        }
    }

    /**
     * col is (channels * K1*K2*K3) x (O1*O2*O3): row (ch, kd, kh, kw), column (od, oh, ow) holds the input
     * value under that kernel tap for that output position, or 0 in the padding.
     */
    static void im2col(float[] x, int xBase, int channels, Window3 win, float[] col) {
        int[] in = win.in;
        int[] out = win.out;
        int[] st = win.stride;
        int[] dl = win.dilation;
        int[] pb = win.padBegin;
        int[] ker = win.kernel;
        int outSize = win.outSize();
        int plane = out[1] * out[2];
        int row = 0;
        for (int ch = 0; ch < channels; ch++) {
            int chBase = xBase + ch * win.inSize();
            for (int kd = 0; kd < ker[0]; kd++) {
                int od0 = win.firstValid(0, kd * dl[0]);
                int od1 = win.endValid(0, kd * dl[0]);
                for (int kh = 0; kh < ker[1]; kh++) {
                    int oh0 = win.firstValid(1, kh * dl[1]);
                    int oh1 = win.endValid(1, kh * dl[1]);
                    for (int kw = 0; kw < ker[2]; kw++, row++) {
                        int ow0 = win.firstValid(2, kw * dl[2]);
                        int ow1 = win.endValid(2, kw * dl[2]);
                        int colRow = row * outSize;
                        // Depth slices and rows that fall in the padding are all zeros.
                        Arrays.fill(col, colRow, colRow + od0 * plane, 0f);
                        Arrays.fill(col, colRow + od1 * plane, colRow + outSize, 0f);
                        for (int od = od0; od < od1; od++) {
                            int id = od * st[0] - pb[0] + kd * dl[0];
                            int dBase = colRow + od * plane;
                            Arrays.fill(col, dBase, dBase + oh0 * out[2], 0f);
                            Arrays.fill(col, dBase + oh1 * out[2], dBase + plane, 0f);
                            for (int oh = oh0; oh < oh1; oh++) {
                                int ih = oh * st[1] - pb[1] + kh * dl[1];
                                int xRow = chBase + (id * in[1] + ih) * in[2] - pb[2] + kw * dl[2];
                                int cRow = dBase + oh * out[2];
                                Arrays.fill(col, cRow, cRow + ow0, 0f);
                                Arrays.fill(col, cRow + ow1, cRow + out[2], 0f);
                                if (ow1 <= ow0) {
                                    continue;
                                }
                                if (st[2] == 1) {
                                    System.arraycopy(x, xRow + ow0, col, cRow + ow0, ow1 - ow0);
                                } else {
                                    for (int ow = ow0; ow < ow1; ow++) {
                                        col[cRow + ow] = x[xRow + ow * st[2]];
                                    }
                                }
                            }
                        }
                    }
                }
            }
        }
    }
}
