package dev.quantize.core.onnx;

import dev.quantize.core.format.ElementCodec;
import dev.quantize.core.format.ElementType;
import dev.quantize.core.tensor.DataType;

/**
 * The storage mapping of ONNX's two 8-bit float types (FLOAT8E4M3FN, FLOAT8E5M2), delegated to the
 * format package's element codecs so the file format and the numerics share one definition.
 */
final class Float8 {
    private static final ElementCodec E4M3FN = new ElementCodec(ElementType.E4M3);
    private static final ElementCodec E5M2 = new ElementCodec(ElementType.E5M2);

    private Float8() {
    }

    /** The value of an 8-bit code (only the low 8 bits of {@code code} are used). */
    static float toFloat(DataType type, int code) {
        return codec(type).decode(code & 0xFF);
    }

    /** The code of a value exactly representable in {@code type}, or -1 if it is not. */
    static int toCode(DataType type, float v) {
        ElementCodec c = codec(type);
        if (Float.isNaN(v)) {
            return 0x7F; // the positive NaN code of both types
        }
        if (Float.isInfinite(v) && !c.type().hasInfinity()) {
            return -1;
        }
        int code = c.encode(v);
        return Float.floatToRawIntBits(c.decode(code)) == Float.floatToRawIntBits(v) ? code : -1;
    }

    private static ElementCodec codec(DataType type) {
        return switch (type) {
            case FLOAT8E4M3FN -> E4M3FN;
            case FLOAT8E5M2 -> E5M2;
            default -> throw new IllegalArgumentException(type + " is not an 8-bit float type");
        };
    }
}
