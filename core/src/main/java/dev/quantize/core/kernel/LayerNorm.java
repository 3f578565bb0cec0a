package dev.quantize.core.kernel;

/**
 * One row of the LayerNorm PyTorch exports (ReduceMean, Sub, Pow(2), ReduceMean, Add(eps), Sqrt, Div,
 * Mul(gamma), Add(beta)), with the float operations and roundings the executor's nodes perform, in the
 * same order: the fused op of the executor and the packed INT8 prologue both call this, so they agree
 * bit for bit.
 */
public final class LayerNorm {
    private LayerNorm() {
    }

    /**
     * y[yOff + i] for i &lt; c from x[xOff + i]: mean = (float) (sum_double(x) / c); d = x - mean;
     * var = (float) (sum_double(d * d) / c); s = (float) sqrt(var + eps); y = (d / s) * gamma + beta.
     * y may be x (in place) only when yOff == xOff.
     */
    public static void row(float[] x, int xOff, int c, float eps, float[] gamma, float[] beta, float[] y, int yOff) {
        float mean = (float) (Sums.sum(x, xOff, c) / c);
        // y = d = x - mean; the squares d * d are the float products Pow(d, 2) hands to ReduceMean.
        float s = (float) Math.sqrt((float) (Sums.sumOfSquaredDeviations(x, xOff, c, mean, y, yOff) / c) + eps);
        FloatLoops.divideScaleShift(y, yOff, c, s, gamma, beta);
    }

    /**
     * One row of the ONNX LayerNormalization op over the last axis as the executor's op computes it, in
     * double: mean and variance as sequential sums, y = (float) ((x - mean) * (1 / sqrt(var + eps)) *
     * gamma + beta). y may not be x.
     */
    public static void onnxRow(float[] x, int xOff, int c, float eps, float[] gamma, float[] beta, float[] y, int yOff) {
        double s = 0;
        for (int i = 0; i < c; i++) {
            s += x[xOff + i];
        }
        double mu = s / c;
        double q = 0;
        for (int i = 0; i < c; i++) {
            double d = x[xOff + i] - mu;
            q += d * d;
        }
        double r = 1.0 / Math.sqrt(q / c + (double) eps);
        for (int i = 0; i < c; i++) {
            double e = (x[xOff + i] - mu) * r * gamma[i];
            if (beta != null) {
                e += beta[i];
            }
            y[yOff + i] = (float) e;
        }
    }

    /**
     * {@link #onnxRow} of {@code rows} consecutive rows (c apart): four rows at a time, each row's sums
     * still in its own sequential order (the same bits), so the four dependency chains of double
     * additions overlap instead of waiting on each other.
     */
    public static void onnxRows(float[] x, int xOff, int rows, int c, float eps, float[] gamma, float[] beta, float[] y,
                                int yOff) {
        int r = 0;
        for (; r + 4 <= rows; r += 4) {
            int a = xOff + r * c;
            double s0 = 0;
            double s1 = 0;
            double s2 = 0;
            double s3 = 0;
            for (int i = 0; i < c; i++) {
                s0 += x[a + i];
                s1 += x[a + c + i];
                s2 += x[a + 2 * c + i];
                s3 += x[a + 3 * c + i];
            }
            double m0 = s0 / c;
            double m1 = s1 / c;
            double m2 = s2 / c;
            double m3 = s3 / c;
            double q0 = 0;
            double q1 = 0;
            double q2 = 0;
            double q3 = 0;
            for (int i = 0; i < c; i++) {
                double d0 = x[a + i] - m0;
                double d1 = x[a + c + i] - m1;
                double d2 = x[a + 2 * c + i] - m2;
                double d3 = x[a + 3 * c + i] - m3;
                q0 += d0 * d0;
                q1 += d1 * d1;
                q2 += d2 * d2;
                q3 += d3 * d3;
            }
            double[] mean = {m0, m1, m2, m3};
            double[] inv = {1.0 / Math.sqrt(q0 / c + (double) eps), 1.0 / Math.sqrt(q1 / c + (double) eps),
                1.0 / Math.sqrt(q2 / c + (double) eps), 1.0 / Math.sqrt(q3 / c + (double) eps)};
            for (int j = 0; j < 4; j++) {
                int xo = a + j * c;
                int yo = yOff + (r + j) * c;
                for (int i = 0; i < c; i++) {
                    double e = (x[xo + i] - mean[j]) * inv[j] * gamma[i];
                    if (beta != null) {
                        e += beta[i];
                    }
                    y[yo + i] = (float) e;
                }
            }
        }
        for (; r < rows; r++) {
            onnxRow(x, xOff + r * c, c, eps, gamma, beta, y, yOff + r * c);
        }
    }
}
