package dev.quantize.core.onnx;

import dev.quantize.core.tensor.DataType;
import java.util.HashMap;
import java.util.Map;

/**
 * Exact tables for the two ONNX 8-bit float types, so the reader can decode their codes and the
 * writer can encode values that are exactly representable. (The numeric-format package owns
 * quantization to these formats; this is only the storage mapping the file format needs.)
 *
 * <p>FLOAT8E4M3FN: 1 sign, 4 exponent (bias 7), 3 mantissa bits; no infinities; S.1111.111 is NaN;
 * max 448. FLOAT8E5M2: 1 sign, 5 exponent (bias 15), 2 mantissa bits, IEEE-like: exponent 31 is
 * infinity (mantissa 0) or NaN; max 57344. Both have subnormals.
 */
final class Float8 {
    private static final float[] E4M3FN = new float[256];
    private static final float[] E5M2 = new float[256];
    private static final Map<Integer, Byte> E4M3FN_CODES = new HashMap<>();
    private static final Map<Integer, Byte> E5M2_CODES = new HashMap<>();

    static {
        for (int code = 0; code < 256; code++) {
            E4M3FN[code] = decode(code, 4, 3, 7, false);
            E5M2[code] = decode(code, 5, 2, 15, true);
        }
        fillCodes(E4M3FN, E4M3FN_CODES);
        fillCodes(E5M2, E5M2_CODES);
    }

    private Float8() {
    }

    /** The value of an 8-bit code (only the low 8 bits of {@code code} are used). */
    static float toFloat(DataType type, int code) {
        return table(type)[code & 0xFF];
    }

    /** The code of a value exactly representable in {@code type}, or -1 if it is not. */
    static int toCode(DataType type, float v) {
        if (Float.isNaN(v)) {
            return 0x7F; // the positive NaN code of both types
        }
        Byte b = (type == DataType.FLOAT8E4M3FN ? E4M3FN_CODES : E5M2_CODES).get(Float.floatToRawIntBits(v));
        return b == null ? -1 : b & 0xFF;
    }

    private static float[] table(DataType type) {
        return switch (type) {
            case FLOAT8E4M3FN -> E4M3FN;
            case FLOAT8E5M2 -> E5M2;
            default -> throw new IllegalArgumentException(type + " is not an 8-bit float type");
        };
    }

    private static float decode(int code, int expBits, int manBits, int bias, boolean ieeeSpecials) {
        int sign = (code >> 7) & 1;
        int exp = (code >> manBits) & ((1 << expBits) - 1);
        int man = code & ((1 << manBits) - 1);
        int maxExp = (1 << expBits) - 1;
        float magnitude;
        if (ieeeSpecials && exp == maxExp) {
            magnitude = man == 0 ? Float.POSITIVE_INFINITY : Float.NaN;
        } else if (!ieeeSpecials && exp == maxExp && man == (1 << manBits) - 1) {
            magnitude = Float.NaN;
        } else if (exp == 0) {
            magnitude = Math.scalb((float) man, 1 - bias - manBits);
        } else {
            magnitude = Math.scalb((float) ((1 << manBits) | man), exp - bias - manBits);
        }
        return sign == 1 ? -magnitude : magnitude;
    }

    private static void fillCodes(float[] table, Map<Integer, Byte> codes) {
        for (int code = 0; code < 256; code++) {
            if (!Float.isNaN(table[code])) {
                codes.put(Float.floatToRawIntBits(table[code]), (byte) code);
            }
        }
    }
}
