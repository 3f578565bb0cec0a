package dev.quantize.core.exec.ops;

import dev.quantize.core.kernel.Conv;
import dev.quantize.core.kernel.Gemm;
import dev.quantize.core.kernel.Parallelism;
import dev.quantize.core.kernel.Pool;
import dev.quantize.core.kernel.WindowGeometry;
import dev.quantize.core.tensor.DataType;
import dev.quantize.core.tensor.Shape;
import dev.quantize.core.tensor.Tensor;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * Neural-network ops. The heavy ones (Gemm, MatMul, Conv, pooling) delegate to the kernel package
 * and accept float32 only; normalisations and softmax compute in double and round once.
 */
final class NnOps {
    private NnOps() {
    }

    static void register(OpRegistry r) {
        r.register("Gemm", 7, NnOps::gemm);
        r.register("MatMul", 1, (ctx, in) -> List.of(matmul(ctx, in.get(0), in.get(1))));
        r.register("Conv", 1, NnOps::conv);
        r.register("MaxPool", 8, NnOps::maxPool);
        r.register("AveragePool", 7, NnOps::averagePool);
        r.register("GlobalAveragePool", 1, (ctx, in) -> List.of(global(ctx, in.get(0), false)));
        r.register("GlobalMaxPool", 1, (ctx, in) -> List.of(global(ctx, in.get(0), true)));
        r.register("BatchNormalization", 9, NnOps::batchNorm);
        r.register("LayerNormalization", 17, NnOps::layerNorm);
        r.register("Softmax", 1, (ctx, in) -> List.of(softmax(in.get(0), (int) ctx.intAttr("axis", 1), true, false)));
        r.register("Softmax", 13, (ctx, in) -> List.of(softmax(in.get(0), (int) ctx.intAttr("axis", -1), false, false)));
        r.register("LogSoftmax", 1, (ctx, in) -> List.of(softmax(in.get(0), (int) ctx.intAttr("axis", 1), true, true)));
        r.register("LogSoftmax", 13, (ctx, in) -> List.of(softmax(in.get(0), (int) ctx.intAttr("axis", -1), false, true)));
    }

    private static float[] requireFloat32(OpContext ctx, Tensor t, String what) {
        if (t.type() != DataType.FLOAT32) {
            throw ctx.unsupported(what + " must be float32 (got " + t.type() + ")");
        }
        return t.floats();
    }

    /** Y = alpha * op(A) op(B) + beta * C, C broadcast to (M, N). */
    static List<Tensor> gemm(OpContext ctx, List<Tensor> in) {
        Tensor a = in.get(0);
        Tensor b = in.get(1);
        Tensor c = in.size() > 2 ? in.get(2) : null;
        boolean ta = ctx.intAttr("transA", 0) != 0;
        boolean tb = ctx.intAttr("transB", 0) != 0;
        float alpha = ctx.floatAttr("alpha", 1f);
        float beta = ctx.floatAttr("beta", 1f);
        if (a.rank() != 2 || b.rank() != 2) {
            throw ctx.error("A and B must be 2-D, got " + a + " and " + b);
        }
        int m = ta ? a.dim(1) : a.dim(0);
        int k = ta ? a.dim(0) : a.dim(1);
        int kb = tb ? b.dim(1) : b.dim(0);
        int n = tb ? b.dim(0) : b.dim(1);
        if (k != kb) {
            throw ctx.error("inner dimensions differ: A " + Arrays.toString(a.shape()) + (ta ? " (transposed)" : "")
                    + ", B " + Arrays.toString(b.shape()) + (tb ? " (transposed)" : ""));
        }
        float[] y = new float[m * n];
        int[] shape = {m, n};
        boolean useC = c != null && beta != 0;
        if (useC) {
            float[] cv = requireFloat32(ctx, c, "C");
            if (!Arrays.equals(Broadcast.shape(c.shape(), shape), shape)) {
                throw ctx.error("C of shape " + Arrays.toString(c.shape()) + " does not broadcast to " + Arrays.toString(shape));
            }
            if (cv.length == n && n > 1 && (c.rank() == 1 || c.dim(0) == 1)) {
                // A bias row (the usual case): copied into every row, no index map, rows split over threads.
                ctx.parallelism().parallelFor(m, Math.max(1, (1 << 14) / n), (i0, i1) -> {
                    for (int i = i0; i < i1; i++) {
                        System.arraycopy(cv, 0, y, i * n, n);
                    }
                });
            } else {
                int[] idx = Broadcast.index(c.shape(), shape);
                for (int i = 0; i < y.length; i++) {
                    y[i] = cv[idx == null ? i : idx[i]];
                }
            }
        }
        float[] bv = requireFloat32(ctx, b, "B");
        Gemm.gemm(ta, tb, m, n, k, alpha, requireFloat32(ctx, a, "A"), 0, a.dim(1), bv, 0, b.dim(1),
                PackedWeights.lookup(bv, tb, k, n, b.dim(1)), useC ? beta : 0f, y, 0, n, ctx.parallelism());
        return List.of(Tensor.ofFloats(shape, y));
    }

