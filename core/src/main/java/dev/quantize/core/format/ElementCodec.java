package dev.quantize.core.format;

/**
 * Bit codes of an element type: {@link #encode} a value that is already on the type's grid, and
 * {@link #decode} a code back. Floating types are sign | exponent field | fraction; the fixed-point
 * type is two's complement. Types of 8 bits or less decode through a table.
 */
public final class ElementCodec {
    private final ElementType type;
    private final float[] table;
    private final int nanCode;

    public ElementCodec(ElementType type) {
        this.type = type;
        int bits = type.bits();
        if (bits <= 8) {
            table = new float[1 << bits];
            for (int c = 0; c < table.length; c++) {
                table[c] = decodeSlow(c);
            }
        } else {
            table = null;
        }
        int m = type.mantissaBits();
        int topField = (1 << type.exponentBits()) - 1;
        nanCode = switch (type.specials()) {
            case IEEE -> (topField << m) | (1 << (m - 1));
            case NAN_ONLY_ALL_ONES -> (topField << m) | ((1 << m) - 1);
            case NONE -> -1;
        };
    }

    public ElementType type() {
        return type;
    }

    /** Decodes a code (its low {@code bits()} bits). */
    public float decode(int code) {
        return table != null ? table[code & (table.length - 1)] : decodeSlow(code);
    }

    private float decodeSlow(int code) {
        int bits = type.bits();
        if (type.fixedPoint()) {
            int c = (code << (32 - bits)) >> (32 - bits); // sign-extend
            return c == 0 ? 0f : (float) Math.scalb((double) c, -type.mantissaBits());
        }
        int m = type.mantissaBits();
        int sign = (code >>> (bits - 1)) & 1;
        int field = (code >>> m) & ((1 << type.exponentBits()) - 1);
        int frac = code & ((1 << m) - 1);
        int topField = (1 << type.exponentBits()) - 1;
        double v;
        if (field == topField && type.specials() == ElementType.Specials.IEEE) {
            v = frac == 0 ? Double.POSITIVE_INFINITY : Double.NaN;
        } else if (field == topField && type.specials() == ElementType.Specials.NAN_ONLY_ALL_ONES
                && frac == (1 << m) - 1) {
            v = Double.NaN;
        } else if (field == 0) {
            v = Math.scalb((double) frac, type.emin() - m);
        } else {
            v = Math.scalb(1.0 + frac / (double) (1 << m), field - type.bias());
        }
        return (float) (sign == 1 ? -v : v);
    }

    /** The code of {@code v}, which must be NaN, ±Inf (if the type has it) or exactly on the grid. */
    public int encode(float v) {
        int bits = type.bits();
        int m = type.mantissaBits();
        if (type.fixedPoint()) {
            int c = (int) Math.scalb((double) v, m);
            return c & ((1 << bits) - 1);
        }
        int sign = Float.floatToRawIntBits(v) < 0 ? 1 << (bits - 1) : 0;
        if (Float.isNaN(v)) {
            if (nanCode < 0) {
                throw new IllegalArgumentException(type.name() + " cannot encode NaN");
            }
            return nanCode;
        }
        double a = Math.abs((double) v);
        int topField = (1 << type.exponentBits()) - 1;
        if (Double.isInfinite(a)) {
            if (!type.hasInfinity()) {
                throw new IllegalArgumentException(type.name() + " cannot encode Inf");
            }
            return sign | (topField << m);
        }
        if (a == 0) {
            return sign;
        }
        int e = Math.getExponent(a);
        int field;
        long frac;
        if (e < type.emin()) {
            field = 0;
            frac = (long) Math.scalb(a, m - type.emin());
        } else {
            field = e + type.bias();
            frac = (long) Math.scalb(a, m - e) - (1L << m);
        }
        return sign | (field << m) | (int) frac;
    }
}
