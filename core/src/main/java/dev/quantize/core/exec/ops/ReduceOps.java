package dev.quantize.core.exec.ops;

import dev.quantize.core.kernel.Parallelism;
import dev.quantize.core.kernel.Sums;
import dev.quantize.core.tensor.DataType;
import dev.quantize.core.tensor.Shape;
import dev.quantize.core.tensor.Tensor;
import java.util.List;

/**
 * Reductions and ArgMax/ArgMin. Every reduction accumulates in double whatever the element type,
 * then rounds once to the output type: for float32 this is at least as accurate as ONNX Runtime's
 * float accumulation, so sums of many terms (ReduceSum/ReduceMean over large axes) do not drift.
 * Axes are an attribute before opset 13 (ReduceSum) or 18 (the others) and an input from then on.
 */
final class ReduceOps {
    private ReduceOps() {
    }

    enum Kind { SUM, MEAN, MAX, MIN, PROD, L1, L2, LOG_SUM, LOG_SUM_EXP, SUM_SQUARE }

    static void register(OpRegistry r) {
        reduce(r, "ReduceSum", Kind.SUM, 13);
        reduce(r, "ReduceMean", Kind.MEAN, 18);
        reduce(r, "ReduceMax", Kind.MAX, 18);
        reduce(r, "ReduceMin", Kind.MIN, 18);
        reduce(r, "ReduceProd", Kind.PROD, 18);
        reduce(r, "ReduceL1", Kind.L1, 18);
        reduce(r, "ReduceL2", Kind.L2, 18);
        reduce(r, "ReduceLogSum", Kind.LOG_SUM, 18);
        reduce(r, "ReduceLogSumExp", Kind.LOG_SUM_EXP, 18);
        reduce(r, "ReduceSumSquare", Kind.SUM_SQUARE, 18);
        r.register("ArgMax", 1, (ctx, in) -> List.of(argExtreme(ctx, in.get(0), true)));
        r.register("ArgMin", 1, (ctx, in) -> List.of(argExtreme(ctx, in.get(0), false)));
    }

    private static void reduce(OpRegistry r, String name, Kind kind, int axesInputSince) {
        r.register(name, 1, (ctx, in) -> {
            long[] axes = ctx.intsAttr("axes", null);
            return List.of(run(ctx, in.get(0), axes, kind, false));
        });
        r.register(name, axesInputSince, (ctx, in) -> {
            Tensor axesT = in.size() > 1 ? in.get(1) : null;
            long[] axes = axesT == null ? null : TensorData.toLongs(axesT);
            boolean noop = ctx.intAttr("noop_with_empty_axes", 0) != 0;
            return List.of(run(ctx, in.get(0), axes, kind, noop));
        });
    }

    private static Tensor run(OpContext ctx, Tensor x, long[] axes, Kind kind, boolean noopWhenEmpty) {
        boolean empty = axes == null || axes.length == 0;
        if (empty && noopWhenEmpty) {
            return x;
        }
        if (x.type().storage() == DataType.Storage.STRING) {
            throw ctx.unsupported("string tensors cannot be reduced");
        }
        int rank = x.rank();
        boolean[] reduced = new boolean[rank];
        if (empty) {
            java.util.Arrays.fill(reduced, true);
        } else {
            for (long a : axes) {
                reduced[Shape.axis((int) a, rank)] = true;
            }
        }
        return reduce(x, reduced, ctx.intAttr("keepdims", 1) != 0, kind, ctx.parallelism());
    }

