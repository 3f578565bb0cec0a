package dev.quantize.core.exec.ops;

import dev.quantize.core.kernel.FloatLoops;
import dev.quantize.core.kernel.LayerNorm;
import dev.quantize.core.kernel.PairwiseDots;
import dev.quantize.core.kernel.Sums;
import dev.quantize.core.tensor.DataType;
import dev.quantize.core.tensor.Tensor;
import java.util.List;

/**
 * Ops the executor substitutes for common multi-node patterns (see {@code exec.Fusion}), registered in
 * the internal domain {@value #DOMAIN} from version 1 so they exist at any model opset. Each computes
 * exactly the float operations of the nodes it replaces, in the same order, so fused and unfused
 * results are bit-identical; it just does so in one pass per row without intermediate tensors.
 * Their scalar constants are node attributes. They handle float32 only and return null otherwise
 * (the executor then runs the original nodes).
 */
public final class FusedOps {
    public static final String DOMAIN = "dev.quantize";
    /** PyTorch's exported LayerNorm: inputs x, gamma, beta; attribute epsilon. */
    public static final String LAYER_NORM = "DecomposedLayerNorm";
    /** Erf-form GELU ((x * (erf(x / divisor) + offset)) * scale): input x; attributes divisor, offset, scale. */
    public static final String GELU = "DecomposedGelu";
    /** Gemm followed by Relu: the Gemm's inputs and attributes. */
    public static final String GEMM_RELU = "GemmRelu";
    /**
     * MatMul of x [N, m, k] by its own last-two-axes Transpose, optionally followed by Flatten(axis 1)
     * and Gather(axis 1) of constant indices (DLRM's interaction): inputs x and optionally the indices.
     * Without indices the output is the [N, m, m] product; with them, [N, len] of the picked entries.
     */
    public static final String PAIRWISE_DOTS = "PairwiseDots";

    private static final int GELU_CHUNK = 1024;

    private FusedOps() {
    }

    static void register(OpRegistry r) {
        r.register(DOMAIN, LAYER_NORM, 1, (ctx, in) -> orUnsupported(ctx, layerNorm(ctx, in)));
        r.register(DOMAIN, GELU, 1, (ctx, in) -> orUnsupported(ctx, gelu(ctx, in)));
        r.register(DOMAIN, GEMM_RELU, 1, (ctx, in) -> orUnsupported(ctx, gemmRelu(ctx, in)));
        r.register(DOMAIN, PAIRWISE_DOTS, 1, (ctx, in) -> orUnsupported(ctx, pairwiseDots(ctx, in)));
    }

    private static List<Tensor> orUnsupported(OpContext ctx, List<Tensor> out) {
        if (out == null) {
            throw ctx.unsupported("only float32 inputs of matching shapes are supported");
        }
        return out;
    }

    /**
     * Per row of the last axis (C elements): mean = (float) (sum_double(x) / C); d = x - mean;
     * var = (float) (sum_double(d * d) / C) (both sums by {@link Sums#sum}, as ReduceMean sums); s = (float) sqrt(var + eps); y = (d / s) * gamma + beta.
     * These are ReduceMean, Sub, Pow(2), ReduceMean, Add, Sqrt, Div, Mul and Add as the executor runs
     * them. Null when x, gamma or beta is not float32 or gamma/beta are not vectors of length C.
     */
    public static List<Tensor> layerNorm(OpContext ctx, List<Tensor> in) {
        Tensor x = in.get(0);
        Tensor gamma = in.get(1);
        Tensor beta = in.get(2);
        if (x.type() != DataType.FLOAT32 || gamma.type() != DataType.FLOAT32 || beta.type() != DataType.FLOAT32
                || x.rank() < 1 || x.size() == 0) {
            return null;
        }
        int c = x.dim(x.rank() - 1);
        if (gamma.rank() != 1 || beta.rank() != 1 || gamma.dim(0) != c || beta.dim(0) != c) {
            return null;
        }
        float eps = ctx.floatAttr("epsilon", 1e-5f);
        float[] xv = x.floats();
        float[] g = gamma.floats();
        float[] b = beta.floats();
        float[] y = new float[xv.length];
        int rows = xv.length / c;
        ctx.parallelism().parallelFor(rows, Math.max(1, (1 << 14) / c), (r0, r1) -> {
            for (int r = r0; r < r1; r++) {
                LayerNorm.row(xv, r * c, c, eps, g, b, y, r * c);
            }
        });
        return List.of(Tensor.ofFloats(x.shape(), y));
    }

