package dev.quantize.samples.mlp;

import dev.quantize.samples.train.Rng;

/**
 * A synthetic 10-class tabular world: each class is a mixture of two Gaussian components in a hidden
 * 16-dimensional space, seen through a fixed random map into 64 features, plus feature noise, each
 * feature with its own scale and offset.
 *
 * <p>Drift skews the class priors toward the first classes, grows the noise 1.4x, shifts features
 * 0-15 by one feature-scale unit and spreads features 16-31 1.6x about their offsets.
 */
final class MixtureWorld {
    static final int FEATURES = 64;
    static final int CLASSES = 10;
    private static final int HIDDEN = 16;
    private static final int COMPONENTS = 2;
    private static final double SEPARATION = 0.95;
    private static final double NOISE = 0.6;

    private final double[][][] means = new double[CLASSES][COMPONENTS][HIDDEN];
    private final double[][] map = new double[FEATURES][HIDDEN];
    private final double[] scale = new double[FEATURES];
    private final double[] offset = new double[FEATURES];

    MixtureWorld(Rng rng) {
        for (double[][] cls : means) {
            for (double[] mean : cls) {
                for (int h = 0; h < HIDDEN; h++) {
                    mean[h] = SEPARATION * rng.gaussian();
                }
            }
        }
        for (double[] row : map) {
            for (int h = 0; h < HIDDEN; h++) {
                row[h] = rng.gaussian() / StrictMath.sqrt(HIDDEN);
            }
        }
        for (int j = 0; j < FEATURES; j++) {
            scale[j] = StrictMath.exp(0.4 * rng.gaussian());
            offset[j] = 0.5 * rng.gaussian();
        }
    }

    MixtureSplit sample(Rng rng, int rows, boolean drift) {
        double[] prior = new double[CLASSES];
        double total = 0;
        for (int k = 0; k < CLASSES; k++) {
            prior[k] = drift ? StrictMath.pow(0.75, k) : 1;
            total += prior[k];
        }
        float[] x = new float[rows * FEATURES];
        long[] labels = new long[rows];
        double[] z = new double[HIDDEN];
        double noise = NOISE * (drift ? 1.4 : 1);
        for (int r = 0; r < rows; r++) {
            double u = rng.uniform() * total;
            int k = 0;
            while (k < CLASSES - 1 && u >= prior[k]) {
                u -= prior[k];
                k++;
            }
            labels[r] = k;
            double[] mean = means[k][rng.nextInt(COMPONENTS)];
            for (int h = 0; h < HIDDEN; h++) {
                z[h] = mean[h] + rng.gaussian();
            }
            for (int j = 0; j < FEATURES; j++) {
                double v = noise * rng.gaussian();
                for (int h = 0; h < HIDDEN; h++) {
                    v += map[j][h] * z[h];
                }
                if (drift && j < 16) {
                    v += 1;
                } else if (drift && j < 32) {
                    v *= 1.6;
                }
                x[r * FEATURES + j] = (float) (scale[j] * v + offset[j]);
            }
        }
        return new MixtureSplit(rows, x, labels);
    }
}
