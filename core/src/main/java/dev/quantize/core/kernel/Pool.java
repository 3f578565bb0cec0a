package dev.quantize.core.kernel;

/** PLACEHOLDER (exec branch) until the kernel branch lands: naive pooling. */
public final class Pool {
    private Pool() {
    }

    public static void maxPool(float[] x, int[] xShape, float[] y, int[] yShape, int[] kernel, int[] pads, int[] strides,
                               int[] dilations, long[] indices, Parallelism par) {
        pool(x, xShape, y, yShape, kernel, pads, strides, dilations, indices, true, false);
    }

    public static void averagePool(float[] x, int[] xShape, float[] y, int[] yShape, int[] kernel, int[] pads,
                                   int[] strides, boolean countIncludePad, Parallelism par) {
        int[] dil = new int[kernel.length];
        java.util.Arrays.fill(dil, 1);
        pool(x, xShape, y, yShape, kernel, pads, strides, dil, null, false, countIncludePad);
    }

    private static void pool(float[] x, int[] xShape, float[] y, int[] yShape, int[] kernel, int[] pads, int[] strides,
                             int[] dil, long[] indices, boolean max, boolean countPad) {
        int nd = xShape.length - 2;
        int planes = xShape[0] * xShape[1];
        int xsz = 1, ysz = 1, ksz = 1;
        for (int d = 0; d < nd; d++) {
            xsz *= xShape[2 + d];
            ysz *= yShape[2 + d];
            ksz *= kernel[d];
        }
        int[] yc = new int[nd];
        int[] kc = new int[nd];
        for (int p = 0; p < planes; p++) {
            for (int yi = 0; yi < ysz; yi++) {
                int r = yi;
                for (int d = nd - 1; d >= 0; d--) {
                    yc[d] = r % yShape[2 + d];
                    r /= yShape[2 + d];
                }
                double acc = max ? Double.NEGATIVE_INFINITY : 0;
                long best = -1;
                int count = 0;
                for (int ki = 0; ki < ksz; ki++) {
                    int rr = ki;
                    for (int d = nd - 1; d >= 0; d--) {
                        kc[d] = rr % kernel[d];
                        rr /= kernel[d];
                    }
                    int off = 0;
                    boolean inside = true;
                    boolean inPads = true;
                    for (int d = 0; d < nd; d++) {
                        int pos = yc[d] * strides[d] - pads[d] + kc[d] * dil[d];
                        if (pos < -pads[d] || pos >= xShape[2 + d] + pads[nd + d]) {
                            inPads = false;
                        }
                        if (pos < 0 || pos >= xShape[2 + d]) {
                            inside = false;
                        }
                        off = off * xShape[2 + d] + Math.max(0, Math.min(pos, xShape[2 + d] - 1));
                    }
                    if (inside) {
                        float v = x[p * xsz + off];
                        if (max) {
                            if (v > acc || best < 0) {
                                acc = v;
                                best = (long) p * xsz + off;
                            }
                        } else {
                            acc += v;
                        }
                        count++;
                    } else if (countPad && inPads) {
                        count++;
                    }
                }
                y[p * ysz + yi] = (float) (max ? acc : acc / count);
                if (indices != null) {
                    indices[p * ysz + yi] = best;
                }
            }
        }
    }

    public static void globalAveragePool(float[] x, int[] xShape, float[] y) {
        int planes = xShape[0] * xShape[1];
        int sz = x.length / Math.max(1, planes);
        for (int p = 0; p < planes; p++) {
            double s = 0;
            for (int i = 0; i < sz; i++) {
                s += x[p * sz + i];
            }
            y[p] = (float) (s / sz);
        }
    }

    public static void globalMaxPool(float[] x, int[] xShape, float[] y) {
        int planes = xShape[0] * xShape[1];
        int sz = x.length / Math.max(1, planes);
        for (int p = 0; p < planes; p++) {
            float m = Float.NEGATIVE_INFINITY;
            for (int i = 0; i < sz; i++) {
                m = Math.max(m, x[p * sz + i]);
            }
            y[p] = m;
        }
    }
}
