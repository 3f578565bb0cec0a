package dev.quantize.core.kernel;

import java.util.Arrays;

/**
 * Output spatial size and explicit pads of a sliding window (Conv, MaxPool, AveragePool), resolved from
 * ONNX attributes so that the kernels only ever see explicit pads and a preallocated output.
 *
 * @param outputSpatial output size per spatial dimension
 * @param pads          [begin_1..begin_k, end_1..end_k] (ONNX order)
 */
public record WindowGeometry(int[] outputSpatial, int[] pads) {

    /**
     * Resolves ONNX auto_pad / pads / ceil_mode.
     *
     * @param inSpatial input size per spatial dimension (k of them)
     * @param kernel    kernel size per dimension
     * @param strides   per dimension, or null for all 1
     * @param dilations per dimension, or null for all 1
     * @param pads      explicit pads [begins..., ends...] used with NOTSET, or null for all 0
     * @param autoPad   "NOTSET" (or null or ""), "SAME_UPPER", "SAME_LOWER" or "VALID"
     * @param ceilMode  ONNX ceil_mode (only with explicit pads): the output size rounds up, except that the
     *                  last window must start inside the input or the begin padding
     */
    public static WindowGeometry resolve(int[] inSpatial, int[] kernel, int[] strides, int[] dilations,
                                         int[] pads, String autoPad, boolean ceilMode) {
        int k = inSpatial.length;
        int[] s = orOnes(strides, k, "strides");
        int[] d = orOnes(dilations, k, "dilations");
        if (kernel.length != k) {
            throw new IllegalArgumentException("kernel " + Arrays.toString(kernel) + " has " + kernel.length
                    + " dimensions but the input has " + k + " spatial dimensions");
        }
        String mode = autoPad == null || autoPad.isEmpty() ? "NOTSET" : autoPad;
        int[] out = new int[k];
        int[] p = new int[2 * k];
        for (int i = 0; i < k; i++) {
            if (kernel[i] < 1 || s[i] < 1 || d[i] < 1) {
                throw new IllegalArgumentException("kernel, stride and dilation must be >= 1, got kernel "
                        + Arrays.toString(kernel) + " strides " + Arrays.toString(s) + " dilations "
                        + Arrays.toString(d));
            }
            int effective = d[i] * (kernel[i] - 1) + 1;
            switch (mode) {
                case "NOTSET": {
                    if (pads != null && pads.length != 2 * k) {
                        throw new IllegalArgumentException("pads " + Arrays.toString(pads) + " must have "
                                + 2 * k + " values (begins then ends)");
                    }
                    int begin = pads == null ? 0 : pads[i];
                    int end = pads == null ? 0 : pads[i + k];
                    if (begin < 0 || end < 0) {
                        throw new IllegalArgumentException("negative pads " + Arrays.toString(pads));
                    }
                    int span = inSpatial[i] + begin + end - effective;
                    if (span < 0) {
                        throw new IllegalArgumentException("window of extent " + effective + " does not fit input "
                                + "dimension " + i + " of size " + inSpatial[i] + " with pads " + begin + "+" + end);
                    }
                    int o = (ceilMode ? Math.floorDiv(span + s[i] - 1, s[i]) : span / s[i]) + 1;
                    if (ceilMode && (long) (o - 1) * s[i] >= inSpatial[i] + begin) {
                        o--;
                    }
                    out[i] = o;
                    p[i] = begin;
                    p[i + k] = end;
                    break;
                }
                case "VALID": {
                    int span = inSpatial[i] - effective;
                    if (span < 0) {
                        throw new IllegalArgumentException("window of extent " + effective
                                + " is larger than input dimension " + i + " of size " + inSpatial[i]);
                    }
                    out[i] = span / s[i] + 1;
                    break;
                }
                case "SAME_UPPER":
                case "SAME_LOWER": {
                    int o = (inSpatial[i] + s[i] - 1) / s[i];
                    int total = Math.max(0, (o - 1) * s[i] + effective - inSpatial[i]);
                    int small = total / 2;
                    p[i] = mode.equals("SAME_UPPER") ? small : total - small;
                    p[i + k] = total - p[i];
                    out[i] = o;
                    break;
                }
                default:
                    throw new IllegalArgumentException("auto_pad must be NOTSET, SAME_UPPER, SAME_LOWER or VALID, got '"
                            + autoPad + "'");
            }
        }
        return new WindowGeometry(out, p);
    }

    private static int[] orOnes(int[] values, int k, String what) {
        if (values == null) {
            int[] ones = new int[k];
            Arrays.fill(ones, 1);
            return ones;
        }
        if (values.length != k) {
            throw new IllegalArgumentException(what + " " + Arrays.toString(values) + " must have " + k + " values");
        }
        return values;
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof WindowGeometry && Arrays.equals(outputSpatial, ((WindowGeometry) o).outputSpatial)
                && Arrays.equals(pads, ((WindowGeometry) o).pads);
    }

    @Override
    public int hashCode() {
        return 31 * Arrays.hashCode(outputSpatial) + Arrays.hashCode(pads);
    }

    @Override
    public String toString() {
        return "WindowGeometry[output=" + Arrays.toString(outputSpatial) + ", pads=" + Arrays.toString(pads) + "]";
    }
}
