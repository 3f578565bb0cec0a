package dev.quantize.core.kernel;

import java.util.Arrays;

/**
 * N-d pooling (1, 2 or 3 spatial dimensions), ONNX MaxPool / AveragePool / GlobalAveragePool /
 * GlobalMaxPool semantics, channels-first layout.
 *
 * <p>Shapes: x is (N, C, D1..Dk); y is (N, C, O1..Ok), preallocated (the caller resolves auto_pad and
 * ceil_mode into pads and the output shape, see {@link #geometry}); pads are [begin_1..begin_k,
 * end_1..end_k]; kernel, strides and dilations have k values (strides, dilations and pads may be null
 * for the defaults 1, 1 and 0). Planes (n, c) run in parallel.
 */
public final class Pool {
    private Pool() {
    }

    /** ONNX pooling attributes (auto_pad, pads, ceil_mode) to output spatial sizes and explicit pads. */
    public static WindowGeometry geometry(int[] inSpatial, int[] kernel, int[] strides, int[] dilations,
                                          int[] pads, String autoPad, boolean ceilMode) {
        return WindowGeometry.resolve(inSpatial, kernel, strides, dilations, pads, autoPad, ceilMode);
    }

    /**
     * Max over each window; padding positions never win. NaN propagates (the first NaN in a window wins).
     * A window lying wholly in the padding yields -Infinity and index -1. indices, if not null, receives
     * ONNX MaxPool Indices: the row-major flattened position in the whole input (storage_order 0).
     */
    public static void maxPool(float[] x, int[] xShape, float[] y, int[] yShape, int[] kernel, int[] pads,
                               int[] strides, int[] dilations, long[] indices, Parallelism par) {
        Window3 win = new Window3("MaxPool", xShape, yShape, kernel, pads, strides, dilations, true);
        int planes = checkPlanes("MaxPool", x, xShape, y, yShape, win);
        if (indices != null && indices.length != y.length) {
            throw new IllegalArgumentException("MaxPool: indices has " + indices.length + " elements, expected "
                    + y.length);
        }
        int inSize = win.inSize();
        int outSize = win.outSize();
        int[] in = win.in;
        int[] out = win.out;
        par.parallelFor(planes, 4, (p0, p1) -> {
            for (int plane = p0; plane < p1; plane++) {
                int xBase = plane * inSize;
                int yIdx = plane * outSize;
                for (int od = 0; od < out[0]; od++) {
                    for (int oh = 0; oh < out[1]; oh++) {
                        for (int ow = 0; ow < out[2]; ow++, yIdx++) {
                            float best = Float.NEGATIVE_INFINITY;
                            int bestAt = -1;
                            for (int kd = 0; kd < win.kernel[0]; kd++) {
                                int id = od * win.stride[0] - win.padBegin[0] + kd * win.dilation[0];
                                if (id < 0 || id >= in[0]) {
                                    continue;
                                }
                                for (int kh = 0; kh < win.kernel[1]; kh++) {
                                    int ih = oh * win.stride[1] - win.padBegin[1] + kh * win.dilation[1];
                                    if (ih < 0 || ih >= in[1]) {
                                        continue;
                                    }
                                    for (int kw = 0; kw < win.kernel[2]; kw++) {
                                        int iw = ow * win.stride[2] - win.padBegin[2] + kw * win.dilation[2];
                                        if (iw < 0 || iw >= in[2]) {
                                            continue;
                                        }
                                        int at = (id * in[1] + ih) * in[2] + iw;
                                        float v = x[xBase + at];
                                        if (bestAt < 0 || v > best || (v != v && best == best)) {
                                            best = v;
                                            bestAt = at;
                                        }
                                    }
                                }
                            }
                            y[yIdx] = best;
                            if (indices != null) {
                                indices[yIdx] = bestAt < 0 ? -1 : (long) xBase + bestAt;
                            }
                        }
                    }
                }
            }
        });
    }

    /** Average pooling without dilation. */
    public static void averagePool(float[] x, int[] xShape, float[] y, int[] yShape, int[] kernel, int[] pads,
                                   int[] strides, boolean countIncludePad, Parallelism par) {
        averagePool(x, xShape, y, yShape, kernel, pads, strides, null, countIncludePad, par);
    }