    /** Products up to this many multiply-adds skip the GEMM kernel (its packing and checks cost more). */
    static final int SMALL_MATMUL = 4096;
    /** Multiply-adds per parallel chunk of small products. */
    private static final int SMALL_MATMUL_BATCH_CHUNK = 1 << 16;

    /** y (m,n) = x (m,k) * w (k,n), row-major at the given offsets: rows of axpy in float. */
    private static void smallMatmul(int m, int n, int k, float[] x, int xo, float[] w, int wo, float[] y, int yo) {
        for (int i = 0; i < m; i++) {
            int row = yo + i * n;
            for (int p = 0; p < k; p++) {
                float a = x[xo + i * k + p];
                int wr = wo + p * n;
                for (int j = 0; j < n; j++) {
                    y[row + j] += a * w[wr + j];
                }
            }
        }
    }

    /** Numpy matmul: 1-D operands are promoted and the added axis removed; batch dims broadcast. */
    static Tensor matmul(OpContext ctx, Tensor a, Tensor b) {
        int[] as = a.shape();
        int[] bs = b.shape();
        if (as.length == 0 || bs.length == 0) {
            throw ctx.error("MatMul operands must have rank >= 1");
        }
        boolean aVec = as.length == 1;
        boolean bVec = bs.length == 1;
        if (aVec) {
            as = new int[] {1, as[0]};
        }
        if (bVec) {
            bs = new int[] {bs[0], 1};
        }
        int m = as[as.length - 2];
        int k = as[as.length - 1];
        int n = bs[bs.length - 1];
        if (bs[bs.length - 2] != k) {
            throw ctx.error("inner dimensions differ: " + Arrays.toString(a.shape()) + " x " + Arrays.toString(b.shape()));
        }
        int[] aBatch = Arrays.copyOf(as, as.length - 2);
        int[] bBatch = Arrays.copyOf(bs, bs.length - 2);
        int[] batch = Broadcast.shape(aBatch, bBatch);
        int batches = Shape.size(batch);
        List<Integer> outDims = new ArrayList<>();
        for (int d : batch) {
            outDims.add(d);
        }
        if (!aVec) {
            outDims.add(m);
        }
        if (!bVec) {
            outDims.add(n);
        }
        int[] outShape = outDims.stream().mapToInt(Integer::intValue).toArray();
        if (a.type() != b.type()) {
            throw ctx.error("operand types differ: " + a.type() + " and " + b.type());
        }
        Parallelism par = ctx.parallelism();
        if (a.type() == DataType.FLOAT32) {
            float[] x = a.floats();
            float[] w = b.floats();
            float[] y = new float[batches * m * n];
            if (bBatch.length == 0 || Shape.size(bBatch) == 1 && aBatch.length > 0 && Shape.size(aBatch) == batches) {
                // B is one matrix: fold A's batch into its rows and run a single GEMM.
                Gemm.gemm(false, false, batches * m, n, k, 1f, x, 0, k, w, 0, n, 0f, y, 0, n, par);
            } else if ((long) m * n * k <= SMALL_MATMUL) {
                // Many tiny products (DLRM's pairwise interactions, 9x16 by 16x9): direct loops, split over batches.
                int[] ia = Broadcast.index(aBatch, batch);
                int[] ib = Broadcast.index(bBatch, batch);
                par.parallelFor(batches, Math.max(1, SMALL_MATMUL_BATCH_CHUNK / Math.max(1, m * n * k)), (b0, b1) -> {
                    for (int i = b0; i < b1; i++) {
                        int ao = (ia == null ? i : ia[i]) * m * k;
                        int bo = (ib == null ? i : ib[i]) * k * n;
                        smallMatmul(m, n, k, x, ao, w, bo, y, i * m * n);
                    }
                });
            } else {
                int[] ia = Broadcast.index(aBatch, batch);
                int[] ib = Broadcast.index(bBatch, batch);
                for (int i = 0; i < batches; i++) {
                    int ai = ia == null ? i : ia[i];
                    int bi = ib == null ? i : ib[i];
                    Gemm.gemm(false, false, m, n, k, 1f, x, ai * m * k, k, w, bi * k * n, n, 0f, y, i * m * n, n, par);
                }
            }
            return Tensor.ofFloats(outShape, y);
        }
        if (a.type().storage() == DataType.Storage.STRING) {
            throw ctx.unsupported("string operands");
        }
        // Other element types: a plain triple loop in double (rare; not a hot path).
        double[] x = TensorData.toDoubles(a);
        double[] w = TensorData.toDoubles(b);
        double[] y = new double[batches * m * n];
        int[] ia = Broadcast.index(aBatch, batch);
        int[] ib = Broadcast.index(bBatch, batch);
        for (int bt = 0; bt < batches; bt++) {
            int ao = (ia == null ? bt : ia[bt]) * m * k;
            int bo = (ib == null ? bt : ib[bt]) * k * n;
            for (int i = 0; i < m; i++) {
                for (int j = 0; j < n; j++) {
                    double s = 0;
                    for (int p = 0; p < k; p++) {
                        s += x[ao + i * k + p] * w[bo + p * n + j];
                    }
                    y[(bt * m + i) * n + j] = s;
                }
            }
        }
        return TensorData.fromDoubles(a.type(), outShape, y);
    }

