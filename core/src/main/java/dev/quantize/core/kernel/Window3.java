package dev.quantize.core.kernel;

import java.util.Arrays;

/**
 * A 1-, 2- or 3-d sliding window widened to exactly three spatial dimensions by prepending dimensions of
 * size 1 (kernel 1, stride 1, dilation 1, no padding), so each kernel has one loop nest for all ranks.
 * Flattened spatial indices are unchanged by the widening.
 */
final class Window3 {
    final int[] in = new int[3];
    final int[] out = new int[3];
    final int[] kernel = new int[3];
    final int[] stride = new int[3];
    final int[] dilation = new int[3];
    final int[] padBegin = new int[3];
    final int[] padEnd = new int[3];

    /**
     * @param op        name used in messages ("Conv", "MaxPool"...)
     * @param xShape    (N, C, D1..Dk)
     * @param yShape    (N, C', O1..Ok)
     * @param kernel    k sizes
     * @param pads      2k pads or null; strides, dilations: k values or null
     * @param allowCeil accept the ceil_mode output size as well as the floor one (pooling)
     */
    Window3(String op, int[] xShape, int[] yShape, int[] kernel, int[] pads, int[] strides, int[] dilations,
            boolean allowCeil) {
        int k = xShape.length - 2;
        if (k < 1 || k > 3) {
            throw new IllegalArgumentException(op + ": input shape " + Arrays.toString(xShape)
                    + " must be (N, C, D1..Dk) with 1 to 3 spatial dimensions");
        }
        if (yShape.length != xShape.length) {
            throw new IllegalArgumentException(op + ": output shape " + Arrays.toString(yShape)
                    + " must have the rank of the input shape " + Arrays.toString(xShape));
        }
        checkLength(op, "kernel", kernel, k);
        checkLength(op, "pads", pads, 2 * k);
        checkLength(op, "strides", strides, k);
        checkLength(op, "dilations", dilations, k);
        Arrays.fill(this.in, 1);
        Arrays.fill(this.out, 1);
        Arrays.fill(this.kernel, 1);
        Arrays.fill(this.stride, 1);
        Arrays.fill(this.dilation, 1);
        for (int i = 0; i < k; i++) {
            int j = 3 - k + i;
            in[j] = xShape[2 + i];
            out[j] = yShape[2 + i];
            this.kernel[j] = kernel[i];
            stride[j] = strides == null ? 1 : strides[i];
            dilation[j] = dilations == null ? 1 : dilations[i];
            padBegin[j] = pads == null ? 0 : pads[i];
            padEnd[j] = pads == null ? 0 : pads[k + i];
            if (this.kernel[j] < 1 || stride[j] < 1 || dilation[j] < 1 || padBegin[j] < 0 || padEnd[j] < 0) {
                throw new IllegalArgumentException(op + ": kernel, strides and dilations must be >= 1 and pads >= 0; got kernel "
                        + Arrays.toString(kernel) + " pads " + Arrays.toString(pads) + " strides "
                        + Arrays.toString(strides) + " dilations " + Arrays.toString(dilations));
            }
            // The output size is the floor formula, or (pooling with ceil_mode) the ceil formula.
            int effective = dilation[j] * (this.kernel[j] - 1) + 1;
            int span = in[j] + padBegin[j] + padEnd[j] - effective;
            int floor = span < 0 ? -1 : span / stride[j] + 1;
            int ceil = span < 0 ? -1 : (span + stride[j] - 1) / stride[j] + 1;
            if (ceil > 0 && (long) (ceil - 1) * stride[j] >= in[j] + padBegin[j]) {
                ceil--;
            }
            if (out[j] < 0 || !(out[j] == floor || (allowCeil && out[j] == ceil))) {
                throw new IllegalArgumentException(op + ": output shape " + Arrays.toString(yShape)
                        + " does not match input " + Arrays.toString(xShape) + " with kernel " + Arrays.toString(kernel)
                        + " pads " + Arrays.toString(pads) + " strides " + Arrays.toString(strides)
                        + " dilations " + Arrays.toString(dilations) + ": expected size " + floor
                        + (allowCeil && ceil != floor ? " or " + ceil : "") + " in spatial dimension " + i);
            }
        }
    }

    private static void checkLength(String op, String what, int[] values, int expected) {
        if (values != null && values.length != expected) {
            throw new IllegalArgumentException(op + ": " + what + " " + Arrays.toString(values) + " must have "
                    + expected + " values");
        }
    }

    int inSize() {
        return in[0] * in[1] * in[2];
    }

    int outSize() {
        return out[0] * out[1] * out[2];
    }

    int kernelSize() {
        return kernel[0] * kernel[1] * kernel[2];
    }

    /** First output index o in [0, out) whose input coordinate o*stride - padBegin + offset is >= 0. */
    int firstValid(int dim, int offset) {
        int need = padBegin[dim] - offset; // o*stride >= need
        int o = need <= 0 ? 0 : (need + stride[dim] - 1) / stride[dim];
        return Math.min(o, out[dim]);
    }

    /** One past the last output index whose input coordinate o*stride - padBegin + offset is < in. */
    int endValid(int dim, int offset) {
        int limit = in[dim] + padBegin[dim] - offset; // o*stride < limit
        int o = limit <= 0 ? 0 : (limit - 1) / stride[dim] + 1;
        return Math.min(o, out[dim]);
    }
}
