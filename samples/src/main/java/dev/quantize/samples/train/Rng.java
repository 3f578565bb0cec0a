package dev.quantize.samples.train;

import java.util.SplittableRandom;

/**
 * The one source of randomness of the generator: a seeded {@link SplittableRandom} plus normal
 * deviates by Box-Muller over {@link StrictMath}, so the same seed gives the same bits on every JVM.
 */
public final class Rng {
    private final SplittableRandom random;
    private double spareGaussian;
    private boolean hasSpare;

    public Rng(long seed) {
        this(new SplittableRandom(seed));
    }

    private Rng(SplittableRandom random) {
        this.random = random;
    }

    /** An independent stream; the parent's sequence advances by one step. */
    public Rng split() {
        return new Rng(random.split());
    }

    /** Uniform in [0, 1). */
    public double uniform() {
        return random.nextDouble();
    }

    /** Uniform in [0, bound). */
    public int nextInt(int bound) {
        return random.nextInt(bound);
    }

    /** Standard normal. */
    public double gaussian() {
        if (hasSpare) {
            hasSpare = false;
            return spareGaussian;
        }
        double u = 1 - random.nextDouble(); // (0, 1]: log stays finite
        double v = random.nextDouble();
        double r = StrictMath.sqrt(-2 * StrictMath.log(u));
        spareGaussian = r * StrictMath.sin(2 * Math.PI * v);
        hasSpare = true;
        return r * StrictMath.cos(2 * Math.PI * v);
    }

    /** Poisson with mean {@code lambda} (Knuth's product of uniforms; fine for the small means used here). */
    public int poisson(double lambda) {
        double limit = StrictMath.exp(-lambda);
        double product = uniform();
        int k = 0;
        while (product > limit) {
            product *= uniform();
            k++;
        }
        return k;
    }

    /** Shuffles in place (Fisher-Yates). */
    public void shuffle(int[] a) {
        for (int i = a.length - 1; i > 0; i--) {
            int j = nextInt(i + 1);
            int t = a[i];
            a[i] = a[j];
            a[j] = t;
        }
    }

    /** 0..n-1 in random order. */
    public int[] permutation(int n) {
        int[] p = new int[n];
        for (int i = 0; i < n; i++) {
            p[i] = i;
        }
        shuffle(p);
        return p;
    }
}
