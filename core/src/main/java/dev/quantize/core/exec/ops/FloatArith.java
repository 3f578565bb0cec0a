package dev.quantize.core.exec.ops;

import dev.quantize.core.kernel.Parallelism;
import dev.quantize.core.tensor.Shape;

/**
 * Add, Sub, Mul and Div of float32 tensors with broadcasting, without a per-element index array or a
 * per-element lambda call: the output is cut into rows of {@code inner} elements within which each
 * operand either advances one element at a time or repeats one element, so every row is a plain
 * loop the JIT vectorises. Results are bit-identical to the generic path (same float operations).
 *
 * <p>Shapes: a and b broadcast to out; out = rows x inner (row-major), inner being the longest
 * trailing run of dimensions on which each operand is either complete or all ones.
 */
enum FloatArith {
    ADD, SUB, MUL, DIV;

    /** Below this many output elements per chunk, splitting over threads costs more than it saves. */
    private static final int MIN_PARALLEL_ELEMENTS = 1 << 15;

    float apply(float x, float y) {
        return switch (this) {
            case ADD -> x + y;
            case SUB -> x - y;
            case MUL -> x * y;
            case DIV -> x / y;
        };
    }

    /** a op b broadcast to {@code outShape}; {@code as}, {@code bs} are the operands' shapes. */
    float[] run(float[] a, int[] as, float[] b, int[] bs, int[] outShape, Parallelism par) {
        int rank = outShape.length;
        int[] ap = pad(as, rank);
        int[] bp = pad(bs, rank);
        // Longest suffix of dims on which each operand is complete (stride 1) or all ones (stride 0).
        boolean aFull = true;
        boolean aOnes = true;
        boolean bFull = true;
        boolean bOnes = true;
        int split = rank;
        for (int d = rank - 1; d >= 0; d--) {
            boolean af = aFull && ap[d] == outShape[d];
            boolean ao = aOnes && ap[d] == 1;
            boolean bf = bFull && bp[d] == outShape[d];
            boolean bo = bOnes && bp[d] == 1;
            if (!(af || ao) || !(bf || bo)) {
                break;
            }
            aFull = af;
            aOnes = ao;
            bFull = bf;
            bOnes = bo;
            split = d;
        }
        int inner = 1;
        for (int d = split; d < rank; d++) {
            inner *= outShape[d];
        }
        int n = Shape.size(outShape);
        float[] o = new float[n];
        if (n == 0) {
            return o;
        }
        int rows = n / inner;
        int aStride = aFull ? 1 : 0;
        int bStride = bFull ? 1 : 0;
        // Offset of each row's first element in each operand (null: row r starts at r * inner).
        int[] aRow = rowStarts(ap, outShape, split, aFull ? inner : 1, inner);
        int[] bRow = rowStarts(bp, outShape, split, bFull ? inner : 1, inner);
        int innerLen = inner;
        if (rows == 1) {
            // One long row (an operand is a scalar, or both are complete): split the row itself.
            int a0 = aRow == null ? 0 : aRow[0];
            int b0 = bRow == null ? 0 : bRow[0];
            par.parallelFor(inner, MIN_PARALLEL_ELEMENTS, (i0, i1) ->
                    row(a, a0 + i0 * aStride, aStride, b, b0 + i0 * bStride, bStride, o, i0, i1 - i0));
            return o;
        }
        int minRows = Math.max(1, MIN_PARALLEL_ELEMENTS / inner);
        par.parallelFor(rows, minRows, (r0, r1) -> {
            for (int r = r0; r < r1; r++) {
                int ao = aRow == null ? r * innerLen : aRow[r];
                int bo = bRow == null ? r * innerLen : bRow[r];
                row(a, ao, aStride, b, bo, bStride, o, r * innerLen, innerLen);
            }
        });
        return o;
    }

    private static int[] pad(int[] s, int rank) {
        int[] p = new int[rank];
        java.util.Arrays.fill(p, 1);
        System.arraycopy(s, 0, p, rank - s.length, s.length);
        return p;
    }

    /**
     * Start offsets of the rows (the dims before {@code split}) in an operand whose row holds
     * {@code rowSize} elements; null when row r simply starts at r * inner.
     */
    private static int[] rowStarts(int[] padded, int[] outShape, int split, int rowSize, int inner) {
        int[] outer = java.util.Arrays.copyOf(outShape, split);
        int[] idx = Broadcast.index(java.util.Arrays.copyOf(padded, split), outer);
        if (idx == null && rowSize == inner) {
            return null;
        }
        int rows = Shape.size(outer);
        int[] starts = new int[rows];
        for (int r = 0; r < rows; r++) {
            starts[r] = (idx == null ? r : idx[r]) * rowSize;
        }
        return starts;
    }

    /** o[oo + i] = x[xo + i*xs] op y[yo + i*ys] for i < len; strides are 0 or 1. */
    private void row(float[] x, int xo, int xs, float[] y, int yo, int ys, float[] o, int oo, int len) {
        if (xs == 1 && ys == 1) {
            switch (this) {
                case ADD -> { for (int i = 0; i < len; i++) { o[oo + i] = x[xo + i] + y[yo + i]; } }
                case SUB -> { for (int i = 0; i < len; i++) { o[oo + i] = x[xo + i] - y[yo + i]; } }
                case MUL -> { for (int i = 0; i < len; i++) { o[oo + i] = x[xo + i] * y[yo + i]; } }
                case DIV -> { for (int i = 0; i < len; i++) { o[oo + i] = x[xo + i] / y[yo + i]; } }
            }
        } else if (xs == 1) {
            float c = y[yo];
            switch (this) {
                case ADD -> { for (int i = 0; i < len; i++) { o[oo + i] = x[xo + i] + c; } }
                case SUB -> { for (int i = 0; i < len; i++) { o[oo + i] = x[xo + i] - c; } }
                case MUL -> { for (int i = 0; i < len; i++) { o[oo + i] = x[xo + i] * c; } }
                case DIV -> { for (int i = 0; i < len; i++) { o[oo + i] = x[xo + i] / c; } }
            }
        } else if (ys == 1) {
            float c = x[xo];
            switch (this) {
                case ADD -> { for (int i = 0; i < len; i++) { o[oo + i] = c + y[yo + i]; } }
                case SUB -> { for (int i = 0; i < len; i++) { o[oo + i] = c - y[yo + i]; } }
                case MUL -> { for (int i = 0; i < len; i++) { o[oo + i] = c * y[yo + i]; } }
                case DIV -> { for (int i = 0; i < len; i++) { o[oo + i] = c / y[yo + i]; } }
            }
        } else {
            java.util.Arrays.fill(o, oo, oo + len, apply(x[xo], y[yo]));
        }
    }
}