    private static int[] spatial(int[] shape) {
        return Arrays.copyOfRange(shape, 2, shape.length);
    }

    private static int[] intsOr(OpContext ctx, String attr, int n, int dflt) {
        long[] v = ctx.intsAttr(attr, null);
        int[] out = new int[n];
        for (int i = 0; i < n; i++) {
            out[i] = v == null ? dflt : (int) v[i];
        }
        return out;
    }

    private static int[] withSpatial(int a, int b, int[] sp) {
        int[] s = new int[sp.length + 2];
        s[0] = a;
        s[1] = b;
        System.arraycopy(sp, 0, s, 2, sp.length);
        return s;
    }

    /** Output size and explicit pads from auto_pad / pads / ceil_mode (the kernel package resolves them). */
    private static WindowGeometry window(OpContext ctx, int[] xs, int[] kernel, int[] strides, int[] dil, boolean ceil) {
        long[] pads = ctx.intsAttr("pads", null);
        int[] p = pads == null ? null : Arrays.stream(pads).mapToInt(Math::toIntExact).toArray();
        try {
            return WindowGeometry.resolve(spatial(xs), kernel, strides, dil, p, ctx.stringAttr("auto_pad", "NOTSET"), ceil);
        } catch (IllegalArgumentException e) {
            throw ctx.error(e.getMessage());
        }
    }

