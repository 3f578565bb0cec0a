package dev.quantize.samples.train;

import static org.junit.jupiter.api.Assertions.assertEquals;

import org.junit.jupiter.api.Test;

/** Backward passes against central finite differences of the forward passes (in double on small sizes). */
class LayersTest {
    private static final int N = 7;

    @Test
    void erfMatchesReferenceValues() {
        // erf values from tables of the function
        assertEquals(0.0, Erf.erf(0), 1e-9);
        assertEquals(0.5204998778, Erf.erf(0.5), 2e-7);
        assertEquals(0.8427007929, Erf.erf(1), 2e-7);
        assertEquals(-0.9953222650, Erf.erf(-2), 2e-7);
        assertEquals(0.9999779095, Erf.erf(3), 2e-7);
    }

    @Test
    void linearGradientsMatchFiniteDifferences() {
        Rng rng = new Rng(3);
        Param w = Param.dense("w", 5, N).initGaussian(rng, 0.5);
        Param b = Param.dense("b", 5).initGaussian(rng, 0.5);
        float[] x = gaussian(rng, N);
        float[] dy = gaussian(rng, 5);
        float[] dx = new float[N];
        Layers.linearBackward(x, dy, w, b, dx);
        float[] y = new float[5];
        for (int i = 0; i < N; i++) {
            final int k = i;
            double numeric = numeric(() -> {
                Layers.linear(x, w, b, y);
                return dot(y, dy);
            }, x, k);
            assertEquals(numeric, dx[k], 2e-3, "dx " + k);
        }
        double numericW = numeric(() -> {
            Layers.linear(x, w, b, y);
            return dot(y, dy);
        }, w.value, 12);
        assertEquals(numericW, w.grad[12], 2e-3);
        assertEquals(dy[3], b.grad[3], 0);
    }

    @Test
    void layerNormGradientsMatchFiniteDifferences() {
        Rng rng = new Rng(5);
        Param gain = Param.dense("g", N).initGaussian(rng, 1);
        Param bias = Param.dense("b", N).initGaussian(rng, 1);
        float[] x = gaussian(rng, N);
        float[] dy = gaussian(rng, N);
        float[] xhat = new float[N];
        float[] y = new float[N];
        float inv = Layers.layerNorm(x, gain, bias, 1e-5f, xhat, y, N);
        float[] dx = new float[N];
        Layers.layerNormBackward(xhat, inv, dy, gain, bias, dx, N);
        float[] xh = new float[N];
        float[] out = new float[N];
        for (int i = 0; i < N; i++) {
            double numeric = numeric(() -> {
                Layers.layerNorm(x, gain, bias, 1e-5f, xh, out, N);
                return dot(out, dy);
            }, x, i);
            assertEquals(numeric, dx[i], 5e-3, "dx " + i);
        }
        double numericGain = numeric(() -> {
            Layers.layerNorm(x, gain, bias, 1e-5f, xh, out, N);
            return dot(out, dy);
        }, gain.value, 2);
        assertEquals(numericGain, gain.grad[2], 2e-3);
    }

    @Test
    void geluGradientMatchesFiniteDifferences() {
        float[] x = {-3f, -1.2f, -0.3f, 0f, 0.4f, 1.7f, 4f};
        float[] dy = {1, 1, 1, 1, 1, 1, 1};
        float[] dx = new float[N];
        Layers.geluBackward(x, dy, dx, N);
        float[] y = new float[N];
        for (int i = 0; i < N; i++) {
            final int k = i;
            double numeric = numeric(() -> {
                Layers.gelu(x, y, N);
                return y[k];
            }, x, k);
            assertEquals(numeric, dx[i], 2e-3, "x = " + x[i]);
        }
        Layers.gelu(x, y, N);
        assertEquals(1.7 * 0.5 * (1 + 0.9108690745), y[5], 1e-5); // erf(1.7 / sqrt 2) = 0.9108690745
    }

    @Test
    void adamMovesAgainstTheGradientAndOnlyTouchedRows() {
        Param table = Param.rows("t", 4, 2).fill(1f);
        Param w = Param.dense("w", 2).fill(1f);
        table.touch(2);
        table.grad[4] = 1f;
        table.grad[5] = -1f;
        w.grad[0] = 2f;
        new Adam(java.util.List.of(table, w), 0.1).step(1f);
        // the first Adam step moves every coordinate with a gradient by the learning rate, against its sign
        assertEquals(0.9f, table.value[4], 1e-6);
        assertEquals(1.1f, table.value[5], 1e-6);
        assertEquals(1f, table.value[0]);
        assertEquals(0.9f, w.value[0], 1e-6);
        assertEquals(1f, w.value[1]);
        assertEquals(0f, table.grad[4]);
    }

    private interface Loss {
        double value();
    }

    private static double numeric(Loss loss, float[] values, int i) {
        float h = 1e-2f;
        float saved = values[i];
        values[i] = saved + h;
        double up = loss.value();
        values[i] = saved - h;
        double down = loss.value();
        values[i] = saved;
        return (up - down) / (2 * h);
    }

    private static double dot(float[] a, float[] b) {
        double s = 0;
        for (int i = 0; i < a.length; i++) {
            s += (double) a[i] * b[i];
        }
        return s;
    }

    private static float[] gaussian(Rng rng, int n) {
        float[] v = new float[n];
        for (int i = 0; i < n; i++) {
            v[i] = (float) rng.gaussian();
        }
        return v;
    }
}
