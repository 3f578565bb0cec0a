package dev.quantize.samples.mlp;

import dev.quantize.samples.train.Adam;
import dev.quantize.samples.train.Layers;
import dev.quantize.samples.train.Param;
import dev.quantize.samples.train.Rng;
import java.util.List;

/**
 * An MLP classifier 64-128-128-10 with LayerNorm and GELU after each hidden Linear, trained with
 * softmax cross-entropy.
 *
 * <p>Outlier channels, as in transformers: a few channels of the first LayerNorm carry a fixed large
 * factor s (y = s (gain xhat + bias)) and the next Linear reads them divided by s. Training sees
 * GELU(s u) / s, a well-behaved function of u; {@link #foldOutlierScales()} then moves s into the
 * LayerNorm's gain and bias and 1/s into the next weight's columns, which leaves the function as it is
 * but makes those channels hundreds of times larger than the rest after the first LayerNorm's affine.
 */
final class Mlp {
    static final int HIDDEN = 128;
    static final float LN_EPSILON = 1e-5f;
    static final int[] OUTLIER_CHANNELS = {7, 40, 77, 101};
    static final float[] OUTLIER_SCALES = {60, 90, 120, 150};

    final Param w1 = Param.dense("fc1.weight", HIDDEN, MixtureWorld.FEATURES);
    final Param b1 = Param.dense("fc1.bias", HIDDEN);
    final Param gain1 = Param.dense("ln1.weight", HIDDEN).fill(1f);
    final Param bias1 = Param.dense("ln1.bias", HIDDEN);
    final Param w2 = Param.dense("fc2.weight", HIDDEN, HIDDEN);
    final Param b2 = Param.dense("fc2.bias", HIDDEN);
    final Param gain2 = Param.dense("ln2.weight", HIDDEN).fill(1f);
    final Param bias2 = Param.dense("ln2.bias", HIDDEN);
    final Param w3 = Param.dense("fc3.weight", MixtureWorld.CLASSES, HIDDEN);
    final Param b3 = Param.dense("fc3.bias", MixtureWorld.CLASSES);
    private final float[] channelScale = new float[HIDDEN];

    private final float[] x = new float[MixtureWorld.FEATURES];
    private final float[] h1 = new float[HIDDEN];
    private final float[] xhat1 = new float[HIDDEN];
    private final float[] n1 = new float[HIDDEN];
    private final float[] a1 = new float[HIDDEN];
    private final float[] h2 = new float[HIDDEN];
    private final float[] xhat2 = new float[HIDDEN];
    private final float[] n2 = new float[HIDDEN];
    private final float[] a2 = new float[HIDDEN];
    private final float[] logits = new float[MixtureWorld.CLASSES];
    private float inv1;
    private float inv2;

    Mlp(Rng rng) {
        w1.initGaussian(rng, StrictMath.sqrt(2.0 / MixtureWorld.FEATURES));
        w2.initGaussian(rng, StrictMath.sqrt(2.0 / HIDDEN));
        w3.initGaussian(rng, StrictMath.sqrt(1.0 / HIDDEN));
        java.util.Arrays.fill(channelScale, 1f);
        for (int i = 0; i < OUTLIER_CHANNELS.length; i++) {
            channelScale[OUTLIER_CHANNELS[i]] = OUTLIER_SCALES[i];
        }
    }

    List<Param> params() {
        return List.of(w1, b1, gain1, bias1, w2, b2, gain2, bias2, w3, b3);
    }

