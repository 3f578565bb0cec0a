package dev.quantize.core.tensor;

import java.util.Arrays;
import java.util.Objects;

/**
 * A dense row-major tensor: an element type, a shape and one backing Java array (see
 * {@link DataType} for which array holds which type). The backing array is shared, not copied: code
 * that receives a tensor must not mutate it unless it created it.
 */
public final class Tensor {
    private final DataType type;
    private final int[] shape;
    private final Object data;

    private Tensor(DataType type, int[] shape, Object data) {
        this.type = Objects.requireNonNull(type, "type");
        this.shape = shape.clone();
        this.data = data;
        int expected = Shape.size(shape);
        int actual = switch (type.storage()) {
            case FLOAT -> ((float[]) data).length;
            case DOUBLE -> ((double[]) data).length;
            case LONG -> ((long[]) data).length;
            case STRING -> ((String[]) data).length;
        };
        if (actual != expected) {
            throw new IllegalArgumentException("data has " + actual + " elements but shape "
                    + Arrays.toString(shape) + " needs " + expected);
        }
    }

    public static Tensor ofFloats(int[] shape, float[] data) {
        return new Tensor(DataType.FLOAT32, shape, data);
    }

    /** A float-stored tensor of a narrower float type (FLOAT16, BFLOAT16, FLOAT8...). */
    public static Tensor ofFloats(DataType type, int[] shape, float[] data) {
        if (type.storage() != DataType.Storage.FLOAT) {
            throw new IllegalArgumentException(type + " is not stored as float");
        }
        return new Tensor(type, shape, data);
    }

    public static Tensor ofDoubles(int[] shape, double[] data) {
        return new Tensor(DataType.FLOAT64, shape, data);
    }

    public static Tensor ofLongs(int[] shape, long[] data) {
        return new Tensor(DataType.INT64, shape, data);
    }

    /** An integer or bool tensor of the given type, stored as longs. */
    public static Tensor ofLongs(DataType type, int[] shape, long[] data) {
        if (type.storage() != DataType.Storage.LONG) {
            throw new IllegalArgumentException(type + " is not stored as long");
        }
        return new Tensor(type, shape, data);
    }

    public static Tensor ofStrings(int[] shape, String[] data) {
        return new Tensor(DataType.STRING, shape, data);
    }

    public static Tensor scalar(float v) {
        return ofFloats(new int[0], new float[] {v});
    }

    public static Tensor scalar(long v) {
        return ofLongs(new int[0], new long[] {v});
    }

    /** A zero-filled tensor of any type. */
    public static Tensor zeros(DataType type, int[] shape) {
        int n = Shape.size(shape);
        return switch (type.storage()) {
            case FLOAT -> new Tensor(type, shape, new float[n]);
            case DOUBLE -> new Tensor(type, shape, new double[n]);
            case LONG -> new Tensor(type, shape, new long[n]);
            case STRING -> {
                String[] s = new String[n];
                Arrays.fill(s, "");
                yield new Tensor(type, shape, s);
            }
        };
    }

    public DataType type() {
        return type;
    }

    /** A copy of the shape. */
    public int[] shape() {
        return shape.clone();
    }

    public int rank() {
        return shape.length;
    }

    public int dim(int axis) {
        return shape[Shape.axis(axis, shape.length)];
    }

    public int size() {
        return Shape.size(shape);
    }

    /** The backing float array (FLOAT32, FLOAT16, BFLOAT16, FLOAT8 types). */
    public float[] floats() {
        if (type.storage() != DataType.Storage.FLOAT) {
            throw new IllegalStateException("tensor of type " + type + " has no float data");
        }
        return (float[]) data;
    }

    public double[] doubles() {
        if (type.storage() != DataType.Storage.DOUBLE) {
            throw new IllegalStateException("tensor of type " + type + " has no double data");
        }
        return (double[]) data;
    }

    public long[] longs() {
        if (type.storage() != DataType.Storage.LONG) {
            throw new IllegalStateException("tensor of type " + type + " has no integer data");
        }
        return (long[]) data;
    }

    public String[] strings() {
        if (type.storage() != DataType.Storage.STRING) {
            throw new IllegalStateException("tensor of type " + type + " has no string data");
        }
        return (String[]) data;
    }

    /** The same data viewed with another shape of the same size. */
    public Tensor reshape(int[] newShape) {
        return new Tensor(type, newShape, data);
    }

    /** Element i as a double, whatever the storage (strings excluded). */
    public double getDouble(int i) {
        return switch (type.storage()) {
            case FLOAT -> ((float[]) data)[i];
            case DOUBLE -> ((double[]) data)[i];
            case LONG -> ((long[]) data)[i];
            case STRING -> throw new IllegalStateException("string tensor has no numeric value");
        };
    }

    @Override
    public String toString() {
        return "Tensor(" + type + " " + Arrays.toString(shape) + ")";
    }
}
