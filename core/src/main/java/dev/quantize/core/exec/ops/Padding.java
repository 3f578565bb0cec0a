package dev.quantize.core.exec.ops;

import java.util.Arrays;

/**
 * Resolves the pads and output size of a convolution or pooling window from ONNX attributes
 * (auto_pad, pads, ceil_mode). Shapes here are the spatial dims only.
 */
record Padding(int[] pads, int[] outSize) {
    /**
     * @param pads    [begins..., ends...] from the attribute, or null for zeros
     * @param autoPad NOTSET, VALID, SAME_UPPER or SAME_LOWER
     */
    static Padding resolve(String autoPad, int[] in, int[] kernel, int[] strides, int[] dilations, long[] pads,
                           boolean ceilMode) {
        int nd = in.length;
        int[] p = new int[2 * nd];
        int[] out = new int[nd];
        for (int d = 0; d < nd; d++) {
            int ek = (kernel[d] - 1) * dilations[d] + 1;
            switch (autoPad) {
                case "SAME_UPPER", "SAME_LOWER" -> {
                    out[d] = (in[d] + strides[d] - 1) / strides[d];
                    int total = Math.max(0, (out[d] - 1) * strides[d] + ek - in[d]);
                    int begin = autoPad.equals("SAME_UPPER") ? total / 2 : (total + 1) / 2;
                    p[d] = begin;
                    p[nd + d] = total - begin;
                }
                case "VALID" -> out[d] = Math.max(0, (in[d] - ek) / strides[d] + 1);
                case "NOTSET", "" -> {
                    if (pads != null) {
                        p[d] = (int) pads[d];
                        p[nd + d] = (int) pads[nd + d];
                    }
                    int span = in[d] + p[d] + p[nd + d] - ek;
                    int o = ceilMode ? Math.floorDiv(span + strides[d] - 1, strides[d]) + 1 : Math.floorDiv(span, strides[d]) + 1;
                    // With ceil_mode, a last window that would start inside the end padding is dropped.
                    if (ceilMode && (o - 1) * strides[d] >= in[d] + p[d]) {
                        o--;
                    }
                    out[d] = Math.max(0, o);
                }
                default -> throw new IllegalArgumentException("unknown auto_pad '" + autoPad + "'");
            }
        }
        return new Padding(p, out);
    }

    @Override
    public String toString() {
        return "Padding" + Arrays.toString(pads) + "->" + Arrays.toString(outSize);
    }
}
