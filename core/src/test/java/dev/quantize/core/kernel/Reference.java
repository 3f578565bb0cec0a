package dev.quantize.core.kernel;

/**
 * Naive kernels computed in double, written straight from the definitions (no blocking, no widening to
 * three dimensions), as oracles for the fast kernels. Each also returns, per output, the sum of absolute
 * values of the terms it added ("magnitude"), which scales the tolerance of a float result.
 */
final class Reference {
    private Reference() {
    }

    /** Result of a reference computation: exact-ish values and per-output magnitudes. */
    static final class Result {
        final double[] value;
        final double[] magnitude;

        Result(int size) {
            value = new double[size];
            magnitude = new double[size];
        }
    }

    /** C (M,N) of alpha*op(A)*op(B) + beta*C; C is read only when beta != 0 (as BLAS). Dense (M,N) result. */
    static Result gemm(boolean transA, boolean transB, int m, int n, int k, float alpha,
                       float[] a, int aOff, int lda, float[] b, int bOff, int ldb,
                       float beta, float[] c, int cOff, int ldc) {
        Result r = new Result(m * n);
        for (int i = 0; i < m; i++) {
            for (int j = 0; j < n; j++) {
                double s = 0;
                double mag = 0;
                for (int p = 0; p < k; p++) {
                    double av = transA ? a[aOff + p * lda + i] : a[aOff + i * lda + p];
                    double bv = transB ? b[bOff + j * ldb + p] : b[bOff + p * ldb + j];
                    s += av * bv;
                    mag += Math.abs(av * bv);
                }
                double v = alpha * s;
                mag = Math.abs(alpha) * mag;
                if (beta != 0f) {
                    double old = c[cOff + i * ldc + j];
                    v += beta * old;
                    mag += Math.abs(beta * old);
                }
                r.value[i * n + j] = v;
                r.magnitude[i * n + j] = mag;
            }
        }
        return r;
    }

    /** Row-major index of coordinates in a shape. */
    private static int flatten(int[] coords, int[] shape, int from) {
        int idx = 0;
        for (int i = from; i < shape.length; i++) {
            idx = idx * shape[i] + coords[i - from];
        }
        return idx;
    }

    /** Advances an odometer over the given extents; false when it wraps around to all zeros. */
    private static boolean next(int[] coords, int[] extents) {
        for (int i = coords.length - 1; i >= 0; i--) {
            if (++coords[i] < extents[i]) {
                return true;
            }
            coords[i] = 0;
        }
        return false;
    }

    private static boolean anyZero(int[] extents) {
        for (int e : extents) {
            if (e == 0) {
                return true;
            }
        }
        return false;
    }

    /** ONNX Conv from its definition. */
    static Result conv(float[] x, int[] xShape, float[] w, int[] wShape, float[] bias, int[] yShape,
                       int[] pads, int[] strides, int[] dilations, int group) {
        int k = xShape.length - 2;
        int n = xShape[0];
        int c = xShape[1];
        int m = wShape[0];
        int cg = c / group;
        int mg = m / group;
        int[] inSp = java.util.Arrays.copyOfRange(xShape, 2, xShape.length);
        int[] outSp = java.util.Arrays.copyOfRange(yShape, 2, yShape.length);
        int[] kerSp = java.util.Arrays.copyOfRange(wShape, 2, wShape.length);
        int outSize = 1;
        for (int o : outSp) {
            outSize *= o;
        }
        Result r = new Result(n * m * outSize);
        if (anyZero(outSp)) {
            return r;
        }
        int[] o = new int[k];
        int[] kk = new int[k];
        int[] xi = new int[k];
        for (int b = 0; b < n; b++) {
            for (int oc = 0; oc < m; oc++) {
                int g = oc / mg;
                java.util.Arrays.fill(o, 0);
                do {
                    double s = bias == null ? 0 : bias[oc];
                    double mag = Math.abs(s);
                    for (int ic = 0; ic < cg; ic++) {
                        java.util.Arrays.fill(kk, 0);
                        do {
                            boolean inside = true;
                            for (int d = 0; d < k; d++) {
                                xi[d] = o[d] * strides[d] - pads[d] + kk[d] * dilations[d];
                                inside &= xi[d] >= 0 && xi[d] < inSp[d];
                            }
                            if (inside) {
                                double xv = x[((b * c + g * cg + ic) * sizeOf(inSp)) + flatten(xi, xShape, 2)];
                                double wv = w[(oc * cg + ic) * sizeOf(kerSp) + flatten(kk, wShape, 2)];
                                s += xv * wv;
                                mag += Math.abs(xv * wv);
                            }
                        } while (next(kk, kerSp));
                    }
                    int yi = (b * m + oc) * outSize + flatten(o, yShape, 2);
                    r.value[yi] = s;
                    r.magnitude[yi] = mag;
                } while (next(o, outSp));
            }
        }
        return r;
    }

    private static int sizeOf(int[] dims) {
        int s = 1;
        for (int d : dims) {
            s *= d;
        }
        return s;
    }

    /**
     * ONNX MaxPool (mode "max") or AveragePool (mode "avg" / "avgpad" for count_include_pad) from the
     * definition; for max, magnitude carries the winning flat input index (or -1), for averages sum|x| / divisor.
     */
    static Result pool(String mode, float[] x, int[] xShape, int[] yShape, int[] kernel, int[] pads,
                       int[] strides, int[] dilations) {
        int k = xShape.length - 2;
        int planes = xShape[0] * xShape[1];
        int[] inSp = java.util.Arrays.copyOfRange(xShape, 2, xShape.length);
        int[] outSp = java.util.Arrays.copyOfRange(yShape, 2, yShape.length);
        int inSize = sizeOf(inSp);
        int outSize = sizeOf(outSp);
        Result r = new Result(planes * outSize);
        int[] o = new int[k];
        int[] kk = new int[k];
        int[] xi = new int[k];
        for (int p = 0; p < planes; p++) {
            java.util.Arrays.fill(o, 0);
            do {
                double best = Double.NEGATIVE_INFINITY;
                int bestAt = -1;
                double sum = 0;
                double sumAbs = 0;
                int inside = 0;
                int padded = 0;
                java.util.Arrays.fill(kk, 0);
                do {
                    boolean in = true;
                    boolean inPad = true;
                    for (int d = 0; d < k; d++) {
                        xi[d] = o[d] * strides[d] - pads[d] + kk[d] * dilations[d];
                        in &= xi[d] >= 0 && xi[d] < inSp[d];
                        inPad &= xi[d] >= -pads[d] && xi[d] < inSp[d] + pads[k + d];
                    }
                    if (inPad) {
                        padded++;
                    }
                    if (in) {
                        int at = p * inSize + flatten(xi, xShape, 2);
                        double v = x[at];
                        inside++;
                        sum += v;
                        sumAbs += Math.abs(v);
                        if (bestAt < 0 || v > best) {
                            best = v;
                            bestAt = at;
                        }
                    }
                } while (next(kk, kernel));
                int yi = p * outSize + flatten(o, yShape, 2);
                switch (mode) {
                    case "max":
                        r.value[yi] = best;
                        r.magnitude[yi] = bestAt;
                        break;
                    case "avg":
                        r.value[yi] = sum / inside;
                        r.magnitude[yi] = sumAbs / inside;
                        break;
                    case "avgpad":
                        r.value[yi] = sum / padded;
                        r.magnitude[yi] = sumAbs / padded;
                        break;
                    default:
                        throw new IllegalArgumentException(mode);
                }
            } while (next(o, outSp));
        }
        return r;
    }
}
