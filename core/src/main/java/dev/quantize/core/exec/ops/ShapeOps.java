package dev.quantize.core.exec.ops;

import dev.quantize.core.graph.Attribute;
import dev.quantize.core.tensor.DataType;
import dev.quantize.core.tensor.Shape;
import dev.quantize.core.tensor.Tensor;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * Data movement and shape ops. They work on every element type by copying through the backing
 * array generically ({@link System#arraycopy} or {@link TensorData#gather}); views such as Reshape
 * share the input's array instead of copying it.
 */
final class ShapeOps {
    private ShapeOps() {
    }

    static void register(OpRegistry r) {
        r.register("Identity", 1, (ctx, in) -> List.of(in.get(0)));
        r.register("Dropout", 1, ShapeOps::dropout);
        r.register("Reshape", 5, (ctx, in) -> List.of(reshape(ctx, in.get(0), TensorData.toLongs(in.get(1)),
                ctx.intAttr("allowzero", 0) != 0)));
        r.register("Flatten", 1, (ctx, in) -> {
            Tensor x = in.get(0);
            int axis = (int) ctx.intAttr("axis", 1);
            axis = axis < 0 ? axis + x.rank() : axis;
            if (axis < 0 || axis > x.rank()) {
                throw ctx.error("axis " + ctx.intAttr("axis", 1) + " out of range for rank " + x.rank());
            }
            int[] s = x.shape();
            int inner = 1;
            for (int d = axis; d < s.length; d++) {
                inner *= s[d];
            }
            return List.of(x.reshape(new int[] {Shape.outer(s, axis), inner}));
        });
        r.register("Transpose", 1, (ctx, in) -> List.of(transpose(in.get(0), ctx.intsAttr("perm", null))));
        r.register("Concat", 4, ShapeOps::concat);
        r.register("Split", 2, (ctx, in) -> split(ctx, in.get(0), ctx.intsAttr("split", null)));
        r.register("Split", 13, (ctx, in) -> split(ctx, in.get(0),
                in.size() > 1 && in.get(1) != null ? TensorData.toLongs(in.get(1)) : null));
        r.register("Slice", 1, (ctx, in) -> List.of(slice(ctx, in.get(0), ctx.intsAttr("starts", null),
                ctx.intsAttr("ends", null), ctx.intsAttr("axes", null), null)));
        r.register("Slice", 10, (ctx, in) -> List.of(slice(ctx, in.get(0), TensorData.toLongs(in.get(1)),
                TensorData.toLongs(in.get(2)), optLongs(in, 3), optLongs(in, 4))));
        r.register("Gather", 1, (ctx, in) -> List.of(gather(ctx, in.get(0), in.get(1), (int) ctx.intAttr("axis", 0))));
        r.register("GatherElements", 11, (ctx, in) -> List.of(gatherElements(ctx, in.get(0), in.get(1),
                (int) ctx.intAttr("axis", 0))));
        r.register("Squeeze", 1, (ctx, in) -> List.of(squeeze(ctx, in.get(0), ctx.intsAttr("axes", null))));
        r.register("Squeeze", 13, (ctx, in) -> List.of(squeeze(ctx, in.get(0), optLongs(in, 1))));
        r.register("Unsqueeze", 1, (ctx, in) -> List.of(unsqueeze(ctx, in.get(0), ctx.intsAttr("axes", null))));
        r.register("Unsqueeze", 13, (ctx, in) -> List.of(unsqueeze(ctx, in.get(0), optLongs(in, 1))));
        r.register("Expand", 8, (ctx, in) -> {
            Tensor x = in.get(0);
            int[] shape = Broadcast.shape(x.shape(), TensorData.toInts(in.get(1)));
            return List.of(TensorData.gather(x, shape, Broadcast.index(x.shape(), shape)));
        });
        r.register("Tile", 6, (ctx, in) -> List.of(tile(ctx, in.get(0), TensorData.toLongs(in.get(1)))));
        r.register("Shape", 1, (ctx, in) -> List.of(shapeOf(in.get(0), ctx.intAttr("start", 0),
                ctx.has("end") ? ctx.intAttr("end", 0) : Long.MAX_VALUE)));
        r.register("Size", 1, (ctx, in) -> List.of(Tensor.scalar((long) in.get(0).size())));
        r.register("Range", 11, (ctx, in) -> List.of(range(in.get(0), in.get(1), in.get(2))));
        r.register("Constant", 1, (ctx, in) -> List.of(constant(ctx)));
        r.register("ConstantOfShape", 9, (ctx, in) -> {
            int[] shape = TensorData.toInts(in.get(0));
            Tensor value = ctx.tensorAttr("value");
            if (value == null) {
                return List.of(Tensor.zeros(DataType.FLOAT32, shape));
            }
            int n = Shape.size(shape);
            return List.of(TensorData.gather(value.reshape(new int[] {1}), shape, new int[n]));
        });
    }

    private static long[] optLongs(List<Tensor> in, int i) {
        return i < in.size() && in.get(i) != null ? TensorData.toLongs(in.get(i)) : null;
    }

    private static List<Tensor> dropout(OpContext ctx, List<Tensor> in) {
        Tensor x = in.get(0);
        boolean training = in.size() > 2 && in.get(2) != null && in.get(2).longs()[0] != 0;
        double ratio = in.size() > 1 && in.get(1) != null ? in.get(1).getDouble(0) : ctx.floatAttr("ratio", 0.5f);
        if (training && ratio != 0) {
            throw ctx.unsupported("training-mode dropout (random masks) is not supported; inference only");
        }
        List<Tensor> out = new ArrayList<>();
        out.add(x);
        if (ctx.wantsOutput(1)) {
            long[] mask = new long[x.size()];
            Arrays.fill(mask, 1);
            out.add(Tensor.ofLongs(DataType.BOOL, x.shape(), mask));
        }
        return out;
    }

    static Tensor reshape(OpContext ctx, Tensor x, long[] spec, boolean allowZero) {
        int[] in = x.shape();
        int[] out = new int[spec.length];
        int inferred = -1;
        long known = 1;
        for (int i = 0; i < spec.length; i++) {
            long s = spec[i];
            if (s == -1) {
                if (inferred >= 0) {
                    throw ctx.error("more than one -1 in shape " + Arrays.toString(spec));
                }
                inferred = i;
                continue;
            }
            if (s == 0 && !allowZero) {
                if (i >= in.length) {
                    throw ctx.error("shape " + Arrays.toString(spec) + " copies dimension " + i + " of a rank-"
                            + in.length + " input");
                }
                s = in[i];
            }
            if (s < 0) {
                throw ctx.error("invalid dimension " + s + " in shape " + Arrays.toString(spec));
            }
            out[i] = (int) s;
            known *= s;
        }
        int size = x.size();
        if (inferred >= 0) {
            if (known == 0 || size % known != 0) {
                throw ctx.error("cannot infer -1 in shape " + Arrays.toString(spec) + " for input " + Arrays.toString(in));
            }
            out[inferred] = (int) (size / known);
        } else if (known != size) {
            throw ctx.error("cannot reshape " + Arrays.toString(in) + " to " + Arrays.toString(spec));
        }
        return x.reshape(out);
    }

    static Tensor transpose(Tensor x, long[] permAttr) {
        int rank = x.rank();
        int[] perm = new int[rank];
        for (int i = 0; i < rank; i++) {
            perm[i] = permAttr == null ? rank - 1 - i : (int) permAttr[i];
        }
        int[] in = x.shape();
        if (x.type() == DataType.FLOAT32 && swapsLastTwo(perm)) {
            return transposeLastTwo(x);
        }
        int[] strides = Shape.strides(in);
        int[] out = new int[rank];
        int[] permStrides = new int[rank];
        for (int i = 0; i < rank; i++) {
            out[i] = in[perm[i]];
            permStrides[i] = strides[perm[i]];
        }
        return TensorData.gather(x, out, strided(out, permStrides, 0));
    }

    private static boolean swapsLastTwo(int[] perm) {
        int r = perm.length;
        if (r < 2 || perm[r - 1] != r - 2 || perm[r - 2] != r - 1) {
            return false;
        }
        for (int i = 0; i < r - 2; i++) {
            if (perm[i] != i) {
                return false;
            }
        }
        return true;
    }

    /** (..., R, C) to (..., C, R) for float32: plain loops per matrix, no index map. */
    private static Tensor transposeLastTwo(Tensor x) {
        int[] in = x.shape();
        int r = in.length;
        int rows = in[r - 2];
        int cols = in[r - 1];
        int[] out = in.clone();
        out[r - 2] = cols;
        out[r - 1] = rows;
        float[] v = x.floats();
        float[] o = new float[v.length];
        int mat = rows * cols;
        for (int base = 0; base < v.length; base += mat) {
            for (int i = 0; i < rows; i++) {
                for (int j = 0; j < cols; j++) {
                    o[base + j * rows + i] = v[base + i * cols + j];
                }
            }
        }
        return Tensor.ofFloats(out, o);
    }

    /** The offsets visited by walking {@code shape} row-major with the given element strides. */
    static int[] strided(int[] shape, int[] strides, int base) {
        int n = Shape.size(shape);
        int[] idx = new int[n];
        int rank = shape.length;
        int[] counter = new int[rank];
        int off = base;
        for (int i = 0; i < n; i++) {
            idx[i] = off;
            for (int d = rank - 1; d >= 0; d--) {
                counter[d]++;
                off += strides[d];
                if (counter[d] < shape[d]) {
                    break;
                }
                off -= strides[d] * counter[d];
                counter[d] = 0;
            }
        }
        return idx;
    }

    private static List<Tensor> concat(OpContext ctx, List<Tensor> in) {
        Tensor first = in.get(0);
        int rank = first.rank();
        int axis = Shape.axis((int) ctx.intAttr("axis", 0), rank);
        int[] outShape = first.shape();
        outShape[axis] = 0;
        for (Tensor t : in) {
            if (t.rank() != rank || t.type() != first.type()) {
                throw ctx.error("inputs must share rank and type: " + first + " vs " + t);
            }
            for (int d = 0; d < rank; d++) {
                if (d != axis && t.shape()[d] != first.shape()[d]) {
                    throw ctx.error("dimension " + d + " differs: " + first + " vs " + t);
                }
            }
            outShape[axis] += t.shape()[axis];
        }
        int outer = Shape.outer(outShape, axis);
        int inner = Shape.inner(outShape, axis);
        Object out = TensorData.alloc(first.type(), Shape.size(outShape));
        int rowOut = outShape[axis] * inner;
        int pos = 0;
        for (Tensor t : in) {
            int block = t.shape()[axis] * inner;
            Object src = TensorData.array(t);
            for (int o = 0; o < outer; o++) {
                System.arraycopy(src, o * block, out, o * rowOut + pos, block);
            }
            pos += block;
        }
        return List.of(TensorData.wrap(first.type(), outShape, out));
    }

    private static List<Tensor> split(OpContext ctx, Tensor x, long[] sizes) {
        int rank = x.rank();
        int axis = Shape.axis((int) ctx.intAttr("axis", 0), rank);
        int dim = x.shape()[axis];
        int parts = ctx.outputCount();
        long[] s = sizes;
        if (s == null) {
            int n = ctx.has("num_outputs") ? (int) ctx.intAttr("num_outputs", parts) : parts;
            int chunk = (dim + n - 1) / n; // opset 18: the last chunk may be smaller
            s = new long[n];
            for (int i = 0; i < n; i++) {
                s[i] = Math.max(0, Math.min(chunk, dim - (long) chunk * i));
            }
        }
        long total = 0;
        for (long v : s) {
            total += v;
        }
        if (total != dim) {
            throw ctx.error("split sizes " + Arrays.toString(s) + " do not add up to dimension " + dim);
        }
        int[] shape = x.shape();
        int outer = Shape.outer(shape, axis);
        int inner = Shape.inner(shape, axis);
        Object src = TensorData.array(x);
        List<Tensor> out = new ArrayList<>();
        int start = 0;
        for (long len : s) {
            int[] os = shape.clone();
            os[axis] = (int) len;
            Object dst = TensorData.alloc(x.type(), Shape.size(os));
            int block = (int) len * inner;
            for (int o = 0; o < outer; o++) {
                System.arraycopy(src, (o * dim + start) * inner, dst, o * block, block);
            }
            out.add(TensorData.wrap(x.type(), os, dst));
            start += (int) len;
        }
        return out;
    }

    static Tensor slice(OpContext ctx, Tensor x, long[] starts, long[] ends, long[] axes, long[] steps) {
        int rank = x.rank();
        int[] shape = x.shape();
        if (starts == null || ends == null || starts.length != ends.length) {
            throw ctx.error("starts and ends must be given with equal lengths");
        }
        int[] begin = new int[rank];
        int[] step = new int[rank];
        int[] out = shape.clone();
        Arrays.fill(step, 1);
        for (int i = 0; i < starts.length; i++) {
            int axis = Shape.axis(axes == null ? i : (int) axes[i], rank);
            long st = steps == null ? 1 : steps[i];
            if (st == 0) {
                throw ctx.error("step must not be 0");
            }
            long dim = shape[axis];
            long s = starts[i] < 0 ? starts[i] + dim : starts[i];
            long e = ends[i] < 0 ? ends[i] + dim : ends[i];
            if (st > 0) {
                s = Math.max(0, Math.min(s, dim));
                e = Math.max(0, Math.min(e, dim));
            } else {
                s = Math.max(0, Math.min(s, dim - 1));
                e = Math.max(-1, Math.min(e, dim - 1));
            }
            long len = st > 0 ? (e - s + st - 1) / st : (s - e + (-st) - 1) / (-st);
            out[axis] = (int) Math.max(0, len);
            begin[axis] = (int) s;
            step[axis] = (int) st;
        }
        int[] strides = Shape.strides(shape);
        int base = 0;
        int[] walk = new int[rank];
        for (int d = 0; d < rank; d++) {
            base += begin[d] * strides[d];
            walk[d] = step[d] * strides[d];
        }
        if (Shape.size(out) == 0) {
            return TensorData.wrap(x.type(), out, TensorData.alloc(x.type(), 0));
        }
        return TensorData.gather(x, out, strided(out, walk, base));
    }

    private static Tensor gather(OpContext ctx, Tensor data, Tensor indices, int axisAttr) {
        int[] shape = data.shape();
        int axis = Shape.axis(axisAttr, shape.length);
        long[] idx = TensorData.toLongs(indices);
        int dim = shape[axis];
        int outer = Shape.outer(shape, axis);
        int inner = Shape.inner(shape, axis);
        int[] iShape = indices.shape();
        int[] outShape = new int[shape.length - 1 + iShape.length];
        System.arraycopy(shape, 0, outShape, 0, axis);
        System.arraycopy(iShape, 0, outShape, axis, iShape.length);
        System.arraycopy(shape, axis + 1, outShape, axis + iShape.length, shape.length - axis - 1);
        Object src = TensorData.array(data);
        Object dst = TensorData.alloc(data.type(), Shape.size(outShape));
        if (inner == 1 && data.type() == DataType.FLOAT32) {
            // Single elements (picking columns): a plain loop instead of one arraycopy per element.
            float[] f = (float[]) src;
            float[] d = (float[]) dst;
            for (int j = 0; j < idx.length; j++) {
                if (idx[j] < -dim || idx[j] >= dim) {
                    throw ctx.error("index " + idx[j] + " out of range for axis " + axis + " of size " + dim);
                }
            }
            for (int o = 0; o < outer; o++) {
                for (int j = 0; j < idx.length; j++) {
                    int k = (int) (idx[j] < 0 ? idx[j] + dim : idx[j]);
                    d[o * idx.length + j] = f[o * dim + k];
                }
            }
            return TensorData.wrap(data.type(), outShape, dst);
        }
        for (int o = 0; o < outer; o++) {
            for (int j = 0; j < idx.length; j++) {
                long k = idx[j] < 0 ? idx[j] + dim : idx[j];
                if (k < 0 || k >= dim) {
                    throw ctx.error("index " + idx[j] + " out of range for axis " + axis + " of size " + dim);
                }
                System.arraycopy(src, (int) ((o * (long) dim + k) * inner), dst, (o * idx.length + j) * inner, inner);
            }
        }
        return TensorData.wrap(data.type(), outShape, dst);
    }

    private static Tensor gatherElements(OpContext ctx, Tensor data, Tensor indices, int axisAttr) {
        int[] shape = data.shape();
        int rank = shape.length;
        int axis = Shape.axis(axisAttr, rank);
        int[] iShape = indices.shape();
        long[] idx = TensorData.toLongs(indices);
        int[] dStrides = Shape.strides(shape);
        int[] map = new int[idx.length];
        int[] counter = new int[rank];
        for (int i = 0; i < idx.length; i++) {
            long k = idx[i] < 0 ? idx[i] + shape[axis] : idx[i];
            if (k < 0 || k >= shape[axis]) {
                throw ctx.error("index " + idx[i] + " out of range for axis " + axis + " of size " + shape[axis]);
            }
            int off = 0;
            for (int d = 0; d < rank; d++) {
                off += (d == axis ? (int) k : counter[d]) * dStrides[d];
            }
            map[i] = off;
            for (int d = rank - 1; d >= 0; d--) {
                if (++counter[d] < iShape[d]) {
                    break;
                }
                counter[d] = 0;
            }
        }
        return TensorData.gather(data, iShape, map);
    }

    private static Tensor squeeze(OpContext ctx, Tensor x, long[] axes) {
        int[] shape = x.shape();
        boolean[] drop = new boolean[shape.length];
        if (axes == null) {
            for (int d = 0; d < shape.length; d++) {
                drop[d] = shape[d] == 1;
            }
        } else {
            for (long a : axes) {
                int d = Shape.axis((int) a, shape.length);
                if (shape[d] != 1) {
                    throw ctx.error("cannot squeeze axis " + a + " of size " + shape[d]);
                }
                drop[d] = true;
            }
        }
        int[] out = new int[shape.length];
        int n = 0;
        for (int d = 0; d < shape.length; d++) {
            if (!drop[d]) {
                out[n++] = shape[d];
            }
        }
        return x.reshape(Arrays.copyOf(out, n));
    }

    private static Tensor unsqueeze(OpContext ctx, Tensor x, long[] axes) {
        if (axes == null) {
            throw ctx.error("axes are required");
        }
        int[] shape = x.shape();
        int rank = shape.length + axes.length;
        boolean[] inserted = new boolean[rank];
        for (long a : axes) {
            int d = Shape.axis((int) a, rank);
            if (inserted[d]) {
                throw ctx.error("axis " + a + " given twice");
            }
            inserted[d] = true;
        }
        int[] out = new int[rank];
        int j = 0;
        for (int d = 0; d < rank; d++) {
            out[d] = inserted[d] ? 1 : shape[j++];
        }
        return x.reshape(out);
    }

    private static Tensor tile(OpContext ctx, Tensor x, long[] repeats) {
        int[] shape = x.shape();
        if (repeats.length != shape.length) {
            throw ctx.error("repeats has " + repeats.length + " entries for a rank-" + shape.length + " input");
        }
        int rank = shape.length;
        int[] out = new int[rank];
        for (int d = 0; d < rank; d++) {
            out[d] = shape[d] * (int) repeats[d];
        }
        int[] strides = Shape.strides(shape);
        int n = Shape.size(out);
        int[] map = new int[n];
        int[] counter = new int[rank];
        for (int i = 0; i < n; i++) {
            int off = 0;
            for (int d = 0; d < rank; d++) {
                off += (counter[d] % shape[d]) * strides[d];
            }
            map[i] = off;
            for (int d = rank - 1; d >= 0; d--) {
                if (++counter[d] < out[d]) {
                    break;
                }
                counter[d] = 0;
            }
        }
        return TensorData.gather(x, out, map);
    }

    private static Tensor shapeOf(Tensor x, long start, long end) {
        int rank = x.rank();
        long s = start < 0 ? start + rank : start;
        long e = end < 0 ? end + rank : end;
        s = Math.max(0, Math.min(s, rank));
        e = Math.max(0, Math.min(e, rank));
        int n = (int) Math.max(0, e - s);
        long[] v = new long[n];
        int[] shape = x.shape();
        for (int i = 0; i < n; i++) {
            v[i] = shape[(int) s + i];
        }
        return Tensor.ofLongs(new int[] {n}, v);
    }

    private static Tensor range(Tensor start, Tensor limit, Tensor delta) {
        DataType t = start.type();
        if (t.storage() == DataType.Storage.LONG) {
            long s = start.longs()[0];
            long l = limit.longs()[0];
            long d = delta.longs()[0];
            int n = (int) Math.max(0, Math.ceil((double) (l - s) / d));
            long[] v = new long[n];
            for (int i = 0; i < n; i++) {
                v[i] = s + i * d;
            }
            return Tensor.ofLongs(t, new int[] {n}, v);
        }
        double s = start.getDouble(0);
        double l = limit.getDouble(0);
        double d = delta.getDouble(0);
        int n = (int) Math.max(0, Math.ceil((l - s) / d));
        double[] v = new double[n];
        if (t == DataType.FLOAT32) {
            float fs = (float) s;
            float fd = (float) d;
            for (int i = 0; i < n; i++) {
                v[i] = fs + i * fd;
            }
        } else {
            for (int i = 0; i < n; i++) {
                v[i] = s + i * d;
            }
        }
        return TensorData.fromDoubles(t, new int[] {n}, v);
    }

    private static Tensor constant(OpContext ctx) {
        var attrs = ctx.node().attributes();
        for (Attribute a : attrs.values()) {
            switch (a.name()) {
                case "value":
                    return a.asTensor();
                case "value_float":
                    return Tensor.scalar(a.asFloat());
                case "value_floats": {
                    float[] f = a.asFloats();
                    return Tensor.ofFloats(new int[] {f.length}, f);
                }
                case "value_int":
                    return Tensor.scalar(a.asLong());
                case "value_ints": {
                    long[] l = a.asLongs();
                    return Tensor.ofLongs(new int[] {l.length}, l);
                }
                case "value_string":
                    return Tensor.ofStrings(new int[0], new String[] {a.asString()});
                case "value_strings": {
                    List<String> s = a.asStrings();
                    return Tensor.ofStrings(new int[] {s.size()}, s.toArray(new String[0]));
                }
                case "sparse_value":
                    throw ctx.unsupported("sparse_value constants are not supported");
                default:
                    break;
            }
        }
        throw ctx.error("no value attribute (value, value_float(s), value_int(s), value_string(s))");
    }
}
