package dev.quantize.core.kernel;

/** PLACEHOLDER (exec branch) until the kernel branch lands: naive N-d convolution. */
public final class Conv {
    private Conv() {
    }

    public static int outputSize(int in, int kernel, int padBegin, int padEnd, int stride, int dilation) {
        return (in + padBegin + padEnd - ((kernel - 1) * dilation + 1)) / stride + 1;
    }

    public static void conv(float[] x, int[] xShape, float[] w, int[] wShape, float[] bias, float[] y, int[] yShape,
                            int[] pads, int[] strides, int[] dilations, int group, Parallelism par) {
        int nd = xShape.length - 2;
        int batch = xShape[0];
        int cin = xShape[1];
        int cout = wShape[0];
        int cpg = cin / group;
        int opg = cout / group;
        int[] xs = new int[nd];
        int[] ks = new int[nd];
        int[] ys = new int[nd];
        int xsz = 1, ksz = 1, ysz = 1;
        for (int d = 0; d < nd; d++) {
            xs[d] = xShape[2 + d];
            ks[d] = wShape[2 + d];
            ys[d] = yShape[2 + d];
            xsz *= xs[d];
            ksz *= ks[d];
            ysz *= ys[d];
        }
        int[] yc = new int[nd];
        int[] kc = new int[nd];
        for (int b = 0; b < batch; b++) {
            for (int oc = 0; oc < cout; oc++) {
                int g = oc / opg;
                for (int yi = 0; yi < ysz; yi++) {
                    int r = yi;
                    for (int d = nd - 1; d >= 0; d--) {
                        yc[d] = r % ys[d];
                        r /= ys[d];
                    }
                    double s = bias == null ? 0 : bias[oc];
                    for (int ic = 0; ic < cpg; ic++) {
                        int xc = g * cpg + ic;
                        for (int ki = 0; ki < ksz; ki++) {
                            int rr = ki;
                            for (int d = nd - 1; d >= 0; d--) {
                                kc[d] = rr % ks[d];
                                rr /= ks[d];
                            }
                            int off = 0;
                            boolean inside = true;
                            for (int d = 0; d < nd; d++) {
                                int pos = yc[d] * strides[d] - pads[d] + kc[d] * dilations[d];
                                if (pos < 0 || pos >= xs[d]) {
                                    inside = false;
                                    break;
                                }
                                off = off * xs[d] + pos;
                            }
                            if (inside) {
                                s += x[(b * cin + xc) * xsz + off] * w[(oc * cpg + ic) * ksz + ki];
                            }
                        }
                    }
                    y[(b * cout + oc) * ysz + yi] = (float) s;
                }
            }
        }
    }
}