    /** Reduces the flagged axes of {@code x}; large additive reductions of float tensors are split over {@code par}. */
    static Tensor reduce(Tensor x, boolean[] reduced, boolean keepdims, Kind kind, Parallelism par) {
        int[] shape = x.shape();
        int rank = shape.length;
        int[] keptShape = new int[rank];
        int count = 1;
        for (int d = 0; d < rank; d++) {
            keptShape[d] = reduced[d] ? 1 : shape[d];
            if (reduced[d]) {
                count *= shape[d];
            }
        }
        int[] outShape = keepdims ? keptShape : dropReduced(shape, reduced);
        double[] fast = reduceContiguous(x, reduced, kind, par);
        if (fast != null) {
            return TensorData.fromDoubles(x.type(), outShape, fast);
        }
        int[] outIndex = Broadcast.index(keptShape, shape);
        double[] v = TensorData.toDoubles(x);
        int outSize = Shape.size(keptShape);
        double[] acc = new double[outSize];
        double[] max = null;
        if (kind == Kind.LOG_SUM_EXP) {
            max = new double[outSize];
            java.util.Arrays.fill(max, Double.NEGATIVE_INFINITY);
            for (int i = 0; i < v.length; i++) {
                int o = outIndex == null ? i : outIndex[i];
                max[o] = Math.max(max[o], v[i]);
            }
            for (int o = 0; o < outSize; o++) {
                if (Double.isInfinite(max[o])) {
                    max[o] = 0;
                }
            }
        }
        double init = switch (kind) {
            case PROD -> 1;
            case MAX -> Double.NEGATIVE_INFINITY;
            case MIN -> Double.POSITIVE_INFINITY;
            default -> 0;
        };
        java.util.Arrays.fill(acc, init);
        for (int i = 0; i < v.length; i++) {
            int o = outIndex == null ? i : outIndex[i];
            double e = v[i];
            switch (kind) {
                case SUM, MEAN, LOG_SUM -> acc[o] += e;
                case MAX -> acc[o] = Double.isNaN(e) || Double.isNaN(acc[o]) ? Double.NaN : Math.max(acc[o], e);
                case MIN -> acc[o] = Double.isNaN(e) || Double.isNaN(acc[o]) ? Double.NaN : Math.min(acc[o], e);
                case PROD -> acc[o] *= e;
                case L1 -> acc[o] += Math.abs(e);
                case L2, SUM_SQUARE -> acc[o] += e * e;
                case LOG_SUM_EXP -> acc[o] += Math.exp(e - max[o]);
            }
        }
        for (int o = 0; o < outSize; o++) {
            acc[o] = switch (kind) {
                case MEAN -> acc[o] / count;
                case L2 -> Math.sqrt(acc[o]);
                case LOG_SUM -> Math.log(acc[o]);
                case LOG_SUM_EXP -> Math.log(acc[o]) + max[o];
                default -> acc[o];
            };
        }
        return TensorData.fromDoubles(x.type(), outShape, acc);
    }

    /**
     * One output of an additive reduction over len adjacent elements: SUM/MEAN in {@link Sums}'
     * lane-blocked order (eight partial sums), the others in element order.
     */
    private static double sumRow(float[] v, int from, int len, Kind kind) {
        double s = 0;
        switch (kind) {
            case L1 -> {
                for (int i = from; i < from + len; i++) {
                    s += Math.abs((double) v[i]);
                }
            }
            case SUM_SQUARE, L2 -> {
                for (int i = from; i < from + len; i++) {
                    double e = v[i];
                    s += e * e;
                }
            }
            default -> s = Sums.sum(v, from, len); // the fused LayerNorm sums in exactly this order
        }
        return s;
    }