    /**
     * Mean over each window. With countIncludePad the divisor counts the window positions inside the padded
     * input, [-padBegin, in + padEnd) per dimension (positions beyond the end padding, which ceil_mode can
     * create, never count); without it only positions inside the input count.
     */
    public static void averagePool(float[] x, int[] xShape, float[] y, int[] yShape, int[] kernel, int[] pads,
                                   int[] strides, int[] dilations, boolean countIncludePad, Parallelism par) {
        Window3 win = new Window3("AveragePool", xShape, yShape, kernel, pads, strides, dilations, true);
        int planes = checkPlanes("AveragePool", x, xShape, y, yShape, win);
        int inSize = win.inSize();
        int outSize = win.outSize();
        int[] in = win.in;
        int[] out = win.out;
        par.parallelFor(planes, 4, (p0, p1) -> {
            for (int plane = p0; plane < p1; plane++) {
                int xBase = plane * inSize;
                int yIdx = plane * outSize;
                for (int od = 0; od < out[0]; od++) {
                    for (int oh = 0; oh < out[1]; oh++) {
                        for (int ow = 0; ow < out[2]; ow++, yIdx++) {
                            float sum = 0f;
                            int inside = 0;
                            int padded = 0;
                            for (int kd = 0; kd < win.kernel[0]; kd++) {
                                int id = od * win.stride[0] - win.padBegin[0] + kd * win.dilation[0];
                                boolean dIn = id >= 0 && id < in[0];
                                boolean dPad = id >= -win.padBegin[0] && id < in[0] + win.padEnd[0];
                                for (int kh = 0; kh < win.kernel[1]; kh++) {
                                    int ih = oh * win.stride[1] - win.padBegin[1] + kh * win.dilation[1];
                                    boolean hIn = dIn && ih >= 0 && ih < in[1];
                                    boolean hPad = dPad && ih >= -win.padBegin[1] && ih < in[1] + win.padEnd[1];
                                    for (int kw = 0; kw < win.kernel[2]; kw++) {
                                        int iw = ow * win.stride[2] - win.padBegin[2] + kw * win.dilation[2];
                                        if (hPad && iw >= -win.padBegin[2] && iw < in[2] + win.padEnd[2]) {
                                            padded++;
                                        }
                                        if (hIn && iw >= 0 && iw < in[2]) {
                                            sum += x[xBase + (id * in[1] + ih) * in[2] + iw];
                                            inside++;
                                        }
                                    }
                                }
                            }
                            y[yIdx] = sum / (countIncludePad ? padded : inside);
                        }
                    }
                }
            }
        });
    }

    /** y (N, C, 1, ..., 1) = mean over all spatial positions of each plane. */
    public static void globalAveragePool(float[] x, int[] xShape, float[] y) {
        int planes = globalPlanes("GlobalAveragePool", x, xShape, y);
        int size = planes == 0 ? 0 : x.length / planes;
        for (int p = 0; p < planes; p++) {
            double sum = 0;
            for (int i = p * size; i < (p + 1) * size; i++) {
                sum += x[i];
            }
            y[p] = (float) (sum / size);
        }
    }

    /** y (N, C, 1, ..., 1) = max over all spatial positions of each plane (NaN propagates). */
    public static void globalMaxPool(float[] x, int[] xShape, float[] y) {
        int planes = globalPlanes("GlobalMaxPool", x, xShape, y);
        int size = planes == 0 ? 0 : x.length / planes;
        for (int p = 0; p < planes; p++) {
            float best = Float.NEGATIVE_INFINITY;
            for (int i = p * size; i < (p + 1) * size; i++) {
                float v = x[i];
                if (v > best || v != v) {
                    best = v;
                    if (v != v) {
                        break;
                    }
                }
            }
            y[p] = best;
        }
    }

    private static int checkPlanes(String op, float[] x, int[] xShape, float[] y, int[] yShape, Window3 win) {
        if (yShape[0] != xShape[0] || yShape[1] != xShape[1]) {
            throw new IllegalArgumentException(op + ": output shape " + Arrays.toString(yShape)
                    + " must start with the input's (N, C) " + Arrays.toString(Arrays.copyOf(xShape, 2)));
        }
        int planes = xShape[0] * xShape[1];
        if (x.length != planes * win.inSize() || y.length != planes * win.outSize()) {
            throw new IllegalArgumentException(op + ": arrays of " + x.length + " and " + y.length
                    + " elements do not match shapes " + Arrays.toString(xShape) + " and " + Arrays.toString(yShape));
        }
        return planes;
    }

    private static int globalPlanes(String op, float[] x, int[] xShape, float[] y) {
        if (xShape.length < 3) {
            throw new IllegalArgumentException(op + ": input shape " + Arrays.toString(xShape)
                    + " must be (N, C, D1, ...) with at least one spatial dimension");
        }
        int planes = xShape[0] * xShape[1];
        long size = 1;
        for (int i = 2; i < xShape.length; i++) {
            size *= xShape[i];
        }
        if (x.length != planes * size || y.length != planes) {
            throw new IllegalArgumentException(op + ": arrays of " + x.length + " and " + y.length
                    + " elements do not match input shape " + Arrays.toString(xShape) + " and its (N, C, 1...) output");
        }
        return planes;
    }
}
