package dev.quantize.core.exec.ops;

import dev.quantize.core.tensor.DataType;
import dev.quantize.core.tensor.Shape;
import dev.quantize.core.tensor.Tensor;
import java.util.Arrays;
import java.util.List;

/**
 * QuantizeLinear and DequantizeLinear: per-tensor (scalar scale), per-axis (1-D scale along
 * {@code axis}) and blocked (opset 21 {@code block_size}: scale has x's rank with the axis dim
 * divided into blocks). Quantize: y = saturate(roundHalfEven(x / scale) + zero_point), the
 * division in float32 as ONNX Runtime does; dequantize: y = (x - zero_point) * scale.
 */
final class QuantOps {
    private QuantOps() {
    }

    static void register(OpRegistry r) {
        r.register("QuantizeLinear", 10, QuantOps::quantize);
        r.register("DequantizeLinear", 10, QuantOps::dequantize);
    }

    /** For each element of x, the offset of its scale / zero point. */
    private static int[] paramIndex(OpContext ctx, int[] xs, Tensor scale) {
        int n = Shape.size(xs);
        int[] idx = new int[n];
        if (scale.size() == 1 && scale.rank() <= 1) {
            return idx;
        }
        int axis = Shape.axis((int) ctx.intAttr("axis", 1), xs.length);
        int dim = xs[axis];
        int inner = Shape.inner(xs, axis);
        long blockSize = ctx.intAttr("block_size", 0);
        int[] ss = scale.shape();
        if (blockSize <= 0) {
            if (ss.length != 1 || ss[0] != dim) {
                throw ctx.error("per-axis scale must be 1-D of length " + dim + " (axis " + axis + "), got "
                        + Arrays.toString(ss));
            }
            for (int i = 0; i < n; i++) {
                idx[i] = (i / inner) % dim;
            }
            return idx;
        }
        int blocks = (int) ((dim + blockSize - 1) / blockSize);
        if (ss.length != xs.length || ss[axis] != blocks) {
            throw ctx.error("blocked scale must have x's rank with " + blocks + " blocks on axis " + axis + ", got "
                    + Arrays.toString(ss));
        }
        for (int d = 0; d < xs.length; d++) {
            if (d != axis && ss[d] != xs[d]) {
                throw ctx.error("blocked scale shape " + Arrays.toString(ss) + " does not match x " + Arrays.toString(xs));
            }
        }
        for (int i = 0; i < n; i++) {
            int o = i / (dim * inner);
            int c = (i / inner) % dim;
            int in = i % inner;
            idx[i] = (o * blocks + (int) (c / blockSize)) * inner + in;
        }
        return idx;
    }

    private static long[] range(OpContext ctx, DataType t) {
        return switch (t) {
            case INT8 -> new long[] {-128, 127};
            case UINT8 -> new long[] {0, 255};
            case INT16 -> new long[] {-32768, 32767};
            case UINT16 -> new long[] {0, 65535};
            case INT4 -> new long[] {-8, 7};
            case UINT4 -> new long[] {0, 15};
            case INT32 -> new long[] {Integer.MIN_VALUE, Integer.MAX_VALUE};
            default -> throw ctx.unsupported("quantized type " + t + " is not supported");
        };
    }

    private static List<Tensor> quantize(OpContext ctx, List<Tensor> in) {
        Tensor x = in.get(0);
        Tensor scale = in.get(1);
        Tensor zp = in.size() > 2 ? in.get(2) : null;
        DataType outType;
        if (zp != null) {
            outType = zp.type();
        } else if (ctx.has("output_dtype") && ctx.intAttr("output_dtype", 0) != 0) {
            outType = DataType.fromOnnx((int) ctx.intAttr("output_dtype", 0));
        } else {
            outType = DataType.UINT8;
        }
        long[] lim = range(ctx, outType);
        int[] xs = x.shape();
        int[] pi = paramIndex(ctx, xs, scale);
        double[] xv = TensorData.toDoubles(x);
        double[] sv = TensorData.toDoubles(scale);
        long[] zv = zp == null ? null : zp.longs();
        boolean f32 = x.type() == DataType.FLOAT32;
        long[] y = new long[xv.length];
        for (int i = 0; i < y.length; i++) {
            int p = pi[i];
            double q = f32 ? (float) ((float) xv[i] / (float) sv[p]) : xv[i] / sv[p];
            double r = Math.rint(q) + (zv == null ? 0 : zv[p]);
            y[i] = Double.isNaN(r) ? 0 : (long) Math.max(lim[0], Math.min(lim[1], r));
        }
        return List.of(Tensor.ofLongs(outType, xs, y));
    }

    private static List<Tensor> dequantize(OpContext ctx, List<Tensor> in) {
        Tensor x = in.get(0);
        Tensor scale = in.get(1);
        Tensor zp = in.size() > 2 ? in.get(2) : null;
        if (x.type().storage() != DataType.Storage.LONG) {
            throw ctx.unsupported("dequantizing " + x.type() + " is not supported");
        }
        int[] xs = x.shape();
        int[] pi = paramIndex(ctx, xs, scale);
        long[] xv = x.longs();
        double[] sv = TensorData.toDoubles(scale);
        long[] zv = zp == null ? null : zp.longs();
        double[] y = new double[xv.length];
        boolean f32 = scale.type() == DataType.FLOAT32;
        for (int i = 0; i < y.length; i++) {
            int p = pi[i];
            long centred = xv[i] - (zv == null ? 0 : zv[p]);
            y[i] = f32 ? (float) centred * (float) sv[p] : centred * sv[p];
        }
        return List.of(TensorData.fromDoubles(scale.type(), xs, y));
    }
}
