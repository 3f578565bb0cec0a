package dev.quantize.core.exec.ops;

import dev.quantize.core.kernel.Erf;

/** Mathematical functions the JDK lacks, in double precision. */
public final class SpecialFunctions {
    private SpecialFunctions() {
    }

    private static final double TWO_OVER_SQRT_PI = 1.1283791670955126;

    /** Grid of the erf table: points k / 32 up to the cut-off, past which erf is +-1 in double. */
    private static final int GRID = 32;
    private static final double CUTOFF = 6.5;
    private static final int POINTS = (int) (CUTOFF * GRID) + 2;
    /** Taylor terms: with |d| <= 1/64 the 12th is below 1e-17 of the result everywhere on [0, 6.5]. */
    private static final int TERMS = 12;
    /** erf at the grid points. */
    private static final double[] ERF_AT = new double[POINTS];
    /** Taylor coefficients at the grid points: COEF[k * TERMS + n - 1] multiplies d^n. */
    private static final double[] COEF = new double[POINTS * TERMS];

    static {
        // The n-th derivative of erf is (-1)^(n-1) H_(n-1)(x) erf'(x), erf'(x) = 2/sqrt(pi) e^(-x^2), with
        // H the physicists' Hermite polynomials: H_0 = 1, H_1 = 2x, H_(n+1) = 2x H_n - 2n H_(n-1).
        for (int k = 0; k < POINTS; k++) {
            double x0 = (double) k / GRID;
            ERF_AT[k] = erfReference(x0);
            double slope = TWO_OVER_SQRT_PI * Math.exp(-x0 * x0);
            double hPrev = 0;
            double h = 1; // H_(n-1), starting at H_0
            double factorial = 1;
            for (int n = 1; n <= TERMS; n++) {
                factorial *= n;
                COEF[k * TERMS + n - 1] = (n % 2 == 1 ? 1 : -1) * h * slope / factorial;
                double next = 2 * x0 * h - 2 * (n - 1) * hPrev;
                hPrev = h;
                h = next;
            }
        }
    }

    /**
     * The error function, fast: the Taylor polynomial around the nearest point of a 1/32 grid,
     * whose coefficients come from {@link #erfReference} and the derivatives of erf. Agrees with
     * the reference to within 1e-13 (the reference's own accuracy near |x| = 3 is of that order).
     */
    public static double erf(double x) {
        return erf(x, TERMS);
    }

    static {
        Erf.fit(SpecialFunctions::erfReference);
    }

    /**
     * erf of a float, evaluated in float within 1.15 ulp of the exact value (measured over every float
     * in [1/16, 4.5], see ErfTest): the vectorised kernel {@link Erf}, fitted to {@link #erfReference}.
     * Always the same bits as the array form.
     */
    public static float erfFloat(float x) {
        return Erf.erf(x);
    }

    /** y[yOff + i] = erfFloat(x[xOff + i]) for i < len (y may be x). */
    public static void erfFloat(float[] x, int xOff, float[] y, int yOff, int len) {
        Erf.erf(x, xOff, y, yOff, len);
    }

    private static double erf(double x, int terms) {
        if (Double.isNaN(x)) {
            return x;
        }
        double ax = Math.abs(x);
        if (ax >= CUTOFF) {
            return Math.signum(x);
        }
        int k = (int) (ax * GRID + 0.5); // nearest grid point (ax >= 0, so truncation rounds half up)
        double d = ax - (double) k / GRID;
        int base = k * TERMS;
        double p = COEF[base + terms - 1];
        for (int n = terms - 1; n >= 1; n--) {
            p = p * d + COEF[base + n - 1];
        }
        double r = ERF_AT[k] + p * d;
        return x < 0 ? -r : r;
    }

    /**
     * The error function, slow and accurate to about 1e-15 absolute: the Maclaurin series below |x| = 3
     * (terms stay below e^9, so cancellation costs at most four of sixteen digits) and the
     * continued fraction of erfc above, where it converges in a few dozen terms.
     */
    public static double erfReference(double x) {
        if (Double.isNaN(x)) {
            return x;
        }
        double ax = Math.abs(x);
        if (ax < 3.0) {
            double x2 = x * x;
            double term = x;
            double sum = x;
            for (int n = 1; n < 200; n++) {
                term *= -x2 / n;
                double add = term / (2 * n + 1);
                sum += add;
                if (Math.abs(add) < 1e-17 * Math.abs(sum)) {
                    break;
                }
            }
            return TWO_OVER_SQRT_PI * sum;
        }
        if (ax > 6.5) {
            return Math.signum(x);
        }
        // erfc(x) = exp(-x^2)/sqrt(pi) * 1/(x + (1/2)/(x + 1/(x + (3/2)/(x + 2/(x + ...))))), evaluated bottom-up.
        double f = ax;
        for (int k = 60; k >= 1; k--) {
            f = ax + (k / 2.0) / f;
        }
        double erfc = Math.exp(-ax * ax) / (Math.sqrt(Math.PI) * f);
        return Math.signum(x) * (1.0 - erfc);
    }
}