    /** The logits of row {@code r} (a view, overwritten by the next call). */
    float[] forward(MixtureSplit data, int r) {
        System.arraycopy(data.features(), r * MixtureWorld.FEATURES, x, 0, MixtureWorld.FEATURES);
        Layers.linear(x, w1, b1, h1);
        inv1 = Layers.layerNorm(h1, gain1, bias1, LN_EPSILON, xhat1, n1, HIDDEN);
        for (int c = 0; c < HIDDEN; c++) {
            n1[c] *= channelScale[c];
        }
        Layers.gelu(n1, a1, HIDDEN);
        for (int c = 0; c < HIDDEN; c++) {
            a1[c] /= channelScale[c];
        }
        Layers.linear(a1, w2, b2, h2);
        inv2 = Layers.layerNorm(h2, gain2, bias2, LN_EPSILON, xhat2, n2, HIDDEN);
        Layers.gelu(n2, a2, HIDDEN);
        Layers.linear(a2, w3, b3, logits);
        return logits;
    }

    /** Accumulates the gradients of the softmax cross-entropy of the last forward row. */
    void backward(long label) {
        int classes = MixtureWorld.CLASSES;
        float max = logits[0];
        for (int k = 1; k < classes; k++) {
            max = Math.max(max, logits[k]);
        }
        double sum = 0;
        float[] dLogits = new float[classes];
        for (int k = 0; k < classes; k++) {
            dLogits[k] = (float) StrictMath.exp(logits[k] - max);
            sum += dLogits[k];
        }
        for (int k = 0; k < classes; k++) {
            dLogits[k] = (float) (dLogits[k] / sum) - (k == label ? 1f : 0f);
        }
        float[] da2 = new float[HIDDEN];
        Layers.linearBackward(a2, dLogits, w3, b3, da2);
        float[] dn2 = new float[HIDDEN];
        Layers.geluBackward(n2, da2, dn2, HIDDEN);
        float[] dh2 = new float[HIDDEN];
        Layers.layerNormBackward(xhat2, inv2, dn2, gain2, bias2, dh2, HIDDEN);
        float[] da1 = new float[HIDDEN];
        Layers.linearBackward(a1, dh2, w2, b2, da1);
        for (int c = 0; c < HIDDEN; c++) {
            da1[c] /= channelScale[c];
        }
        float[] dn1 = new float[HIDDEN];
        Layers.geluBackward(n1, da1, dn1, HIDDEN);
        for (int c = 0; c < HIDDEN; c++) {
            dn1[c] *= channelScale[c];
        }
        float[] dh1 = new float[HIDDEN];
        Layers.layerNormBackward(xhat1, inv1, dn1, gain1, bias1, dh1, HIDDEN);
        Layers.linearBackward(x, dh1, w1, b1, null);
    }

    void train(MixtureSplit data, Rng rng, int epochs, int batchSize, double learningRate) {
        Adam adam = new Adam(params(), learningRate);
        for (int epoch = 0; epoch < epochs; epoch++) {
            int[] order = rng.permutation(data.rows());
            for (int start = 0; start < order.length; start += batchSize) {
                int end = Math.min(order.length, start + batchSize);
                for (int i = start; i < end; i++) {
                    forward(data, order[i]);
                    backward(data.labels()[order[i]]);
                }
                adam.step(1f / (end - start));
            }
        }
    }

    /** Moves the outlier factors into the parameters (see the class comment); the function stays the same. */
    void foldOutlierScales() {
        for (int c = 0; c < HIDDEN; c++) {
            float s = channelScale[c];
            if (s == 1f) {
                continue;
            }
            gain1.value[c] *= s;
            bias1.value[c] *= s;
            for (int o = 0; o < HIDDEN; o++) {
                w2.value[o * HIDDEN + c] /= s;
            }
            channelScale[c] = 1f;
        }
    }

    /** Logits of every row, (rows, CLASSES). */
    float[] predict(MixtureSplit data) {
        float[] out = new float[data.rows() * MixtureWorld.CLASSES];
        for (int r = 0; r < data.rows(); r++) {
            System.arraycopy(forward(data, r), 0, out, r * MixtureWorld.CLASSES, MixtureWorld.CLASSES);
        }
        return out;
    }

    /** The first LayerNorm's output (after its affine) of the last forward row. */
    float[] firstNormOutput() {
        return n1;
    }
}
