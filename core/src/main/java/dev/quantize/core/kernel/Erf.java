package dev.quantize.core.kernel;

import java.lang.reflect.InvocationTargetException;
import java.util.function.DoubleUnaryOperator;

/**
 * The error function of float32 values, evaluated in double and rounded once: within one float ulp
 * of the exact value (the double evaluation is accurate to about 1e-13).
 *
 * <p>Method: two Chebyshev expansions fitted at class initialisation to a reference erf (given by
 * the caller of {@link #fit}, see {@code SpecialFunctions.erfReference}): for |x| &lt; 1.5,
 * erf(x) = x * P(x^2) with P(t) = erf(sqrt t)/sqrt t on [0, 2.25]; above, erf(x) = 1 - exp(-x^2) * Q(x)
 * with Q = erfc(x) exp(x^2) on [1.5, 3.9] (past 3.9, erf rounds to 1 in float; Q is evaluated at
 * min(|x|, 3.9) and the exponential does the rest). Both branches are computed for every element and
 * blended, so the Vector API implementation has no branches; the plain-Java one performs the same
 * double operations in the same order (only exp may differ in its last bit from the vector one, and
 * one JVM always uses one of the two, chosen once).
 */
public final class Erf {
    /** Chebyshev terms of P and Q. */
    static final int P_TERMS = 12;
    static final int Q_TERMS = 14;
    /** Boundary between the two expansions and the end of Q's interval. */
    static final double SPLIT = 1.5;
    /** P is expanded in u = t * P_SCALE - 1 for t = x^2 in [0, SPLIT^2]. */
    static final double P_SCALE = 2.0 / (SPLIT * SPLIT);
    static final double Q_END = 3.9;
    static final double Q_MID = (SPLIT + Q_END) / 2;
    static final double Q_HALF = (Q_END - SPLIT) / 2;

    private static double[] pCoef;
    private static double[] qCoef;
    private static volatile ErfKernel kernel;

    private Erf() {
    }

    /**
     * Fits the expansions to {@code reference} (an accurate double erf); must be called once before
     * use. Idempotent: later calls are ignored.
     */
    public static synchronized void fit(DoubleUnaryOperator reference) {
        if (kernel != null) {
            return;
        }
        pCoef = toPowers(chebyshev(t -> {
            double x = Math.sqrt(t);
            return reference.applyAsDouble(x) / x;
        }, 0.0, SPLIT * SPLIT, P_TERMS));
        qCoef = toPowers(chebyshev(z -> (1.0 - reference.applyAsDouble(z)) * Math.exp(z * z), SPLIT, Q_END, Q_TERMS));
        kernel = choose();
    }

    /** Coefficients of the degree n-1 Chebyshev interpolant of f on [lo, hi] (c0 already halved). */
    private static double[] chebyshev(DoubleUnaryOperator f, double lo, double hi, int n) {
        double[] fx = new double[n];
        for (int j = 0; j < n; j++) {
            double u = Math.cos(Math.PI * (j + 0.5) / n);
            fx[j] = f.applyAsDouble((lo + hi) / 2 + (hi - lo) / 2 * u);
        }
        double[] c = new double[n];
        for (int k = 0; k < n; k++) {
            double s = 0;
            for (int j = 0; j < n; j++) {
                s += fx[j] * Math.cos(Math.PI * k * (j + 0.5) / n);
            }
            c[k] = 2.0 * s / n;
        }
        c[0] /= 2;
        return c;
    }

    /** P's coefficients in powers of u (c[k] multiplies u^k). */
    static double[] pPower() {
        return pCoef;
    }

    /** Q's coefficients in powers of u. */
    static double[] qPower() {
        return qCoef;
    }

    /**
     * The same polynomial in powers of u: T_0 = 1, T_1 = u, T_(k+1) = 2u T_k - T_(k-1). Costs a few
     * digits for these degrees (the expansions are good to 1e-12, far below a float ulp) and saves
     * two thirds of the operations of Clenshaw's recurrence.
     */
    private static double[] toPowers(double[] cheb) {
        int n = cheb.length;
        double[] out = new double[n];
        double[] prev = new double[n];
        double[] cur = new double[n];
        prev[0] = 1; // T_0
        out[0] += cheb[0];
        if (n > 1) {
            cur[1] = 1; // T_1
            out[1] += cheb[1];
        }
        for (int k = 2; k < n; k++) {
            double[] next = new double[n];
            for (int i = 0; i < n; i++) {
                next[i] = (i > 0 ? 2 * cur[i - 1] : 0) - prev[i];
            }
            for (int i = 0; i < n; i++) {
                out[i] += cheb[k] * next[i];
            }
            prev = cur;
            cur = next;
        }
        return out;
    }

    /** Horner's rule with fused multiply-add: the same operations as the vector kernel. */
    static double horner(double[] c, double u) {
        double r = c[c.length - 1];
        for (int k = c.length - 2; k >= 0; k--) {
            r = Math.fma(r, u, c[k]);
        }
        return r;
    }

    /** Which implementation runs: "scalar" or "vector". */
    public static String implementation() {
        return requireKernel() instanceof Scalar ? "scalar" : "vector";
    }

    /** Shapes: x and y hold len elements from their offsets; y may be x (in place). */
    public static void erf(float[] x, int xOff, float[] y, int yOff, int len) {
        requireKernel().erf(x, xOff, y, yOff, len);
    }

    /** One value, through the same kernel as the array form (so the results agree bit for bit). */
    public static float erf(float x) {
        float[] one = {x};
        requireKernel().erf(one, 0, one, 0, 1);
        return one[0];
    }

    private static ErfKernel requireKernel() {
        ErfKernel k = kernel;
        if (k == null) {
            throw new IllegalStateException("Erf.fit was not called");
        }
        return k;
    }

    private static ErfKernel choose() {
        if (ModuleLayer.boot().findModule("jdk.incubator.vector").isEmpty()) {
            return new Scalar();
        }
        try {
            return (ErfKernel) Class.forName("dev.quantize.core.kernel.VectorErf").getDeclaredConstructor().newInstance();
        } catch (ClassNotFoundException | NoSuchMethodException | InstantiationException
                 | IllegalAccessException | InvocationTargetException e) {
            throw new IllegalStateException("cannot load VectorErf although jdk.incubator.vector is present", e);
        }
    }

    /** The plain-Java kernel. */
    static final class Scalar implements ErfKernel {
        @Override
        public void erf(float[] x, int xOff, float[] y, int yOff, int len) {
            for (int i = 0; i < len; i++) {
                y[yOff + i] = (float) value(x[xOff + i]);
            }
        }

        private static double value(double x) {
            double ax = Math.abs(x);
            double t = ax * ax;
            double small = ax * horner(pCoef, t * P_SCALE - 1.0);
            double z = Math.min(ax, Q_END);
            double large = 1.0 - Math.exp(-t) * horner(qCoef, (z - Q_MID) / Q_HALF);
            double r = ax < SPLIT ? small : large;
            return x < 0 ? -r : r;
        }
    }
}
