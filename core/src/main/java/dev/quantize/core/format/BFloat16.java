package dev.quantize.core.format;

/** bfloat16 conversions: the top 16 bits of a float32 after round-to-nearest-even of the low 16. */
public final class BFloat16 {
    private BFloat16() {
    }

    /** The bfloat16 nearest to {@code f} (ties to even), as raw bits. Overflow rounds to Inf. */
    public static short fromFloat(float f) {
        int bits = Float.floatToRawIntBits(f);
        if ((bits & 0x7FFFFFFF) > 0x7F800000) {
            return (short) ((bits >>> 16) | 0x0040); // NaN first: the rounding bias could turn it into Inf
        }
        return (short) ((bits + 0x7FFF + ((bits >>> 16) & 1)) >>> 16);
    }

    public static float toFloat(short b) {
        return Float.intBitsToFloat((b & 0xFFFF) << 16);
    }

    public static float round(float f) {
        return toFloat(fromFloat(f));
    }
}
