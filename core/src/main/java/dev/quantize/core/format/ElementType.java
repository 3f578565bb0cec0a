package dev.quantize.core.format;

/**
 * A scalar element encoding, as data: sign-magnitude floating point with {@code exponentBits},
 * {@code mantissaBits} and {@code bias}, or (when {@code fixedPoint}) a two's-complement integer of
 * {@code 1 + mantissaBits + 1} bits read as {@code code * 2^-mantissaBits} (the MXINT8 element:
 * mantissaBits = 6). Everything else (emin, emax, largest value, bits) is derived, never repeated.
 */
public record ElementType(String name, int exponentBits, int mantissaBits, int bias, Specials specials,
                          boolean fixedPoint) {

    /** Which codes are not numbers. */
    public enum Specials {
        /** IEEE: the all-ones exponent holds Inf (mantissa 0) and NaN. */
        IEEE,
        /** OFP8 E4M3FN: no Inf; only S.1111.111 is NaN, so the top binade has one code fewer. */
        NAN_ONLY_ALL_ONES,
        /** FP6/FP4 and integers: every code is a finite number. */
        NONE
    }

    public static final ElementType FP32 = new ElementType("fp32", 8, 23, 127, Specials.IEEE, false);
    public static final ElementType BF16 = new ElementType("bf16", 8, 7, 127, Specials.IEEE, false);
    public static final ElementType FP16 = new ElementType("fp16", 5, 10, 15, Specials.IEEE, false);
    public static final ElementType E4M3 = new ElementType("e4m3", 4, 3, 7, Specials.NAN_ONLY_ALL_ONES, false);
    public static final ElementType E5M2 = new ElementType("e5m2", 5, 2, 15, Specials.IEEE, false);
    public static final ElementType E3M2 = new ElementType("e3m2", 3, 2, 3, Specials.NONE, false);
    public static final ElementType E2M3 = new ElementType("e2m3", 2, 3, 1, Specials.NONE, false);
    public static final ElementType E2M1 = new ElementType("e2m1", 2, 1, 1, Specials.NONE, false);
    /** The MXINT8 element: int8 code c means c / 64; the code -128 is never produced. */
    public static final ElementType INT8_FIXED = new ElementType("int8", 0, 6, 0, Specials.NONE, true);

    /** Exponent of the smallest normal number. */
    public int emin() {
        return fixedPoint ? -mantissaBits : 1 - bias;
    }

    /** Exponent of the largest normal number (0 for the fixed-point element, as the MX scale rule wants). */
    public int emax() {
        if (fixedPoint) {
            return 0;
        }
        int topField = (1 << exponentBits) - 1;
        return (specials == Specials.IEEE ? topField - 1 : topField) - bias;
    }

    /** The largest finite magnitude. */
    public float maxValue() {
        if (fixedPoint) {
            return (float) (((1 << (mantissaBits + 1)) - 1) * Math.pow(2, -mantissaBits));
        }
        int m = mantissaBits;
        long topFraction = specials == Specials.NAN_ONLY_ALL_ONES ? (1L << m) - 2 : (1L << m) - 1;
        return (float) Math.scalb(1.0 + topFraction / (double) (1L << m), emax());
    }

    /** Storage bits of one element. */
    public int bits() {
        return fixedPoint ? mantissaBits + 2 : 1 + exponentBits + mantissaBits;
    }

    public boolean hasInfinity() {
        return specials == Specials.IEEE;
    }

    public boolean hasNaN() {
        return specials != Specials.NONE;
    }
}
