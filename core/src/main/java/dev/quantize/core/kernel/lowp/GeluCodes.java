package dev.quantize.core.kernel.lowp;

import dev.quantize.core.kernel.Erf;

/**
 * The int8 code an Erf-form GELU's output lands in when the next layer quantizes it with a static
 * scale, without a full-precision erf per element: q(y) = quantize(gelu(y)), gelu(y) = (y * (erf(y / d)
 * + 1)) * 0.5 evaluated in float exactly as the executor's fused GELU does ({@link Erf}), quantize =
 * clamp(rint(g / s) + z) as {@link Int8Gemm} (NaN to z). The codes are those of that float chain, bit
 * for bit: only where the chain's value lies close to a rounding boundary of the quantizer does the
 * chain itself run.
 *
 * <p>Method: a cheap GELU, g~ = y - r for y &gt;= 0 and r below, r = 0.5 y / P(|y| / d)^16, P the
 * degree-6 polynomial of Abramowitz and Stegun's erf approximation 7.1.28 (|error| &lt;= 3e-7 in exact
 * arithmetic). In float it stays within {@link #MAX_ERROR} of the chain's gelu for every y
 * (GeluCodesTest measures the largest difference over 16 million floats: 9.5e-7, two ulp of 4). Then
 * w = g~ / s and c = rint(w): whenever w is farther than {@code guard} = 16 MAX_ERROR / s + 1e-4 (in
 * code steps; the 1e-4 covers w's own rounding) from a half-integer, the chain's g / s rounds to the
 * same integer, so c + z (clamped) is its code. Elements closer than that to a boundary (about 2 guard
 * of them, e.g. 0.2% at s = 0.03), NaN and infinities are collected and run through the chain itself,
 * in one vectorised pass. 16 lanes cost 7 fused multiply-adds, 5 multiplies and a division instead of
 * the erf's ~45 operations and the GELU's and quantizer's passes over memory.
 *
 * <p>A scale so small that the guard exceeds 0.25 of a step (s below ~1.3e-4) is refused.
 */
public final class GeluCodes {
    /** Bound on |g~ - gelu| in float over all y (measured 9.5e-7; GeluCodesTest asserts it). */
    static final float MAX_ERROR = 2e-6f;
    /** Abramowitz and Stegun 7.1.28: erf(x) ~ 1 - (1 + a1 x + ... + a6 x^6)^-16 for x &gt;= 0. */
    static final float A1 = 0.0705230784f;
    static final float A2 = 0.0422820123f;
    static final float A3 = 0.0092705272f;
    static final float A4 = 0.0001520143f;
    static final float A5 = 0.0002765672f;
    static final float A6 = 0.0000430638f;
    /** rint by adding and subtracting 1.5 * 2^23 (exact for |w| &lt; 2^22). */
    static final float MAGIC = 12582912f;

    /** Per-thread list of the elements near a boundary (a table is shared by threads). */
    private static final ThreadLocal<int[]> NEAR = ThreadLocal.withInitial(() -> new int[0]);
    private static final boolean VECTOR = ModuleLayer.boot().findModule("jdk.incubator.vector").isPresent();

    private final float divisor;
    private final Int8Gemm.Activation act;
    final float invDivisor;
    final float invScale;
    /** Half a step minus the guard: |w - rint(w)| above this goes to the chain. */
    final float safe;
    /** w is clamped to [wLo, wHi] (a code beyond the range either way) so that rint by MAGIC stays exact. */
    final float wLo;
    final float wHi;

    private GeluCodes(float divisor, Int8Gemm.Activation act) {
        this.divisor = divisor;
        this.act = act;
        this.invDivisor = 1f / divisor;
        this.invScale = 1f / act.scale();
        float guard = 16 * MAX_ERROR / act.scale() + 1e-4f;
        if (!(guard <= 0.25f)) {
            throw new IllegalArgumentException("GELU codes: activation scale " + act.scale()
                    + " is too small for the fast path (guard " + guard + " of a step)");
        }
        this.safe = 0.5f - guard;
        this.wLo = act.qmin() - act.zeroPoint() - 2;
        this.wHi = act.qmax() - act.zeroPoint() + 2;
    }

    /**
     * The codes of GELU (x * (erf(x / divisor) + 1)) * 0.5 under the activation quantization
     * {@code act}. {@link Erf} must be fitted (the executor's ops do it when they load).
     */
    public static GeluCodes of(float divisor, Int8Gemm.Activation act) {
        if (!(divisor > 0f) || !Float.isFinite(divisor)) {
            throw new IllegalArgumentException("GELU codes: divisor must be positive and finite, got " + divisor);
        }
        return new GeluCodes(divisor, act);
    }