    /**
     * The additive reductions of a float tensor whose reduced axes are adjacent: x viewed as
     * (outer, r, inner), summed over r with plain loops and no index map or double copy of x. Each
     * output accumulates its inputs in the same order as the general loop, except the last-axis SUM/MEAN
     * (see {@link #sumRow}), which may differ from the general loop in the last bits of the double sum.
     * Null when the case does not apply.
     */
    private static double[] reduceContiguous(Tensor x, boolean[] reduced, Kind kind, Parallelism par) {
        if (x.type().storage() != DataType.Storage.FLOAT || !(kind == Kind.SUM || kind == Kind.MEAN
                || kind == Kind.SUM_SQUARE || kind == Kind.L1 || kind == Kind.L2)) {
            return null;
        }
        int[] shape = x.shape();
        int first = -1;
        int last = -1;
        for (int d = 0; d < shape.length; d++) {
            if (reduced[d]) {
                if (first < 0) {
                    first = d;
                } else if (last != d - 1) {
                    return null;
                }
                last = d;
            }
        }
        if (first < 0) {
            return null;
        }
        int outer = 1;
        int r = 1;
        int inner = 1;
        for (int d = 0; d < shape.length; d++) {
            if (d < first) {
                outer *= shape[d];
            } else if (d <= last) {
                r *= shape[d];
            } else {
                inner *= shape[d];
            }
        }
        float[] v = x.floats();
        double[] acc = new double[outer * inner];
        int rr = r;
        int in = inner;
        par.parallelFor(outer, Math.max(1, (1 << 15) / Math.max(1, r * inner)), (o0, o1) -> {
            for (int o = o0; o < o1; o++) {
                if (in == 1) {
                    acc[o] = sumRow(v, o * rr, rr, kind); // the common case: reduce the last axis
                    continue;
                }
                for (int j = 0; j < rr; j++) {
                    int base = (o * rr + j) * in;
                    int out = o * in;
                    switch (kind) {
                        case L1 -> {
                            for (int i = 0; i < in; i++) {
                                acc[out + i] += Math.abs((double) v[base + i]);
                            }
                        }
                        case SUM_SQUARE, L2 -> {
                            for (int i = 0; i < in; i++) {
                                double e = v[base + i];
                                acc[out + i] += e * e;
                            }
                        }
                        default -> {
                            for (int i = 0; i < in; i++) {
                                acc[out + i] += v[base + i];
                            }
                        }
                    }
                }
            }
        });
        for (int o = 0; o < acc.length; o++) {
            if (kind == Kind.MEAN) {
                acc[o] /= r;
            } else if (kind == Kind.L2) {
                acc[o] = Math.sqrt(acc[o]);
            }
        }
        return acc;
    }

    private static int[] dropReduced(int[] shape, boolean[] reduced) {
        int n = 0;
        for (boolean r : reduced) {
            n += r ? 0 : 1;
        }
        int[] out = new int[n];
        int j = 0;
        for (int d = 0; d < shape.length; d++) {
            if (!reduced[d]) {
                out[j++] = shape[d];
            }
        }
        return out;
    }

    private static Tensor argExtreme(OpContext ctx, Tensor x, boolean max) {
        int rank = x.rank();
        int axis = Shape.axis((int) ctx.intAttr("axis", 0), rank);
        boolean keepdims = ctx.intAttr("keepdims", 1) != 0;
        boolean last = ctx.intAttr("select_last_index", 0) != 0;
        int[] shape = x.shape();
        int outer = Shape.outer(shape, axis);
        int inner = Shape.inner(shape, axis);
        int dim = shape[axis];
        double[] v = TensorData.toDoubles(x);
        long[] out = new long[outer * inner];
        for (int o = 0; o < outer; o++) {
            for (int i = 0; i < inner; i++) {
                int best = 0;
                double bestV = v[o * dim * inner + i];
                for (int k = 1; k < dim; k++) {
                    double e = v[(o * dim + k) * inner + i];
                    boolean better = max ? (last ? e >= bestV : e > bestV) : (last ? e <= bestV : e < bestV);
                    if (better) {
                        best = k;
                        bestV = e;
                    }
                }
                out[o * inner + i] = best;
            }
        }
        int[] outShape;
        if (keepdims) {
            outShape = shape.clone();
            outShape[axis] = 1;
        } else {
            boolean[] red = new boolean[rank];
            red[axis] = true;
            outShape = dropReduced(shape, red);
        }
        return Tensor.ofLongs(outShape, out);
    }
}
