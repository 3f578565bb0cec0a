package dev.quantize.core.kernel;

import java.lang.reflect.InvocationTargetException;

/**
 * Dot products between rows of the same small matrix, for a batch of matrices (DLRM's pairwise
 * feature interaction: x times its own transpose, then selected entries).
 *
 * <p>Shapes: x is [batches, m, k] row-major; rows and cols hold len row indices (each in [0, m));
 * y is [batches, len] with y[b, t] = sum over p of x[b, rows[t], p] * x[b, cols[t], p].
 *
 * <p>Each sum is formed in float, in order of p, starting from 0f, with the product rounded before
 * the addition: the same operations as a plain triple-loop matrix product, so results match it bit
 * for bit. Speed comes from running {@value #LANES} batch entries side by side (the matrices are
 * first interleaved so that entry e of batch b sits at xt[e * LANES + b % LANES]).
 */
public final class PairwiseDots {
    /** Batch entries computed side by side. */
    static final int LANES = 16;

    private static final Lanes KERNEL = choose();

    private PairwiseDots() {
    }

    /** The inner loops over interleaved blocks: plain Java or the Vector API. */
    interface Lanes {
        /** acc[l] for every lane l < LANES: the sums of one pair over the interleaved block xt. */
        void dots(float[] xt, int ra, int rb, int k, float[] acc);
    }

    public static void compute(float[] x, int batches, int m, int k, int[] rows, int[] cols, float[] y,
                               Parallelism par) {
        int len = rows.length;
        int row = m * k;
        int blocks = (batches + LANES - 1) / LANES;
        par.parallelFor(blocks, Math.max(1, (1 << 15) / Math.max(1, len * k * LANES)), (c0, c1) -> {
            float[] xt = new float[row * LANES];
            float[] acc = new float[LANES];
            for (int c = c0; c < c1; c++) {
                int b0 = c * LANES;
                int nb = Math.min(LANES, batches - b0);
                if (nb < LANES) {
                    java.util.Arrays.fill(xt, 0f); // unused lanes compute harmless zeros
                }
                for (int l = 0; l < nb; l++) {
                    int src = (b0 + l) * row;
                    for (int e = 0; e < row; e++) {
                        xt[e * LANES + l] = x[src + e];
                    }
                }
                for (int t = 0; t < len; t++) {
                    KERNEL.dots(xt, rows[t] * k * LANES, cols[t] * k * LANES, k, acc);
                    for (int l = 0; l < nb; l++) {
                        y[(b0 + l) * len + t] = acc[l];
                    }
                }
            }
        });
    }

    static final class Scalar implements Lanes {
        @Override
        public void dots(float[] xt, int ra, int rb, int k, float[] acc) {
            java.util.Arrays.fill(acc, 0f);
            for (int p = 0; p < k; p++) {
                int ia = ra + p * LANES;
                int ib = rb + p * LANES;
                for (int l = 0; l < LANES; l++) {
                    acc[l] += xt[ia + l] * xt[ib + l];
                }
            }
        }
    }

    private static Lanes choose() {
        if (ModuleLayer.boot().findModule("jdk.incubator.vector").isEmpty()) {
            return new Scalar();
        }
        try {
            Lanes v = (Lanes) Class.forName("dev.quantize.core.kernel.VectorPairwiseDots")
                    .getDeclaredConstructor().newInstance();
            return v != null ? v : new Scalar();
        } catch (ClassNotFoundException | NoSuchMethodException | InstantiationException
                 | IllegalAccessException | InvocationTargetException e) {
            throw new IllegalStateException("cannot load VectorPairwiseDots although jdk.incubator.vector is present", e);
        }
    }
}
