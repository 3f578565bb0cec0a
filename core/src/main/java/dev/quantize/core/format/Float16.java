package dev.quantize.core.format;

/**
 * IEEE 754 binary16 ("half") conversions, round-to-nearest-even, with subnormals, Inf and NaN.
 * Java 17 has no {@code Float.floatToFloat16}; this is the bit-level equivalent.
 */
public final class Float16 {
    /** 65504, the largest finite half. */
    public static final float MAX_VALUE = 65504f;
    private static final int HALF_OVERFLOW_BITS = 0x477FF000; // 65520: the RNE tie whose even neighbour is Inf
    private static final int HALF_MIN_NORMAL_BITS = 0x38800000; // 2^-14
    private static final int REBIAS = (127 - 15) << 23;

    private Float16() {
    }

    /** The half nearest to {@code f} (ties to even), as its 16 raw bits. */
    public static short fromFloat(float f) {
        int bits = Float.floatToRawIntBits(f);
        int sign = (bits >>> 16) & 0x8000;
        int abs = bits & 0x7FFFFFFF;
        if (abs > 0x7F800000) {
            return (short) (sign | 0x7E00 | ((abs >>> 13) & 0x1FF)); // NaN stays a (quiet) NaN
        }
        if (abs >= HALF_OVERFLOW_BITS) {
            return (short) (sign | 0x7C00);
        }
        if (abs >= HALF_MIN_NORMAL_BITS) {
            int r = abs - REBIAS;
            r += 0xFFF + ((r >>> 13) & 1); // round the 13 dropped bits to nearest, ties to even
            return (short) (sign | (r >>> 13));
        }
        // Subnormal half (or zero): count units of 2^-24. The scaling is exact in double, and a
        // result of 1024 units is the smallest normal, whose code is 0x0400 as well.
        int units = (int) Math.rint(Float.intBitsToFloat(abs) * 16777216.0);
        return (short) (sign | units);
    }

    /** The float value of a half given as raw bits (exact: every half is a float). */
    public static float toFloat(short h) {
        int sign = (h & 0x8000) << 16;
        int exp = (h >>> 10) & 0x1F;
        int mant = h & 0x3FF;
        if (exp == 0) {
            float v = mant * 0x1p-24f;
            return sign == 0 ? v : -v;
        }
        if (exp == 31) {
            return Float.intBitsToFloat(sign | 0x7F800000 | (mant << 13));
        }
        return Float.intBitsToFloat(sign | ((exp + 112) << 23) | (mant << 13));
    }

    /** {@code f} rounded to the nearest half (RNE) and widened back. */
    public static float round(float f) {
        return toFloat(fromFloat(f));
    }
}