    private static List<Tensor> conv(OpContext ctx, List<Tensor> in) {
        Tensor x = in.get(0);
        Tensor w = in.get(1);
        Tensor bias = in.size() > 2 ? in.get(2) : null;
        int[] xs = x.shape();
        int[] ws = w.shape();
        if (xs.length < 3 || xs.length > 5 || ws.length != xs.length) {
            throw ctx.error("X and W must be 3-D to 5-D with equal ranks, got " + x + " and " + w);
        }
        int nd = xs.length - 2;
        int group = (int) ctx.intAttr("group", 1);
        if (xs[1] != ws[1] * group) {
            throw ctx.error("X has " + xs[1] + " channels but W expects " + ws[1] + " x group " + group);
        }
        int[] kernel = ctx.has("kernel_shape") ? intsOr(ctx, "kernel_shape", nd, 1) : spatial(ws);
        int[] strides = intsOr(ctx, "strides", nd, 1);
        int[] dil = intsOr(ctx, "dilations", nd, 1);
        WindowGeometry p = window(ctx, xs, kernel, strides, dil, false);
        int[] ys = withSpatial(xs[0], ws[0], p.outputSpatial());
        float[] y = new float[Shape.size(ys)];
        Conv.conv(requireFloat32(ctx, x, "X"), xs, requireFloat32(ctx, w, "W"), ws,
                bias == null ? null : requireFloat32(ctx, bias, "B"), y, ys, p.pads(), strides, dil, group,
                ctx.parallelism());
        return List.of(Tensor.ofFloats(ys, y));
    }

    /** Pooling over float32; small integer types go through float exactly and back. */
    private static float[] poolInput(OpContext ctx, Tensor x) {
        return switch (x.type()) {
            case FLOAT32 -> x.floats();
            case UINT8, INT8, UINT16, INT16 -> {
                long[] v = x.longs();
                float[] f = new float[v.length];
                for (int i = 0; i < v.length; i++) {
                    f[i] = v[i];
                }
                yield f;
            }
            default -> throw ctx.unsupported("element type " + x.type() + " is not supported");
        };
    }

    private static Tensor poolOutput(DataType type, int[] shape, float[] y) {
        if (type == DataType.FLOAT32) {
            return Tensor.ofFloats(shape, y);
        }
        long[] v = new long[y.length];
        for (int i = 0; i < y.length; i++) {
            v[i] = (long) y[i];
        }
        return Tensor.ofLongs(type, shape, v);
    }

    private static List<Tensor> maxPool(OpContext ctx, List<Tensor> in) {
        Tensor x = in.get(0);
        int[] xs = x.shape();
        int nd = xs.length - 2;
        int[] kernel = intsOr(ctx, "kernel_shape", nd, 1);
        int[] strides = intsOr(ctx, "strides", nd, 1);
        int[] dil = intsOr(ctx, "dilations", nd, 1);
        WindowGeometry p = window(ctx, xs, kernel, strides, dil, ctx.intAttr("ceil_mode", 0) != 0);
        int[] ys = withSpatial(xs[0], xs[1], p.outputSpatial());
        float[] y = new float[Shape.size(ys)];
        long[] idx = ctx.wantsOutput(1) ? new long[y.length] : null;
        Pool.maxPool(poolInput(ctx, x), xs, y, ys, kernel, p.pads(), strides, dil, idx, ctx.parallelism());
        List<Tensor> out = new ArrayList<>();
        out.add(poolOutput(x.type(), ys, y));
        if (idx != null) {
            if (ctx.intAttr("storage_order", 0) != 0) {
                columnMajor(idx, xs);
            }
            out.add(Tensor.ofLongs(ys, idx));
        }
        return out;
    }

    /** Re-expresses flat row-major indices with the spatial dims in column-major order. */
    private static void columnMajor(long[] idx, int[] xs) {
        int nd = xs.length - 2;
        long plane = 1;
        for (int d = 0; d < nd; d++) {
            plane *= xs[2 + d];
        }
        for (int i = 0; i < idx.length; i++) {
            long base = idx[i] / plane * plane;
            long r = idx[i] % plane;
            long[] c = new long[nd];
            for (int d = nd - 1; d >= 0; d--) {
                c[d] = r % xs[2 + d];
                r /= xs[2 + d];
            }
            long off = 0;
            for (int d = nd - 1; d >= 0; d--) {
                off = off * xs[2 + d] + c[d];
            }
            idx[i] = base + off;
        }
    }

