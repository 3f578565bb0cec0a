package dev.quantize.core.format;

import java.util.Arrays;
import java.util.Objects;

/** A tensor packed in a format: the format's name, the logical shape, the axis it was packed along, the bytes. */
public record PackedTensor(String format, int[] shape, int axis, byte[] bytes) {
    public PackedTensor {
        Objects.requireNonNull(format);
        shape = shape.clone();
    }

    @Override
    public int[] shape() {
        return shape.clone();
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof PackedTensor p && p.format.equals(format) && Arrays.equals(p.shape, shape)
                && p.axis == axis && Arrays.equals(p.bytes, bytes);
    }

    @Override
    public int hashCode() {
        return Objects.hash(format, Arrays.hashCode(shape), axis, Arrays.hashCode(bytes));
    }

    @Override
    public String toString() {
        return "PackedTensor(" + format + " " + Arrays.toString(shape) + " axis " + axis + ", " + bytes.length + " bytes)";
    }
}
