package dev.quantize.samples.train;

/**
 * Forward and backward passes of the layers the samples use, one row at a time over plain arrays.
 * Everything is single-threaded in a fixed order so training is bit-for-bit reproducible.
 */
public final class Layers {
    private static final double SQRT_HALF = StrictMath.sqrt(0.5);
    private static final double INV_SQRT_2PI = 1 / StrictMath.sqrt(2 * Math.PI);

    private Layers() {
    }

    /** y[o] = b[o] + sum_i w[o, i] x[i]; w is (out, in) as ONNX Gemm with transB=1 stores it. */
    public static void linear(float[] x, Param w, Param b, float[] y) {
        int out = w.shape[0];
        int in = w.shape[1];
        float[] wv = w.value;
        for (int o = 0; o < out; o++) {
            float acc = b.value[o];
            int base = o * in;
            for (int i = 0; i < in; i++) {
                acc += wv[base + i] * x[i];
            }
            y[o] = acc;
        }
    }

    /** Accumulates the gradients of w and b for one row and writes dx (if not null). */
    public static void linearBackward(float[] x, float[] dy, Param w, Param b, float[] dx) {
        int out = w.shape[0];
        int in = w.shape[1];
        float[] wv = w.value;
        float[] wg = w.grad;
        if (dx != null) {
            java.util.Arrays.fill(dx, 0, in, 0f);
        }
        for (int o = 0; o < out; o++) {
            float d = dy[o];
            b.grad[o] += d;
            if (d == 0f) {
                continue;
            }
            int base = o * in;
            for (int i = 0; i < in; i++) {
                wg[base + i] += d * x[i];
            }
            if (dx != null) {
                for (int i = 0; i < in; i++) {
                    dx[i] += d * wv[base + i];
                }
            }
        }
    }

    public static void relu(float[] x, float[] y, int n) {
        for (int i = 0; i < n; i++) {
            y[i] = x[i] > 0 ? x[i] : 0f;
        }
    }

    /** dx = dy where the ReLU's output y was positive. */
    public static void reluBackward(float[] y, float[] dy, float[] dx, int n) {
        for (int i = 0; i < n; i++) {
            dx[i] = y[i] > 0 ? dy[i] : 0f;
        }
    }

    /** GELU in its exact form x * Phi(x) = x/2 (1 + erf(x / sqrt 2)), as the ONNX graph computes it with Erf. */
    public static void gelu(float[] x, float[] y, int n) {
        for (int i = 0; i < n; i++) {
            y[i] = (float) (0.5 * x[i] * (1 + Erf.erf(x[i] * SQRT_HALF)));
        }
    }

    /** d/dx [x Phi(x)] = Phi(x) + x phi(x). */
    public static void geluBackward(float[] x, float[] dy, float[] dx, int n) {
        for (int i = 0; i < n; i++) {
            double xi = x[i];
            double cdf = 0.5 * (1 + Erf.erf(xi * SQRT_HALF));
            double pdf = INV_SQRT_2PI * StrictMath.exp(-0.5 * xi * xi);
            dx[i] = (float) (dy[i] * (cdf + xi * pdf));
        }
    }

    /**
     * LayerNorm over the n features of one row: xhat = (x - mean) / sqrt(var + eps), y = gain * xhat + bias.
     * Writes xhat and returns 1 / sqrt(var + eps) for the backward pass.
     */
    public static float layerNorm(float[] x, Param gain, Param bias, float eps, float[] xhat, float[] y, int n) {
        float mean = 0;
        for (int i = 0; i < n; i++) {
            mean += x[i];
        }
        mean /= n;
        float var = 0;
        for (int i = 0; i < n; i++) {
            float d = x[i] - mean;
            var += d * d;
        }
        var /= n;
        float inv = (float) (1 / StrictMath.sqrt(var + eps));
        for (int i = 0; i < n; i++) {
            xhat[i] = (x[i] - mean) * inv;
            y[i] = gain.value[i] * xhat[i] + bias.value[i];
        }
        return inv;
    }

    /** Accumulates gain and bias gradients and writes dx = inv (dxhat - mean(dxhat) - xhat mean(dxhat xhat)). */
    public static void layerNormBackward(float[] xhat, float inv, float[] dy, Param gain, Param bias, float[] dx, int n) {
        float meanD = 0;
        float meanDX = 0;
        for (int i = 0; i < n; i++) {
            gain.grad[i] += dy[i] * xhat[i];
            bias.grad[i] += dy[i];
            float d = dy[i] * gain.value[i];
            meanD += d;
            meanDX += d * xhat[i];
        }
        meanD /= n;
        meanDX /= n;
        for (int i = 0; i < n; i++) {
            float d = dy[i] * gain.value[i];
            dx[i] = inv * (d - meanD - xhat[i] * meanDX);
        }
    }

    /** The logistic function, stable for large |z|. */
    public static float sigmoid(float z) {
        if (z >= 0) {
            return (float) (1 / (1 + StrictMath.exp(-z)));
        }
        double e = StrictMath.exp(z);
        return (float) (e / (1 + e));
    }
}