    private static List<Tensor> averagePool(OpContext ctx, List<Tensor> in) {
        Tensor x = in.get(0);
        int[] xs = x.shape();
        int nd = xs.length - 2;
        int[] kernel = intsOr(ctx, "kernel_shape", nd, 1);
        int[] strides = intsOr(ctx, "strides", nd, 1);
        int[] dil = intsOr(ctx, "dilations", nd, 1);
        WindowGeometry p = window(ctx, xs, kernel, strides, dil, ctx.intAttr("ceil_mode", 0) != 0);
        int[] ys = withSpatial(xs[0], xs[1], p.outputSpatial());
        float[] y = new float[Shape.size(ys)];
        Pool.averagePool(poolInput(ctx, x), xs, y, ys, kernel, p.pads(), strides, dil,
                ctx.intAttr("count_include_pad", 0) != 0, ctx.parallelism());
        return List.of(poolOutput(x.type(), ys, y));
    }

    private static Tensor global(OpContext ctx, Tensor x, boolean max) {
        int[] xs = x.shape();
        int[] ys = xs.clone();
        for (int d = 2; d < ys.length; d++) {
            ys[d] = 1;
        }
        float[] y = new float[xs[0] * xs[1]];
        if (max) {
            Pool.globalMaxPool(requireFloat32(ctx, x, "X"), xs, y);
        } else {
            Pool.globalAveragePool(requireFloat32(ctx, x, "X"), xs, y);
        }
        return Tensor.ofFloats(ys, y);
    }

    /** Inference: y = (x - mean) / sqrt(var + eps) * scale + B per channel; training_mode uses batch statistics. */
    private static List<Tensor> batchNorm(OpContext ctx, List<Tensor> in) {
        Tensor x = in.get(0);
        double[] scale = TensorData.toDoubles(in.get(1));
        double[] bias = TensorData.toDoubles(in.get(2));
        double[] mean = TensorData.toDoubles(in.get(3));
        double[] var = TensorData.toDoubles(in.get(4));
        double eps = ctx.floatAttr("epsilon", 1e-5f);
        boolean training = ctx.intAttr("training_mode", 0) != 0;
        int[] xs = x.shape();
        int c = xs.length > 1 ? xs[1] : 1;
        int n = xs[0];
        int inner = Shape.inner(xs, Math.min(1, xs.length - 1));
        double[] v = TensorData.toDoubles(x);
        double[] useMean = mean;
        double[] useVar = var;
        if (training) {
            useMean = new double[c];
            useVar = new double[c];
            double count = (double) n * inner;
            for (int b = 0; b < n; b++) {
                for (int ch = 0; ch < c; ch++) {
                    for (int i = 0; i < inner; i++) {
                        useMean[ch] += v[(b * c + ch) * inner + i];
                    }
                }
            }
            for (int ch = 0; ch < c; ch++) {
                useMean[ch] /= count;
            }
            for (int b = 0; b < n; b++) {
                for (int ch = 0; ch < c; ch++) {
                    for (int i = 0; i < inner; i++) {
                        double dlt = v[(b * c + ch) * inner + i] - useMean[ch];
                        useVar[ch] += dlt * dlt;
                    }
                }
            }
            for (int ch = 0; ch < c; ch++) {
                useVar[ch] /= count;
            }
        }
        double[] y = new double[v.length];
        for (int b = 0; b < n; b++) {
            for (int ch = 0; ch < c; ch++) {
                double a = scale[ch] / Math.sqrt(useVar[ch] + eps);
                double sh = bias[ch] - useMean[ch] * a;
                for (int i = 0; i < inner; i++) {
                    int k = (b * c + ch) * inner + i;
                    y[k] = v[k] * a + sh;
                }
            }
        }
        List<Tensor> out = new ArrayList<>();
        out.add(TensorData.fromDoubles(x.type(), xs, y));
        if (training) {
            double momentum = ctx.floatAttr("momentum", 0.9f);
            double[] rm = new double[c];
            double[] rv = new double[c];
            for (int ch = 0; ch < c; ch++) {
                rm[ch] = mean[ch] * momentum + useMean[ch] * (1 - momentum);
                rv[ch] = var[ch] * momentum + useVar[ch] * (1 - momentum);
            }
            out.add(TensorData.fromDoubles(in.get(3).type(), in.get(3).shape(), rm));
            out.add(TensorData.fromDoubles(in.get(4).type(), in.get(4).shape(), rv));
        }
        return out;
    }

