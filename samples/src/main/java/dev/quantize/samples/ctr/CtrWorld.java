package dev.quantize.samples.ctr;

import dev.quantize.samples.train.Rng;

/**
 * A synthetic click-through world with a planted, learnable signal. A hidden context (3 numbers) drives
 * the dense features (noisy linear mixes, counts, a heavy-tailed value, a uniform); every categorical
 * feature has Zipf-distributed ids, each id with its own effect; two features interact through latent
 * id factors, and one id effect is modulated by the context. The click probability is the logistic of
 * the sum, with a bias chosen so about a quarter of rows click.
 *
 * <p>Drift moves the context (mean shifted, spread narrowed), doubles the count rates, widens the heavy tail 3x,
 * flattens id popularity, sends a quarter of the popular ids to the tail and lowers the base rate.
 */
final class CtrWorld {
    static final int DENSE = 13;
    static final int[] TABLE_SIZES = {20000, 5000, 1000, 300, 2000, 100, 50, 10};
    static final int[] BAG = {2, 1, 3, 1, 2, 3, 1, 2};
    private static final double[] ZIPF = {1.1, 1.05, 1.2, 1.0, 1.1, 0.9, 1.0, 0.8};
    private static final double[] EFFECT_STD = {0.5, 0.4, 0.6, 0.3, 0.5, 0.4, 0.3, 0.25};
    private static final int MIXED = 6;
    private static final double[] COUNT_RATES = {1, 2, 4, 0.5, 8};
    private static final int FACTOR_DIM = 4;
    private static final double TARGET_BASE_RATE = 0.25;
    private static final double DRIFT_ZIPF_FLATTENING = 0.3;
    private static final double DRIFT_BIAS = -1.0;

    private final double[][] mixing = new double[MIXED][3];
    private final float[][] effects = new float[TABLE_SIZES.length][];
    private final float[][] factors0;
    private final float[][] factors2;
    private final float[] contextEffect4;
    private final int[][] rankToId = new int[TABLE_SIZES.length][];
    private final int[][] driftRankToId = new int[TABLE_SIZES.length][];
    private final ZipfSampler[] popularity = new ZipfSampler[TABLE_SIZES.length];
    private final ZipfSampler[] driftPopularity = new ZipfSampler[TABLE_SIZES.length];
    private final double bias;

    CtrWorld(Rng rng) {
        for (double[] row : mixing) {
            for (int k = 0; k < 3; k++) {
                row[k] = rng.gaussian() / StrictMath.sqrt(3);
            }
        }
        for (int f = 0; f < TABLE_SIZES.length; f++) {
            int n = TABLE_SIZES[f];
            effects[f] = new float[n];
            for (int i = 0; i < n; i++) {
                effects[f][i] = (float) (rng.gaussian() * EFFECT_STD[f]);
            }
            rankToId[f] = rng.permutation(n);
            driftRankToId[f] = sendPopularToTail(rankToId[f], rng);
            popularity[f] = new ZipfSampler(n, ZIPF[f]);
            driftPopularity[f] = new ZipfSampler(n, ZIPF[f] - DRIFT_ZIPF_FLATTENING);
        }
        factors0 = factors(TABLE_SIZES[0], rng);
        factors2 = factors(TABLE_SIZES[2], rng);
        contextEffect4 = new float[TABLE_SIZES[4]];
        for (int i = 0; i < contextEffect4.length; i++) {
            contextEffect4[i] = (float) (rng.gaussian() * 0.5);
        }
        bias = solveBias(rng.split());
    }

    private static float[][] factors(int n, Rng rng) {
        float[][] u = new float[n][FACTOR_DIM];
        for (float[] row : u) {
            for (int k = 0; k < FACTOR_DIM; k++) {
                row[k] = (float) (rng.gaussian() * 0.6);
            }
        }
        return u;
    }

    /** A quarter of the ids among the most popular half trade places with random ids of the tail half. */
    private static int[] sendPopularToTail(int[] rankToId, Rng rng) {
        int[] moved = rankToId.clone();
        int n = moved.length;
        int half = n / 2;
        for (int r = 0; r < half; r++) {
            if (rng.uniform() < 0.25) {
                int tail = half + rng.nextInt(n - half);
                int t = moved[r];
                moved[r] = moved[tail];
                moved[tail] = t;
            }
        }
        return moved;
    }