    /** The activation quantization the codes are for. */
    public Int8Gemm.Activation activation() {
        return act;
    }

    /** The code of one value by the float chain itself: quantize((y * (erf(y / d) + 1)) * 0.5). */
    public float exact(float y) {
        float e = Erf.erf(y / divisor);
        return Int8Gemm.quantize(y * (e + 1f) * 0.5f, act.scale(), act.zeroPoint(), act.qmin(), act.qmax());
    }

    /**
     * out[outOff + i] = the code of y[off + i] (as a float), for i &lt; len. Returns how many elements
     * went through the chain (near a boundary, NaN or infinite).
     */
    public int codes(float[] y, int off, int len, float[] out, int outOff) {
        java.util.Objects.checkFromIndexSize(off, len, y.length);
        java.util.Objects.checkFromIndexSize(outOff, len, out.length);
        int[] near = NEAR.get();
        if (near.length < len) {
            near = new int[len];
            NEAR.set(near);
        }
        int count = VECTOR ? VectorGeluCodes.codes(this, y, off, len, out, outOff, near)
                : plainCodes(y, off, len, out, outOff, near, 0, 0);
        if (count > 0) {
            float[] v = new float[count];
            for (int j = 0; j < count; j++) {
                v[j] = y[off + near[j]];
            }
            float[] q = chain(v);
            for (int j = 0; j < count; j++) {
                out[outOff + near[j]] = q[j];
            }
        }
        return count;
    }

    /**
     * The plain-Java loop: the vector loop's operations one lane at a time. Appends base + i of each
     * element near a boundary to near from index count; returns the new count.
     */
    int plainCodes(float[] y, int off, int len, float[] out, int outOff, int[] near, int count, int base) {
        float z = act.zeroPoint();
        for (int i = 0; i < len; i++) {
            float g = cheapGelu(y[off + i], invDivisor);
            float w = Math.min(Math.max(g * invScale, wLo), wHi);
            float c = (w + MAGIC) - MAGIC;
            if (!(Math.abs(w - c) <= safe)) {
                near[count++] = base + i;
            }
            out[outOff + i] = Math.min(Math.max(c + z, act.qmin()), act.qmax());
        }
        return count;
    }

    /**
     * g~(v): the cheap GELU of the class comment, within {@link #MAX_ERROR} of the executor's float GELU
     * (x * (erf(x / d) + 1)) * 0.5 for every float; invD = 1 / d.
     */
    public static float cheapGelu(float v, float invD) {
        float x = Math.abs(v) * invD;
        float p = Math.fma(A6, x, A5);
        p = Math.fma(p, x, A4);
        p = Math.fma(p, x, A3);
        p = Math.fma(p, x, A2);
        p = Math.fma(p, x, A1);
        p = Math.fma(p, x, 1f);
        float p2 = p * p;
        float p4 = p2 * p2;
        float p8 = p4 * p4;
        float r = v * 0.5f / (p8 * p8);
        return v < 0f ? r : v - r;
    }

    /** y[yOff + i] = {@link #cheapGelu}(x[xOff + i]) for i &lt; len (vectorised when the Vector API is present). */
    public static void cheapGelu(float[] x, int xOff, int len, float invD, float[] y, int yOff) {
        java.util.Objects.checkFromIndexSize(xOff, len, x.length);
        java.util.Objects.checkFromIndexSize(yOff, len, y.length);
        if (VECTOR) {
            VectorGeluCodes.cheapGelu(x, xOff, len, invD, y, yOff);
            return;
        }
        for (int i = 0; i < len; i++) {
            y[yOff + i] = cheapGelu(x[xOff + i], invD);
        }
    }

    /** The float chain's codes of many values (the executor's array kernels; the same bits as {@link #exact}). */
    float[] chain(float[] y) {
        float[] e = new float[y.length];
        for (int i = 0; i < y.length; i++) {
            e[i] = y[i] / divisor;
        }
        Erf.erf(e, 0, e, 0, e.length);
        float[] q = new float[y.length];
        for (int i = 0; i < y.length; i++) {
            q[i] = Int8Gemm.quantize(y[i] * (e[i] + 1f) * 0.5f, act.scale(), act.zeroPoint(), act.qmin(), act.qmax());
        }
        return q;
    }
}
