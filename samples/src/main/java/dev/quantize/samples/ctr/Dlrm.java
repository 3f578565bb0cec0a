package dev.quantize.samples.ctr;

import dev.quantize.samples.train.Adam;
import dev.quantize.samples.train.Layers;
import dev.quantize.samples.train.Param;
import dev.quantize.samples.train.Rng;
import java.util.ArrayList;
import java.util.List;

/**
 * A small DLRM: dense features through a bottom MLP (13-64-32-16, ReLU), each categorical bag summed
 * from its embedding table (dim 16), the pairwise dot products of the 9 vectors (strictly lower
 * triangle, 36 values) concatenated with the bottom output, a top MLP (52-64-32-1, ReLU) and a
 * sigmoid. Hand-written forward and backward, one row at a time.
 */
final class Dlrm {
    static final int DIM = 16;
    static final int[] BOTTOM = {CtrWorld.DENSE, 64, 32, DIM};
    static final int VECTORS = 1 + CtrWorld.TABLE_SIZES.length;
    static final int PAIRS = VECTORS * (VECTORS - 1) / 2;
    static final int[] TOP = {DIM + PAIRS, 64, 32, 1};

    final Param[] bottomW = new Param[3];
    final Param[] bottomB = new Param[3];
    final Param[] tables = new Param[CtrWorld.TABLE_SIZES.length];
    final Param[] topW = new Param[3];
    final Param[] topB = new Param[3];

    // per-row activations, kept for the backward pass
    private final float[][] bottomAct = {new float[BOTTOM[0]], new float[BOTTOM[1]], new float[BOTTOM[2]], new float[BOTTOM[3]]};
    private final float[][] vectors = new float[VECTORS][DIM];
    private final float[][] topAct = {new float[TOP[0]], new float[TOP[1]], new float[TOP[2]], new float[TOP[3]]};

    Dlrm(Rng rng) {
        for (int l = 0; l < 3; l++) {
            bottomW[l] = Param.dense("bottom_mlp." + 2 * l + ".weight", BOTTOM[l + 1], BOTTOM[l])
                    .initGaussian(rng, StrictMath.sqrt(2.0 / BOTTOM[l]));
            bottomB[l] = Param.dense("bottom_mlp." + 2 * l + ".bias", BOTTOM[l + 1]);
        }
        for (int f = 0; f < tables.length; f++) {
            tables[f] = Param.rows("emb_bags." + f + ".weight", CtrWorld.TABLE_SIZES[f], DIM).initGaussian(rng, 0.1);
        }
        for (int l = 0; l < 3; l++) {
            topW[l] = Param.dense("top_mlp." + 2 * l + ".weight", TOP[l + 1], TOP[l])
                    .initGaussian(rng, StrictMath.sqrt((l == 2 ? 1.0 : 2.0) / TOP[l]));
            topB[l] = Param.dense("top_mlp." + 2 * l + ".bias", TOP[l + 1]);
        }
    }

    List<Param> params() {
        List<Param> all = new ArrayList<>();
        for (int l = 0; l < 3; l++) {
            all.add(bottomW[l]);
            all.add(bottomB[l]);
        }
        all.addAll(List.of(tables));
        for (int l = 0; l < 3; l++) {
            all.add(topW[l]);
            all.add(topB[l]);
        }
        return all;
    }

    /** The click probability of row {@code r}; leaves the activations for {@link #backward}. */
    float forward(CtrSplit data, int r) {
        System.arraycopy(data.dense(), r * CtrWorld.DENSE, bottomAct[0], 0, CtrWorld.DENSE);
        for (int l = 0; l < 3; l++) {
            Layers.linear(bottomAct[l], bottomW[l], bottomB[l], bottomAct[l + 1]);
            Layers.relu(bottomAct[l + 1], bottomAct[l + 1], BOTTOM[l + 1]);
        }
        System.arraycopy(bottomAct[3], 0, vectors[0], 0, DIM);
        for (int f = 0; f < tables.length; f++) {
            float[] v = vectors[f + 1];
            java.util.Arrays.fill(v, 0f);
            int bag = CtrWorld.BAG[f];
            for (int k = 0; k < bag; k++) {
                int base = (int) data.ids()[f][r * bag + k] * DIM;
                for (int d = 0; d < DIM; d++) {
                    v[d] += tables[f].value[base + d];
                }
            }
        }
        float[] z = topAct[0];
        System.arraycopy(vectors[0], 0, z, 0, DIM);
        int t = DIM;
        for (int i = 1; i < VECTORS; i++) {
            for (int j = 0; j < i; j++) {
                float dot = 0;
                for (int d = 0; d < DIM; d++) {
                    dot += vectors[i][d] * vectors[j][d];
                }
                z[t++] = dot;
            }
        }
        for (int l = 0; l < 3; l++) {
            Layers.linear(topAct[l], topW[l], topB[l], topAct[l + 1]);
            if (l < 2) {
                Layers.relu(topAct[l + 1], topAct[l + 1], TOP[l + 1]);
            }
        }
        return Layers.sigmoid(topAct[3][0]);
    }

    /** Accumulates the gradients of the binary cross-entropy of the last forward row. */
    void backward(CtrSplit data, int r, float probability) {
        float[] d = {probability - data.labels()[r]};
        float[] dPrev = null;
        for (int l = 2; l >= 0; l--) {
            dPrev = new float[TOP[l]];
            Layers.linearBackward(topAct[l], d, topW[l], topB[l], dPrev);
            if (l > 0) {
                Layers.reluBackward(topAct[l], dPrev, dPrev, TOP[l]);
            }
            d = dPrev;
        }
        float[][] dv = new float[VECTORS][DIM];
        System.arraycopy(dPrev, 0, dv[0], 0, DIM);
        int t = DIM;
        for (int i = 1; i < VECTORS; i++) {
            for (int j = 0; j < i; j++) {
                float g = dPrev[t++];
                for (int k = 0; k < DIM; k++) {
                    dv[i][k] += g * vectors[j][k];
                    dv[j][k] += g * vectors[i][k];
                }
            }
        }
        for (int f = 0; f < tables.length; f++) {
            int bag = CtrWorld.BAG[f];
            for (int k = 0; k < bag; k++) {
                int id = (int) data.ids()[f][r * bag + k];
                tables[f].touch(id);
                int base = id * DIM;
                for (int e = 0; e < DIM; e++) {
                    tables[f].grad[base + e] += dv[f + 1][e];
                }
            }
        }
        d = dv[0];
        for (int l = 2; l >= 0; l--) {
            Layers.reluBackward(bottomAct[l + 1], d, d, BOTTOM[l + 1]);
            float[] dx = l > 0 ? new float[BOTTOM[l]] : null;
            Layers.linearBackward(bottomAct[l], d, bottomW[l], bottomB[l], dx);
            d = dx;
        }
    }

    /** Mini-batch Adam over shuffled rows. */
    void train(CtrSplit data, Rng rng, int epochs, int batchSize, double learningRate) {
        Adam adam = new Adam(params(), learningRate);
        for (int epoch = 0; epoch < epochs; epoch++) {
            int[] order = rng.permutation(data.rows());
            for (int start = 0; start < order.length; start += batchSize) {
                int end = Math.min(order.length, start + batchSize);
                for (int i = start; i < end; i++) {
                    int r = order[i];
                    backward(data, r, forward(data, r));
                }
                adam.step(1f / (end - start));
            }
        }
    }

    float[] predict(CtrSplit data) {
        float[] p = new float[data.rows()];
        for (int r = 0; r < p.length; r++) {
            p[r] = forward(data, r);
        }
        return p;
    }
}
