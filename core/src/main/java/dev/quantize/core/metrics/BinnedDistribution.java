package dev.quantize.core.metrics;

import java.util.Arrays;

/**
 * Counts of a feature's values over fixed bin edges: the mergeable summary drift statistics compare.
 * Edges come from the reference data (for example its deciles) and are then fixed, so windows of
 * production data and partitions of one window can be counted apart and added up exactly. Bin i
 * holds values in [edges[i-1], edges[i]); bin 0 everything below edges[0], the last bin everything
 * at or above the last edge. NaN is counted apart.
 */
public final class BinnedDistribution implements java.io.Serializable {
    private static final long serialVersionUID = 1L;
    private final double[] edges;
    private final long[] counts;
    private long nan;

    public BinnedDistribution(double[] edges) {
        for (int i = 1; i < edges.length; i++) {
            if (!(edges[i] > edges[i - 1])) {
                throw new IllegalArgumentException("bin edges must increase strictly: " + Arrays.toString(edges));
            }
        }
        this.edges = edges.clone();
        this.counts = new long[edges.length + 1];
    }

    /** A distribution with these counts (one more than the edges) and NaN count, e.g. read back from JSON. */
    public static BinnedDistribution of(double[] edges, long[] counts, long nan) {
        BinnedDistribution d = new BinnedDistribution(edges);
        if (counts.length != d.counts.length) {
            throw new IllegalArgumentException(edges.length + " bin edges need " + d.counts.length + " counts, got " + counts.length);
        }
        for (int i = 0; i < counts.length; i++) {
            if (counts[i] < 0) {
                throw new IllegalArgumentException("bin counts must be non-negative, got " + counts[i]);
            }
            d.counts[i] = counts[i];
        }
        if (nan < 0) {
            throw new IllegalArgumentException("the NaN count must be non-negative, got " + nan);
        }
        d.nan = nan;
        return d;
    }

    /** Edges at the reference's quantiles 1/bins, 2/bins, ... (duplicates from repeated values removed). */
    public static double[] quantileEdges(float[] reference, int bins) {
        float[] sorted = reference.clone();
        Arrays.sort(sorted);
        int n = 0;
        while (n < sorted.length && !Float.isNaN(sorted[n])) {
            n++;
        }
        double[] edges = new double[Math.max(0, bins - 1)];
        int m = 0;
        for (int b = 1; b < bins && n > 0; b++) {
            double e = sorted[(int) Math.min(n - 1, (long) n * b / bins)];
            if (m == 0 || e > edges[m - 1]) {
                edges[m++] = e;
            }
        }
        return Arrays.copyOf(edges, m);
    }

    public BinnedDistribution add(float v) {
        if (Float.isNaN(v)) {
            nan++;
            return this;
        }
        int i = Arrays.binarySearch(edges, v);
        counts[i >= 0 ? i + 1 : -i - 1]++;
        return this;
    }

    public BinnedDistribution addAll(float[] values) {
        for (float v : values) {
            add(v);
        }
        return this;
    }

    /** Adds another distribution over the same edges. */
    public BinnedDistribution merge(BinnedDistribution o) {
        if (!Arrays.equals(edges, o.edges)) {
            throw new IllegalArgumentException("cannot merge distributions over different bin edges");
        }
        for (int i = 0; i < counts.length; i++) {
            counts[i] += o.counts[i];
        }
        nan += o.nan;
        return this;
    }

    public long count() {
        long n = 0;
        for (long c : counts) {
            n += c;
        }
        return n;
    }

    public long nanCount() {
        return nan;
    }

    public long[] counts() {
        return counts.clone();
    }

    public double[] edges() {
        return edges.clone();
    }

    /**
     * Population stability index of {@code actual} against this reference:
     * Σ (a_i - r_i) ln(a_i / r_i) over bin shares, each share floored at 1e-4 so an empty bin costs a
     * finite amount. Rules of thumb: below 0.1 stable, 0.1-0.25 moderate shift, above 0.25 major shift.
     */
    public double psi(BinnedDistribution actual) {
        checkSameEdges(actual);
        double nr = count();
        double na = actual.count();
        if (nr == 0 || na == 0) {
            return Double.NaN;
        }
        double psi = 0;
        for (int i = 0; i < counts.length; i++) {
            double r = Math.max(counts[i] / nr, 1e-4);
            double a = Math.max(actual.counts[i] / na, 1e-4);
            psi += (a - r) * Math.log(a / r);
        }
        return psi;
    }

    /**
     * Kolmogorov-Smirnov distance between the two distributions, evaluated at the bin edges: the
     * largest gap between their cumulative shares. It equals the exact two-sample statistic when
     * the edges hold every distinct value, and is a lower bound of it otherwise.
     */
    public double ks(BinnedDistribution actual) {
        checkSameEdges(actual);
        double nr = count();
        double na = actual.count();
        if (nr == 0 || na == 0) {
            return Double.NaN;
        }
        double cr = 0;
        double ca = 0;
        double ks = 0;
        for (int i = 0; i < counts.length - 1; i++) {
            cr += counts[i] / nr;
            ca += actual.counts[i] / na;
            ks = Math.max(ks, Math.abs(cr - ca));
        }
        return ks;
    }

    private void checkSameEdges(BinnedDistribution o) {
        if (!Arrays.equals(edges, o.edges)) {
            throw new IllegalArgumentException("distributions over different bin edges cannot be compared");
        }
    }
}
