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
}
