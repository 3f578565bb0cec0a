package dev.quantize.core.kernel;

import java.lang.reflect.InvocationTargetException;
import java.util.function.DoubleUnaryOperator;

/**
 * The error function of float32 values, evaluated in float arithmetic: measured over every float in
 * [2^-20, 4.5] (ErfTest) the result is within {@value #MAX_ULP_ERROR} float ulp of the exact value
 * (a correctly rounded result is within 0.5), and erf(x) is +-1 from |x| = 3.92 on. Evaluating in
 * float rather than double puts 16 values on an AVX-512 vector instead of 8 and needs fewer terms; the
 * executor's contract (ONNX conformance rtol 1e-3, model parity 1e-5 relative) needs far less.
 *
 * <p>Method: two polynomials fitted at class initialisation to a reference erf (given by the caller of
 * {@link #fit}, see {@code SpecialFunctions.erfReference}), Chebyshev interpolants converted to powers
 * and rounded to float. Below |x| = {@value #SPLIT}: erf(|x|) = |x| * (p0 + h) with h = t * R(t) + p0lo,
 * t = x^2, P(t) = p0 + t R(t) = erf(sqrt t)/sqrt t, the constant term split in two floats and the last
 * step one fused multiply-add, so the large constant costs no rounding. Above: erf(|x|) =
 * 1 - exp(-z^2) Q(w) (one fused multiply-add) with z = min(|x|, {@value #Q_END}), w = (z - Q_MID) / Q_HALF in [-1, 1] and
 * Q = erfc(z) exp(z^2). exp is computed here too (Cody-Waite reduction by ln 2 split in two floats,
 * the exact rounding error of z^2 from a fused multiply-add folded into the reduced argument, a
 * degree-6 Taylor polynomial, 2^n from the exponent bits), so that the plain-Java and the Vector API
 * kernels perform exactly the same float operations and agree bit for bit (ErfTest checks it). Both
 * branches are computed for every element and blended, so the vector kernel has no branches; x's sign
 * bit is copied onto the result (erf(-0) = -0, NaN stays NaN).
 */
public final class Erf {
    /** Measured bound (ErfTest asserts it), in ulp of the exact erf rounded to float. */
    static final double MAX_ULP_ERROR = 1.15;
    /** Terms of P (p0 .. p6) and of Q. */
    static final int P_TERMS = 7;
    static final int Q_TERMS = 12;
    /** Boundary between the two polynomials and the point from which Q is evaluated at Q_END. */
    static final float SPLIT = 0.875f;
    static final float Q_END = 4f;
    static final float Q_MID = (SPLIT + Q_END) / 2;
    /** 1 / Q_HALF, Q_HALF = (Q_END - SPLIT) / 2: w = (z - Q_MID) * Q_INV. */
    static final float Q_INV = 2 / (Q_END - SPLIT);
    /** exp: n = round(y log2 e) by adding 1.5 * 2^23; ln 2 = LN2_HI + LN2_LO, LN2_HI with 12 zero low bits. */
    static final float LOG2E = 1.44269504f;
    static final float MAGIC = 12582912f;
    static final int MAGIC_BITS = Float.floatToRawIntBits(MAGIC);
    static final int SIGN = 0x80000000;
    static final float LN2_HI = 0.693145751953125f;
    static final float LN2_LO = 1.42860677e-6f;
    /** Taylor coefficients 1/k! of exp on |r| <= ln(2)/2. */
    static final float E2 = 1f / 2;
    static final float E3 = 1f / 6;
    static final float E4 = 1f / 24;
    static final float E5 = 1f / 120;
    static final float E6 = 1f / 720;

    private static float[] pCoef;
    private static float p0Lo;
    private static float[] qCoef;
    private static volatile ErfKernel kernel;

    private Erf() {
    }

