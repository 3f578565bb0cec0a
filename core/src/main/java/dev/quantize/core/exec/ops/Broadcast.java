package dev.quantize.core.exec.ops;

import java.util.Arrays;

/** Numpy-style (multidirectional) broadcasting, shared by every element-wise op. */
public final class Broadcast {
    private Broadcast() {
    }

    /** The broadcast shape of all {@code shapes}, or an exception naming them. */
    public static int[] shape(int[]... shapes) {
        int rank = 0;
        for (int[] s : shapes) {
            rank = Math.max(rank, s.length);
        }
        int[] out = new int[rank];
        Arrays.fill(out, 1);
        for (int[] s : shapes) {
            for (int i = 0; i < s.length; i++) {
                int o = rank - s.length + i;
                int d = s[i];
                if (out[o] == 1) {
                    out[o] = d;
                } else if (d != 1 && d != out[o]) {
                    StringBuilder sb = new StringBuilder("shapes cannot be broadcast together:");
                    for (int[] t : shapes) {
                        sb.append(' ').append(Arrays.toString(t));
                    }
                    throw new IllegalArgumentException(sb.toString());
                }
            }
        }
        return out;
    }

    /**
     * For each element of a tensor of shape {@code outShape} (row-major), the offset of the element
     * of the broadcast input of shape {@code inShape} it reads; null when the shapes are equal (the
     * identity map), so callers can take a fast path.
     */
    public static int[] index(int[] inShape, int[] outShape) {
        if (Arrays.equals(inShape, outShape)) {
            return null;
        }
        int rank = outShape.length;
        int[] inStrides = new int[rank];
        int acc = 1;
        for (int i = inShape.length - 1; i >= 0; i--) {
            int o = rank - inShape.length + i;
            inStrides[o] = inShape[i] == 1 ? 0 : acc;
            acc *= inShape[i];
        }
        int n = 1;
        for (int d : outShape) {
            n *= d;
        }
        int[] idx = new int[n];
        if (n == 0) {
            return idx;
        }
        if (acc == 1) {
            return idx; // a single element read everywhere
        }
        int[] counter = new int[rank];
        int off = 0;
        for (int i = 0; i < n; i++) {
            idx[i] = off;
            for (int d = rank - 1; d >= 0; d--) {
                counter[d]++;
                off += inStrides[d];
                if (counter[d] < outShape[d]) {
                    break;
                }
                off -= inStrides[d] * counter[d];
                counter[d] = 0;
            }
        }
        return idx;
    }
}
