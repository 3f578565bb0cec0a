package dev.quantize.core.format;

/**
 * Rounds float32 values to an element type's grid (numeric-formats.md, section 2.1). Two versions
 * of the same rule: {@link #reference} follows the specification step by step in exact double
 * arithmetic; the instance method {@link #quantizeMagnitude} is the fast bit-level variant the
 * formats use, tested against the reference bit for bit.
 */
public final class ElementQuantizer {
    private final ElementType type;
    private final Rounding rounding;
    private final boolean saturate;
    private final int m;
    private final int emin;
    private final float max;
    private final float overflow;

    public ElementQuantizer(ElementType type, Rounding rounding, boolean saturate) {
        if (type.exponentBits() >= 8) {
            throw new IllegalArgumentException(type.name() + " has float32's exponent range; use its own rounding");
        }
        this.type = type;
        this.rounding = rounding;
        this.saturate = saturate;
        this.m = type.mantissaBits();
        this.emin = type.emin();
        this.max = type.maxValue();
        this.overflow = overflowValue(type, saturate);
    }

    public ElementType type() {
        return type;
    }

    public Rounding rounding() {
        return rounding;
    }

    public boolean saturating() {
        return saturate;
    }

    /** What a finite value beyond the largest becomes: max when saturating, else Inf, or NaN for E4M3. */
    private static float overflowValue(ElementType t, boolean saturate) {
        if (saturate || !t.hasNaN()) {
            return t.maxValue();
        }
        return t.hasInfinity() ? Float.POSITIVE_INFINITY : Float.NaN;
    }

    /** The rounded value of a signed float (NaN stays NaN; Inf saturates or stays Inf). */
    public float quantize(float y) {
        if (Float.isNaN(y)) {
            return Float.NaN;
        }
        if (Float.isInfinite(y)) {
            return Math.copySign(overflow, y);
        }
        float r = quantizeMagnitude(Math.abs(y));
        return type.fixedPoint() && r == 0f ? 0f : Math.copySign(r, y);
    }

    /**
     * The rounded magnitude of a finite, non-negative {@code a}. The exponent is read from the bits
     * (zero and float32 subnormals read as -127 and are clipped to emin), the quotient by the
     * quantum is exact, and the integer rounding is done in float: RNE by the 2^23 trick (valid
     * because the quotient is below 2^(m+1) <= 2^11), RNA by comparing the exact fraction with 1/2
     * (not floor(t + 0.5), which rounds 0.5 - 2^-25 up).
     */
    public float quantizeMagnitude(float a) {
        int e = (Float.floatToRawIntBits(a) >>> 23) - 127;
        int q = type.fixedPoint() ? -m : Math.max(e, emin) - m;
        float t = a * PowersOfTwo.normal(-q);
        float r;
        if (rounding == Rounding.NEAREST_EVEN) {
            r = (t + 0x1p23f) - 0x1p23f;
        } else {
            float whole = (float) (int) t;
            r = t - whole >= 0.5f ? whole + 1f : whole;
        }
        float v = r * PowersOfTwo.normal(q);
        return v > max ? overflow : v;
    }

    /**
     * The specification's element quantizer, step by step, in exact double arithmetic. Slow;
     * the oracle for tests and for types with float32's exponent range.
     */
    public static float reference(float y, ElementType t, Rounding rounding, boolean saturate) {
        if (Float.isNaN(y)) {
            return Float.NaN;
        }
        float max = t.maxValue();
        if (Float.isInfinite(y)) {
            if (saturate || !t.hasNaN()) {
                return Math.copySign(max, y);
            }
            return t.hasInfinity() ? y : Float.NaN;
        }
        double a = Math.abs((double) y);
        if (a == 0) {
            return t.fixedPoint() ? 0f : y;
        }
        int p = t.fixedPoint() ? 0 : Math.max(Math.getExponent(a), t.emin()); // fixed point: quantum 2^-m always
        double u = Math.scalb(1.0, p - t.mantissaBits());
        double r = rounding.roundNonNegative(a / u) * u;
        if (r > max) {
            if (saturate || !t.hasNaN()) {
                r = max;
            } else {
                return t.hasInfinity() ? Math.copySign(Float.POSITIVE_INFINITY, y) : Float.NaN;
            }
        }
        if (r == 0 && t.fixedPoint()) {
            return 0f;
        }
        return (float) Math.copySign(r, y);
    }
}
