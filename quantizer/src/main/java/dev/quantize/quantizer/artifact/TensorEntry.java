package dev.quantize.quantizer.artifact;

import dev.quantize.core.tensor.DataType;
import java.util.Arrays;

/**
 * One tensor of the artifact's directory: its name and logical shape, how its bytes are stored, and
 * where they are: {@code offset} is relative to the start of the tensor section (a multiple of 64),
 * {@code length} in bytes, {@code crc32c} over exactly those bytes.
 */
public record TensorEntry(String name, int[] shape, Storage storage, long offset, long length, int crc32c) {
    /** How a tensor's bytes encode its values. */
    public sealed interface Storage permits Packed, Raw {
    }

    /**
     * Packed in a numeric format ({@code NumericFormat.encode} along {@code axis}); the decoded values
     * are multiplied by {@code scale} (the FP8-style tensor scale; 1 for formats that carry their own).
     */
    public record Packed(String format, int axis, float scale) implements Storage {
    }

    /** Plain little-endian elements of an ONNX type (an initializer the plan does not quantize). */
    public record Raw(DataType type) implements Storage {
    }

    public TensorEntry {
        shape = shape.clone();
    }

    @Override
    public int[] shape() {
        return shape.clone();
    }

    public long elements() {
        long n = 1;
        for (int d : shape) {
            n *= d;
        }
        return n;
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof TensorEntry t && t.name.equals(name) && Arrays.equals(t.shape, shape)
                && t.storage.equals(storage) && t.offset == offset && t.length == length && t.crc32c == crc32c;
    }

    @Override
    public int hashCode() {
        return name.hashCode() * 31 + Arrays.hashCode(shape);
    }

    @Override
    public String toString() {
        return "TensorEntry(" + name + " " + Arrays.toString(shape) + " " + storage + " @" + offset + "+" + length + ")";
    }
}