    /** Normalises over the dims from {@code axis} on; optional Mean and InvStdDev outputs. */
    private static List<Tensor> layerNorm(OpContext ctx, List<Tensor> in) {
        Tensor x = in.get(0);
        Tensor scale = in.get(1);
        Tensor bias = in.size() > 2 ? in.get(2) : null;
        int[] xs = x.shape();
        int axis = Shape.axis((int) ctx.intAttr("axis", -1), xs.length);
        double eps = ctx.floatAttr("epsilon", 1e-5f);
        int outer = Shape.outer(xs, axis);
        int inner = Shape.size(xs) / Math.max(1, outer);
        int[] normShape = Arrays.copyOfRange(xs, axis, xs.length);
        int[] si = Broadcast.index(scale.shape(), normShape);
        double[] sv = TensorData.toDoubles(scale);
        double[] bv = bias == null ? null : TensorData.toDoubles(bias);
        int[] bi = bias == null ? null : Broadcast.index(bias.shape(), normShape);
        double[] v = TensorData.toDoubles(x);
        double[] y = new double[v.length];
        double[] means = new double[outer];
        double[] inv = new double[outer];
        for (int o = 0; o < outer; o++) {
            double s = 0;
            for (int i = 0; i < inner; i++) {
                s += v[o * inner + i];
            }
            double mu = s / inner;
            double q = 0;
            for (int i = 0; i < inner; i++) {
                double d = v[o * inner + i] - mu;
                q += d * d;
            }
            double r = 1.0 / Math.sqrt(q / inner + eps);
            means[o] = mu;
            inv[o] = r;
            for (int i = 0; i < inner; i++) {
                double e = (v[o * inner + i] - mu) * r * sv[si == null ? i : si[i]];
                if (bv != null) {
                    e += bv[bi == null ? i : bi[i]];
                }
                y[o * inner + i] = e;
            }
        }
        List<Tensor> out = new ArrayList<>();
        out.add(TensorData.fromDoubles(x.type(), xs, y));
        int[] statShape = xs.clone();
        for (int d = axis; d < statShape.length; d++) {
            statShape[d] = 1;
        }
        DataType stash = DataType.fromOnnx((int) ctx.intAttr("stash_type", 1));
        DataType statType = stash == null ? DataType.FLOAT32 : stash;
        if (ctx.wantsOutput(1)) {
            out.add(TensorData.fromDoubles(statType, statShape, means));
        }
        if (ctx.wantsOutput(2)) {
            while (out.size() < 2) {
                out.add(null);
            }
            out.add(TensorData.fromDoubles(statType, statShape, inv));
        }
        return out;
    }

    /**
     * Softmax or log-softmax. {@code legacy} (opset < 13) coerces the input to 2-D at {@code axis}
     * and normalises each row of the flattened trailing dims; otherwise it normalises along {@code axis}.
     */
    static Tensor softmax(Tensor x, int axisAttr, boolean legacy, boolean log) {
        int[] xs = x.shape();
        int axis = xs.length == 0 ? 0 : Shape.axis(axisAttr, xs.length);
        int outer = Shape.outer(xs, axis);
        int n;
        int inner;
        if (legacy) {
            n = Shape.size(xs) / Math.max(1, outer);
            inner = 1;
        } else {
            n = xs.length == 0 ? 1 : xs[axis];
            inner = Shape.inner(xs, axis);
        }
        double[] v = TensorData.toDoubles(x);
        double[] y = new double[v.length];
        for (int o = 0; o < outer; o++) {
            for (int i = 0; i < inner; i++) {
                int base = o * n * inner + i;
                double max = Double.NEGATIVE_INFINITY;
                for (int k = 0; k < n; k++) {
                    max = Math.max(max, v[base + k * inner]);
                }
                double sum = 0;
                for (int k = 0; k < n; k++) {
                    sum += Math.exp(v[base + k * inner] - max);
                }
                double logSum = Math.log(sum);
                for (int k = 0; k < n; k++) {
                    double d = v[base + k * inner] - max;
                    y[base + k * inner] = log ? d - logSum : Math.exp(d) / sum;
                }
            }
        }
        return TensorData.fromDoubles(x.type(), xs, y);
    }
}
