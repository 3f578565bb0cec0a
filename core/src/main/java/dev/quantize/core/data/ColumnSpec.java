package dev.quantize.core.data;

import dev.quantize.core.tensor.DataType;
import java.util.Arrays;
import java.util.Objects;

/**
 * One column of a dataset: its name, element type and the shape of one row (empty for scalar rows).
 * A batch of {@code n} rows of this column is a tensor of shape {@code [n, ...rowShape]}.
 */
public record ColumnSpec(String name, DataType type, int[] rowShape) implements java.io.Serializable {
    public ColumnSpec {
        Objects.requireNonNull(name, "name");
        Objects.requireNonNull(type, "type");
        rowShape = rowShape.clone();
        for (int d : rowShape) {
            if (d < 0) {
                throw new IllegalArgumentException("column '" + name + "': negative dimension in row shape "
                        + Arrays.toString(rowShape));
            }
        }
    }

    /** A copy of the row shape. */
    @Override
    public int[] rowShape() {
        return rowShape.clone();
    }

    /** Elements in one row. */
    public int rowSize() {
        int n = 1;
        for (int d : rowShape) {
            n = Math.multiplyExact(n, d);
        }
        return n;
    }

    /** The shape of a batch of {@code rows} rows. */
    public int[] batchShape(int rows) {
        int[] s = new int[rowShape.length + 1];
        s[0] = rows;
        System.arraycopy(rowShape, 0, s, 1, rowShape.length);
        return s;
    }

    /** "int64 [2]": the type in lower case and the row shape, as error messages show it. */
    public String describe() {
        return type.name().toLowerCase() + " " + Arrays.toString(rowShape).replace(" ", "");
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof ColumnSpec c && name.equals(c.name) && type == c.type
                && Arrays.equals(rowShape, c.rowShape);
    }

    @Override
    public int hashCode() {
        return Objects.hash(name, type, Arrays.hashCode(rowShape));
    }

    @Override
    public String toString() {
        return name + ": " + describe();
    }
}
