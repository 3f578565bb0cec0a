package dev.quantize.core.format;

import java.util.Arrays;

/**
 * Helpers of {@link NumericFormat#decodeRegion}: argument checks, and the walk over the blocks of a
 * block format that cover a region of a 2-D tensor.
 */
final class Region {
    private Region() {
    }

    /** Checks a region of a 2-D packed tensor; returns its column count. */
    static int check(PackedTensor packed, int r0, int r1, int c0, int c1, float[] dst) {
        int[] shape = packed.shape();
        if (shape.length != 2) {
            throw new IllegalArgumentException("decodeRegion: " + packed.format() + " tensor of shape "
                    + Arrays.toString(shape) + " is not 2-D");
        }
        if (r0 < 0 || r0 > r1 || r1 > shape[0] || c0 < 0 || c0 > c1 || c1 > shape[1]) {
            throw new IllegalArgumentException("decodeRegion: rows [" + r0 + ", " + r1 + ") x columns [" + c0 + ", "
                    + c1 + ") outside shape " + Arrays.toString(shape));
        }
        if (dst.length < (long) (r1 - r0) * (c1 - c0)) {
            throw new IllegalArgumentException("decodeRegion: destination holds " + dst.length + " values, the region "
                    + (long) (r1 - r0) * (c1 - c0));
        }
        return shape[1];
    }

    /** Decodes block (slab s, inner column i) of a layout into vals[0..len). */
    interface BlockDecoder {
        void decode(int s, int i, float[] vals);
    }

    /**
     * Decodes a region of a 2-D tensor whose blocks run along {@code axis} (0 or 1) by decoding each block
     * that overlaps it and keeping the overlapping elements.
     */
    static void decodeBlocks(BlockLayout l, int axis, int r0, int r1, int c0, int c1, float[] dst, BlockDecoder dec) {
        int width = c1 - c0;
        float[] vals = new float[l.k()];
        if (r0 == r1 || c0 == c1) {
            return;
        }
        if (axis == 1) {
            // Blocks along a row: outer index = row, inner = 1.
            for (int r = r0; r < r1; r++) {
                for (int b = c0 / l.k(); b <= (c1 - 1) / l.k(); b++) {
                    int s = r * l.blocksPerRun() + b;
                    dec.decode(s, 0, vals);
                    int from = Math.max(c0, b * l.k());
                    int to = Math.min(c1, b * l.k() + l.slabLength(s));
                    System.arraycopy(vals, from - b * l.k(), dst, (r - r0) * width + from - c0, to - from);
                }
            }
        } else {
            // Blocks down a column: one outer index, inner = column.
            for (int b = r0 / l.k(); b <= (r1 - 1) / l.k(); b++) {
                int from = Math.max(r0, b * l.k());
                int to = Math.min(r1, b * l.k() + l.slabLength(b));
                for (int c = c0; c < c1; c++) {
                    dec.decode(b, c, vals);
                    for (int r = from; r < to; r++) {
                        dst[(r - r0) * width + c - c0] = vals[r - b * l.k()];
                    }
                }
            }
        }
    }

    /** Reads the code of {@code width} bits at bit offset {@code bit} (least significant bits first). */
    static int readBits(byte[] in, long bit, int width) {
        int pos = (int) (bit >>> 3);
        int shift = (int) (bit & 7);
        long acc = 0;
        for (int b = 0, filled = -shift; filled < width; b++, filled += 8) {
            acc |= (long) (in[pos + b] & 0xFF) << (8 * b);
        }
        return (int) ((acc >>> shift) & ((1L << width) - 1));
    }
}
