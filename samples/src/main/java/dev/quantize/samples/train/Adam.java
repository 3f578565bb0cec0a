package dev.quantize.samples.train;

import java.util.List;

/** Adam (Kingma and Ba) over a fixed list of parameters, in parameter order; lazy on sparse tables. */
public final class Adam {
    private static final double BETA1 = 0.9;
    private static final double BETA2 = 0.999;
    private static final double EPSILON = 1e-8;

    private final List<Param> params;
    private final double learningRate;
    private int step;

    public Adam(List<Param> params, double learningRate) {
        this.params = List.copyOf(params);
        this.learningRate = learningRate;
    }

    /** Applies the gradients accumulated since the last step, scaled by {@code gradScale}, then clears them. */
    public void step(float gradScale) {
        step++;
        double lr = learningRate * StrictMath.sqrt(1 - StrictMath.pow(BETA2, step)) / (1 - StrictMath.pow(BETA1, step));
        for (Param p : params) {
            if (p.sparse) {
                for (int i = 0; i < p.touchedCount(); i++) {
                    int r = p.touchedRow(i);
                    update(p, r * p.rowLength, (r + 1) * p.rowLength, gradScale, lr);
                }
            } else {
                update(p, 0, p.value.length, gradScale, lr);
            }
            p.zeroGrad();
        }
    }

    private static void update(Param p, int from, int to, float gradScale, double lr) {
        float[] v = p.value;
        float[] g = p.grad;
        float[] m = p.firstMoment;
        float[] s = p.secondMoment;
        for (int i = from; i < to; i++) {
            double gi = g[i] * gradScale;
            m[i] = (float) (BETA1 * m[i] + (1 - BETA1) * gi);
            s[i] = (float) (BETA2 * s[i] + (1 - BETA2) * gi * gi);
            v[i] -= (float) (lr * m[i] / (StrictMath.sqrt(s[i]) + EPSILON));
        }
    }
}