    /**
     * y = (x * (erf(x / divisor) + offset)) * scale, each operation rounded to float as the Div, Erf,
     * Add, Mul, Mul nodes do. Null unless x is float32.
     */
    public static List<Tensor> gelu(OpContext ctx, List<Tensor> in) {
        Tensor x = in.get(0);
        if (x.type() != DataType.FLOAT32) {
            return null;
        }
        float divisor = ctx.floatAttr("divisor", 1.4142135f);
        float offset = ctx.floatAttr("offset", 1f);
        float scale = ctx.floatAttr("scale", 0.5f);
        float[] xv = x.floats();
        float[] y = new float[xv.length];
        ctx.parallelism().parallelFor(xv.length, 1 << 13, (i0, i1) -> {
            for (int c0 = i0; c0 < i1; c0 += GELU_CHUNK) {
                int n = Math.min(GELU_CHUNK, i1 - c0);
                FloatLoops.divide(xv, c0, divisor, y, c0, n);
                SpecialFunctions.erfFloat(y, c0, y, c0, n);
                FloatLoops.timesShifted(xv, y, c0, n, offset, scale);
            }
        });
        return List.of(Tensor.ofFloats(x.shape(), y));
    }

    /**
     * The Gemm node's result (same kernel, same attributes) with Relu applied in place: max(y, 0) with
     * NaN kept, as the float Relu computes it. Null unless A, B (and C when given) are float32.
     */
    public static List<Tensor> gemmRelu(OpContext ctx, List<Tensor> in) {
        for (Tensor t : in) {
            if (t != null && t.type() != DataType.FLOAT32) {
                return null;
            }
        }
        Tensor y = NnOps.gemm(ctx, in).get(0);
        float[] v = y.floats();
        ctx.parallelism().parallelFor(v.length, 1 << 15, (i0, i1) -> {
            for (int i = i0; i < i1; i++) {
                float e = v[i];
                v[i] = e > 0 || e != e ? e : 0f;
            }
        });
        return List.of(y);
    }

    /**
     * y[b, i, j] = sum_p x[b, i, p] * x[b, j, p], summed in float in order of p from 0f: exactly the
     * operations MatMul's direct loops perform on x and its transpose, without building the transpose.
     * With indices (int64, 1-D, each in [-m*m, m*m)), only the entries idx[t] of each flattened m x m
     * product are computed, as Flatten then Gather would pick them. Null when x is not float32 of rank
     * 3 or the indices are unusable (the original nodes then run and report), and where MatMul would
     * use the GEMM kernel (a single batch, or products above NnOps.SMALL_MATMUL multiply-adds).
     */
    public static List<Tensor> pairwiseDots(OpContext ctx, List<Tensor> in) {
        Tensor x = in.get(0);
        Tensor idxT = in.size() > 1 ? in.get(1) : null;
        if (x.type() != DataType.FLOAT32 || x.rank() != 3) {
            return null;
        }
        int batches = x.dim(0);
        int m = x.dim(1);
        int k = x.dim(2);
        if (batches < 2 || (long) m * m * k > NnOps.SMALL_MATMUL) {
            return null; // MatMul runs these through the GEMM kernel, whose rounding differs
        }
        int[] rows;
        int[] cols;
        int[] shape;
        if (idxT == null) {
            rows = new int[m * m];
            cols = new int[m * m];
            for (int t = 0; t < m * m; t++) {
                rows[t] = t / m;
                cols[t] = t % m;
            }
            shape = new int[] {batches, m, m};
        } else {
            if (idxT.type() != DataType.INT64 || idxT.rank() != 1) {
                return null;
            }
            long[] idx = idxT.longs();
            rows = new int[idx.length];
            cols = new int[idx.length];
            for (int t = 0; t < idx.length; t++) {
                long e = idx[t] < 0 ? idx[t] + (long) m * m : idx[t];
                if (e < 0 || e >= (long) m * m) {
                    return null;
                }
                rows[t] = (int) (e / m);
                cols[t] = (int) (e % m);
            }
            shape = new int[] {batches, idx.length};
        }
        float[] xv = x.floats();
        int len = rows.length;
        float[] y = new float[batches * len];
        PairwiseDots.compute(xv, batches, m, k, rows, cols, y, ctx.parallelism());
        return List.of(Tensor.ofFloats(shape, y));
    }
}