    /**
     * Fits the polynomials to {@code reference} (an accurate double erf); must be called once before
     * use. Idempotent: later calls are ignored.
     */
    public static synchronized void fit(DoubleUnaryOperator reference) {
        if (kernel != null) {
            return;
        }
        double s2 = (double) SPLIT * SPLIT;
        // P in powers of t: the interpolant is in u = t * 2/s2 - 1.
        double[] p = toPowers(chebyshev(t -> {
            double x = Math.sqrt(t);
            return t == 0 ? 2 / Math.sqrt(Math.PI) : reference.applyAsDouble(x) / x;
        }, 0.0, s2, P_TERMS), 2 / s2, -1);
        pCoef = toFloats(p);
        p0Lo = (float) (p[0] - pCoef[0]);
        double mid = Q_MID;
        double inv = Q_INV;
        qCoef = toFloats(toPowers(chebyshev(w -> {
            double z = w / inv + mid;
            return (1.0 - reference.applyAsDouble(z)) * Math.exp(z * z);
        }, -1, 1, Q_TERMS), 1, 0));
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

    /**
     * The Chebyshev series sum c_k T_k(u), u = a*v + b, as a polynomial in v (out[i] multiplies v^i):
     * T_0 = 1, T_1 = u, T_(k+1) = 2u T_k - T_(k-1).
     */
    private static double[] toPowers(double[] cheb, double a, double b) {
        int n = cheb.length;
        double[] out = new double[n];
        double[] prev = new double[n];
        double[] cur = new double[n];
        prev[0] = 1;
        out[0] += cheb[0];
        if (n > 1) {
            cur[0] = b;
            cur[1] = a;
            out[0] += cheb[1] * b;
            out[1] += cheb[1] * a;
        }
        for (int k = 2; k < n; k++) {
            double[] next = new double[n];
            for (int i = 0; i < n; i++) {
                next[i] = 2 * (a * (i > 0 ? cur[i - 1] : 0) + b * cur[i]) - prev[i];
            }
            for (int i = 0; i < n; i++) {
                out[i] += cheb[k] * next[i];
            }
            prev = cur;
            cur = next;
        }
        return out;
    }

    private static float[] toFloats(double[] d) {
        float[] f = new float[d.length];
        for (int i = 0; i < d.length; i++) {
            f[i] = (float) d[i];
        }
        return f;
    }

    /** P's coefficients in powers of t (p[0] is the high part of the constant term). */
    static float[] pPower() {
        return pCoef;
    }

    /** The low part of P's constant term. */
    static float p0Low() {
        return p0Lo;
    }

    /** Q's coefficients in powers of w. */
    static float[] qPower() {
        return qCoef;
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

    /** The plain-Java kernel: the vector kernel's operations, one lane at a time, in the same order. */
    static final class Scalar implements ErfKernel {
        @Override
        public void erf(float[] x, int xOff, float[] y, int yOff, int len) {
            float[] p = pCoef;
            float[] q = qCoef;
            float pLo = p0Lo;
            for (int i = 0; i < len; i++) {
                y[yOff + i] = value(x[xOff + i], p, pLo, q);
            }
        }

        private static float value(float x, float[] p, float pLo, float[] q) {
            float ax = Math.abs(x);
            float t = x * x;
            float r = p[6];
            for (int k = 5; k >= 1; k--) {
                r = Math.fma(r, t, p[k]);
            }
            float h = Math.fma(t, r, pLo);
            float small = Math.fma(ax, p[0], ax * h);

            float z = Math.min(ax, Q_END);
            float tz = z * z;
            float ez = Math.fma(z, z, -tz);
            float w = (z - Q_MID) * Q_INV;
            float qv = q[Q_TERMS - 1];
            for (int k = Q_TERMS - 2; k >= 0; k--) {
                qv = Math.fma(qv, w, q[k]);
            }
            float kk = Math.fma(-tz, LOG2E, MAGIC);
            float n = kk - MAGIC;
            float red = Math.fma(n, -LN2_HI, -tz);
            red = Math.fma(n, -LN2_LO, red);
            red = red - ez;
            float ev = Math.fma(E6, red, E5);
            ev = Math.fma(ev, red, E4);
            ev = Math.fma(ev, red, E3);
            ev = Math.fma(ev, red, E2);
            ev = Math.fma(ev, red, 1f);
            ev = Math.fma(ev, red, 1f);
            float scale = Float.intBitsToFloat(((Float.floatToRawIntBits(kk) - MAGIC_BITS) << 23) + (127 << 23));
            float e = ev * scale;
            float large = Math.fma(-e, qv, 1f);
            float positive = ax < SPLIT ? small : large;
            // Both branches are >= +0 or NaN, so this is copySign(positive, x); -0 stays -0.
            return Float.intBitsToFloat(Float.floatToRawIntBits(positive) | (Float.floatToRawIntBits(x) & SIGN));
        }
    }
}
