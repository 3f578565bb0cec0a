package dev.quantize.core.format;

/** Packs codes of 1..16 bits into bytes, least significant bits first (FBGEMM's nibble order). */
final class BitPacking {
    private BitPacking() {
    }

    /** Bytes needed for {@code count} codes of {@code width} bits. */
    static int bytes(long count, int width) {
        return (int) ((count * width + 7) / 8);
    }

    /** Writes codes[0..count) of {@code width} bits starting at byte {@code offset}; returns the next byte offset. */
    static int write(byte[] out, int offset, int[] codes, int count, int width) {
        if (width == 8) {
            for (int i = 0; i < count; i++) {
                out[offset + i] = (byte) codes[i];
            }
            return offset + count;
        }
        long acc = 0;
        int filled = 0;
        int pos = offset;
        int mask = (1 << width) - 1;
        for (int i = 0; i < count; i++) {
            acc |= (long) (codes[i] & mask) << filled;
            filled += width;
            while (filled >= 8) {
                out[pos++] = (byte) acc;
                acc >>>= 8;
                filled -= 8;
            }
        }
        if (filled > 0) {
            out[pos++] = (byte) acc;
        }
        return pos;
    }

    /** Reads {@code count} codes of {@code width} bits starting at byte {@code offset}; returns the next byte offset. */
    static int read(byte[] in, int offset, int[] codes, int count, int width) {
        if (width == 8) {
            for (int i = 0; i < count; i++) {
                codes[i] = in[offset + i] & 0xFF;
            }
            return offset + count;
        }
        long acc = 0;
        int filled = 0;
        int pos = offset;
        int mask = (1 << width) - 1;
        for (int i = 0; i < count; i++) {
            while (filled < width) {
                acc |= (long) (in[pos++] & 0xFF) << filled;
                filled += 8;
            }
            codes[i] = (int) (acc & mask);
            acc >>>= width;
            filled -= width;
        }
        return pos;
    }
}