    /** The bias that puts the base rate of the undrifted world at the target (bisection on a fixed sample). */
    private double solveBias(Rng rng) {
        int n = 20000;
        double[] logits = new double[n];
        for (int i = 0; i < n; i++) {
            logits[i] = sampleRow(rng, false, new float[DENSE], new long[TABLE_SIZES.length][], 0);
        }
        double lo = -10;
        double hi = 10;
        for (int it = 0; it < 60; it++) {
            double mid = (lo + hi) / 2;
            double rate = 0;
            for (double z : logits) {
                rate += 1 / (1 + StrictMath.exp(-(z + mid)));
            }
            if (rate / n < TARGET_BASE_RATE) {
                lo = mid;
            } else {
                hi = mid;
            }
        }
        return (lo + hi) / 2;
    }

    /** Draws {@code rows} rows, from the training distribution or the drifted one. */
    CtrSplit sample(Rng rng, int rows, boolean drift) {
        float[] dense = new float[rows * DENSE];
        long[][] ids = new long[TABLE_SIZES.length][];
        for (int f = 0; f < ids.length; f++) {
            ids[f] = new long[rows * BAG[f]];
        }
        float[] labels = new float[rows];
        float[] truth = new float[rows];
        float[] denseRow = new float[DENSE];
        for (int r = 0; r < rows; r++) {
            double logit = sampleRow(rng, drift, denseRow, ids, r) + bias + (drift ? DRIFT_BIAS : 0);
            double p = 1 / (1 + StrictMath.exp(-logit));
            System.arraycopy(denseRow, 0, dense, r * DENSE, DENSE);
            truth[r] = (float) p;
            labels[r] = rng.uniform() < p ? 1f : 0f;
        }
        return new CtrSplit(rows, dense, ids, labels, truth);
    }

    /**
     * Draws one row's features into {@code dense} and {@code ids[f][row * BAG[f] ...]} (ids may hold null
     * arrays: then the ids are drawn but not kept) and returns its logit without the bias.
     */
    private double sampleRow(Rng rng, boolean drift, float[] dense, long[][] ids, int row) {
        double spread = drift ? 0.9 : 1.0;
        double[] shift = drift ? new double[] {0.3, 0.3, -0.2} : new double[3];
        double[] c = new double[3];
        for (int k = 0; k < 3; k++) {
            c[k] = shift[k] + spread * rng.gaussian();
        }
        double logit = 0.9 * c[0] - 0.6 * c[1] + 0.4 * c[0] * c[2];
        for (int j = 0; j < MIXED; j++) {
            double v = 0;
            for (int k = 0; k < 3; k++) {
                v += mixing[j][k] * c[k];
            }
            dense[j] = (float) (v + 0.5 * rng.gaussian());
        }
        for (int j = 0; j < COUNT_RATES.length; j++) {
            double rate = COUNT_RATES[j] * (drift ? 2 : 1) * StrictMath.exp(0.5 * c[j % 3]);
            double v = StrictMath.log1p(rng.poisson(rate));
            dense[MIXED + j] = (float) v;
            logit += (j % 2 == 0 ? 0.15 : -0.1) * v;
        }
        double heavy = rng.gaussian() * StrictMath.exp(0.8 * rng.gaussian()) * (drift ? 3 : 1);
        dense[11] = (float) heavy;
        logit += 0.4 * StrictMath.tanh(heavy);
        double uniform = rng.uniform();
        dense[12] = (float) uniform;
        logit += uniform > 0.7 ? 0.5 : 0;

        int[] firstId = new int[TABLE_SIZES.length];
        for (int f = 0; f < TABLE_SIZES.length; f++) {
            ZipfSampler zipf = drift ? driftPopularity[f] : popularity[f];
            int[] map = drift ? driftRankToId[f] : rankToId[f];
            double effect = 0;
            for (int k = 0; k < BAG[f]; k++) {
                int id = map[zipf.sample(rng)];
                if (k == 0) {
                    firstId[f] = id;
                }
                if (ids[f] != null) {
                    ids[f][row * BAG[f] + k] = id;
                }
                effect += effects[f][id];
            }
            logit += effect / BAG[f];
        }
        double dot = 0;
        for (int k = 0; k < FACTOR_DIM; k++) {
            dot += factors0[firstId[0]][k] * factors2[firstId[2]][k];
        }
        logit += 0.6 * dot + contextEffect4[firstId[4]] * c[0];
        return logit;
    }
}
