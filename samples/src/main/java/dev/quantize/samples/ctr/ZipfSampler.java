package dev.quantize.samples.ctr;

import dev.quantize.samples.train.Rng;

/** Draws ranks 0..n-1 with probability proportional to (rank + 1)^-exponent, by binary search in the CDF. */
final class ZipfSampler {
    private final double[] cdf;

    ZipfSampler(int n, double exponent) {
        cdf = new double[n];
        double sum = 0;
        for (int r = 0; r < n; r++) {
            sum += StrictMath.pow(r + 1, -exponent);
            cdf[r] = sum;
        }
        for (int r = 0; r < n; r++) {
            cdf[r] /= sum;
        }
    }

    int sample(Rng rng) {
        double u = rng.uniform();
        int lo = 0;
        int hi = cdf.length - 1;
        while (lo < hi) {
            int mid = (lo + hi) >>> 1;
            if (cdf[mid] > u) {
                hi = mid;
            } else {
                lo = mid + 1;
            }
        }
        return lo;
    }
}
