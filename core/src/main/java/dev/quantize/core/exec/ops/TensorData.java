package dev.quantize.core.exec.ops;

import dev.quantize.core.format.BFloat16;
import dev.quantize.core.format.Float16;
import dev.quantize.core.tensor.DataType;
import dev.quantize.core.tensor.Shape;
import dev.quantize.core.tensor.Tensor;

/**
 * Type-generic helpers over a tensor's backing array: allocation, gathering by an index map,
 * conversion between element types, and the rounding/wrapping that keeps a value representable in
 * its declared type (FLOAT16 in a float[], INT8 in a long[]...).
 */
public final class TensorData {
    private TensorData() {
    }

    /** The backing array (float[], double[], long[] or String[]). */
    public static Object array(Tensor t) {
        return switch (t.type().storage()) {
            case FLOAT -> t.floats();
            case DOUBLE -> t.doubles();
            case LONG -> t.longs();
            case STRING -> t.strings();
        };
    }

    public static Object alloc(DataType type, int n) {
        return switch (type.storage()) {
            case FLOAT -> new float[n];
            case DOUBLE -> new double[n];
            case LONG -> new long[n];
            case STRING -> new String[n];
        };
    }

    /** Wraps a backing array of the right storage kind. */
    public static Tensor wrap(DataType type, int[] shape, Object data) {
        return switch (type.storage()) {
            case FLOAT -> Tensor.ofFloats(type, shape, (float[]) data);
            case DOUBLE -> Tensor.ofDoubles(shape, (double[]) data);
            case LONG -> Tensor.ofLongs(type, shape, (long[]) data);
            case STRING -> Tensor.ofStrings(shape, (String[]) data);
        };
    }

    /** out[i] = src[index[i]] with the given output shape; a null index means the identity. */
    public static Tensor gather(Tensor src, int[] outShape, int[] index) {
        int n = Shape.size(outShape);
        if (index == null) {
            return src.reshape(outShape);
        }
        switch (src.type().storage()) {
            case FLOAT -> {
                float[] s = src.floats();
                float[] o = new float[n];
                for (int i = 0; i < n; i++) {
                    o[i] = s[index[i]];
                }
                return Tensor.ofFloats(src.type(), outShape, o);
            }
            case DOUBLE -> {
                double[] s = src.doubles();
                double[] o = new double[n];
                for (int i = 0; i < n; i++) {
                    o[i] = s[index[i]];
                }
                return Tensor.ofDoubles(outShape, o);
            }
            case LONG -> {
                long[] s = src.longs();
                long[] o = new long[n];
                for (int i = 0; i < n; i++) {
                    o[i] = s[index[i]];
                }
                return Tensor.ofLongs(src.type(), outShape, o);
            }
            default -> {
                String[] s = src.strings();
                String[] o = new String[n];
                for (int i = 0; i < n; i++) {
                    o[i] = s[index[i]];
                }
                return Tensor.ofStrings(outShape, o);
            }
        }
    }

    /** Every element as a double (a copy). */
    public static double[] toDoubles(Tensor t) {
        int n = t.size();
        double[] out = new double[n];
        switch (t.type().storage()) {
            case FLOAT -> {
                float[] f = t.floats();
                for (int i = 0; i < n; i++) {
                    out[i] = f[i];
                }
            }
            case DOUBLE -> System.arraycopy(t.doubles(), 0, out, 0, n);
            case LONG -> {
                long[] l = t.longs();
                boolean unsigned64 = t.type() == DataType.UINT64;
                for (int i = 0; i < n; i++) {
                    out[i] = unsigned64 && l[i] < 0 ? unsignedToDouble(l[i]) : l[i];
                }
            }
            case STRING -> throw new IllegalArgumentException("string tensor has no numeric values");
        }
        return out;
    }

    private static double unsignedToDouble(long v) {
        return (double) (v >>> 1) * 2.0 + (v & 1);
    }

    /** Integer contents (indices, shapes, axes); float tensors are truncated. */
    public static long[] toLongs(Tensor t) {
        if (t.type().storage() == DataType.Storage.LONG) {
            return t.longs().clone();
        }
        double[] d = toDoubles(t);
        long[] out = new long[d.length];
        for (int i = 0; i < d.length; i++) {
            out[i] = (long) d[i];
        }
        return out;
    }

    public static int[] toInts(Tensor t) {
        long[] l = toLongs(t);
        int[] out = new int[l.length];
        for (int i = 0; i < l.length; i++) {
            out[i] = Math.toIntExact(l[i]);
        }
        return out;
    }

    /** Builds a tensor of {@code type} from doubles, rounding or wrapping each value into the type. */
    public static Tensor fromDoubles(DataType type, int[] shape, double[] v) {
        int n = v.length;
        switch (type.storage()) {
            case FLOAT -> {
                float[] f = new float[n];
                for (int i = 0; i < n; i++) {
                    f[i] = (float) v[i];
                }
                narrow(type, f);
                return Tensor.ofFloats(type, shape, f);
            }
            case DOUBLE -> {
                return Tensor.ofDoubles(shape, v);
            }
            case LONG -> {
                long[] l = new long[n];
                for (int i = 0; i < n; i++) {
                    l[i] = type == DataType.BOOL ? (v[i] != 0 ? 1 : 0) : wrap(type, doubleToLong(type, v[i]));
                }
                return Tensor.ofLongs(type, shape, l);
            }
            default -> throw new IllegalArgumentException("cannot build a " + type + " tensor from numbers");
        }
    }

    /** C-style conversion (truncation toward zero); values beyond int64 go through unsigned for UINT64. */
    private static long doubleToLong(DataType type, double d) {
        if (type == DataType.UINT64 && d >= 9.223372036854775807E18) {
            return (long) (d / 2) << 1;
        }
        return (long) d;
    }

    /** Wraps an integer into the range of {@code type} (two's complement truncation, as C casts do). */
    public static long wrap(DataType type, long v) {
        return switch (type) {
            case INT8 -> (byte) v;
            case UINT8 -> v & 0xFF;
            case INT16 -> (short) v;
            case UINT16 -> v & 0xFFFF;
            case INT32 -> (int) v;
            case UINT32 -> v & 0xFFFFFFFFL;
            case INT4 -> (v << 60) >> 60;
            case UINT4 -> v & 0xF;
            case BOOL -> v != 0 ? 1 : 0;
            default -> v;
        };
    }

    /** Wraps every element of an integer array into its type, in place. */
    public static void wrap(DataType type, long[] v) {
        if (type == DataType.INT64 || type == DataType.UINT64) {
            return;
        }
        for (int i = 0; i < v.length; i++) {
            v[i] = wrap(type, v[i]);
        }
    }

    /** Rounds float-stored values of a narrower float type to that type, in place (RNE). */
    public static void narrow(DataType type, float[] v) {
        switch (type) {
            case FLOAT32 -> {
            }
            case FLOAT16 -> {
                for (int i = 0; i < v.length; i++) {
                    v[i] = Float16.toFloat(Float16.fromFloat(v[i]));
                }
            }
            case BFLOAT16 -> {
                for (int i = 0; i < v.length; i++) {
                    v[i] = BFloat16.toFloat(BFloat16.fromFloat(v[i]));
                }
            }
            default -> throw new UnsupportedFeatureException("arithmetic producing " + type + " is not supported");
        }
    }

    /** Three-way comparison honouring unsigned 64-bit storage. */
    public static int compare(DataType type, long a, long b) {
        return type == DataType.UINT64 ? Long.compareUnsigned(a, b) : Long.compare(a, b);
    }
}
