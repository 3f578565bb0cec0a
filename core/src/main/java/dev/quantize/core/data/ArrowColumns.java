package dev.quantize.core.data;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.quantize.core.format.Float16;
import dev.quantize.core.tensor.DataType;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import org.apache.arrow.vector.BaseIntVector;
import org.apache.arrow.vector.BitVector;
import org.apache.arrow.vector.FieldVector;
import org.apache.arrow.vector.Float2Vector;
import org.apache.arrow.vector.Float4Vector;
import org.apache.arrow.vector.Float8Vector;
import org.apache.arrow.vector.ValueVector;
import org.apache.arrow.vector.complex.BaseListVector;
import org.apache.arrow.vector.complex.FixedSizeListVector;
import org.apache.arrow.vector.complex.LargeListVector;
import org.apache.arrow.vector.complex.ListVector;
import org.apache.arrow.vector.types.FloatingPointPrecision;
import org.apache.arrow.vector.types.pojo.ArrowType;
import org.apache.arrow.vector.types.pojo.Field;
import org.apache.arrow.vector.types.pojo.FieldType;

/**
 * How dataset columns are laid out in Arrow, both ways. A column is one of:
 * <ul>
 *   <li>a scalar vector (Float2/4/8, Int 8-64 signed or unsigned, Bit): rows of shape {@code []};</li>
 *   <li>a FixedSizeList of a scalar: tensor rows whose shape is the field metadata {@code shape}
 *       (a JSON array such as {@code [2,3]}, product = list size), or {@code [listSize]} without it;</li>
 *   <li>a List or LargeList of a scalar: 1-D rows, every row of the dataset the same length (the
 *       first row fixes it), which is how Parquet writers without fixed-size lists store vectors.</li>
 * </ul>
 * Nulls are refused: a model input has no missing values.
 */
final class ArrowColumns {
    /** Field-metadata key holding a FixedSizeList column's row shape. */
    static final String SHAPE_KEY = "shape";
    private static final ObjectMapper JSON = new ObjectMapper();

    private ArrowColumns() {
    }

    /** How a column's rows are stored. */
    enum Layout { SCALAR, FIXED_LIST, LIST }

    static Layout layout(Field field) {
        ArrowType t = field.getType();
        if (t instanceof ArrowType.FixedSizeList) {
            return Layout.FIXED_LIST;
        }
        if (t instanceof ArrowType.List || t instanceof ArrowType.LargeList) {
            return Layout.LIST;
        }
        return Layout.SCALAR;
    }

    /** The element type of a scalar Arrow type, or null. */
    static DataType elementType(ArrowType t) {
        if (t instanceof ArrowType.FloatingPoint fp) {
            return switch (fp.getPrecision()) {
                case HALF -> DataType.FLOAT16;
                case SINGLE -> DataType.FLOAT32;
                case DOUBLE -> DataType.FLOAT64;
            };
        }
        if (t instanceof ArrowType.Int i) {
            return switch (i.getBitWidth()) {
                case 8 -> i.getIsSigned() ? DataType.INT8 : DataType.UINT8;
                case 16 -> i.getIsSigned() ? DataType.INT16 : DataType.UINT16;
                case 32 -> i.getIsSigned() ? DataType.INT32 : DataType.UINT32;
                case 64 -> i.getIsSigned() ? DataType.INT64 : DataType.UINT64;
                default -> null;
            };
        }
        if (t instanceof ArrowType.Bool) {
            return DataType.BOOL;
        }
        return null;
    }

    static ArrowType arrowType(String file, ColumnSpec c) {
        return switch (c.type()) {
            case FLOAT16 -> new ArrowType.FloatingPoint(FloatingPointPrecision.HALF);
            case FLOAT32 -> new ArrowType.FloatingPoint(FloatingPointPrecision.SINGLE);
            case FLOAT64 -> new ArrowType.FloatingPoint(FloatingPointPrecision.DOUBLE);
            case INT8 -> new ArrowType.Int(8, true);
            case INT16 -> new ArrowType.Int(16, true);
            case INT32 -> new ArrowType.Int(32, true);
            case INT64 -> new ArrowType.Int(64, true);
            case UINT8 -> new ArrowType.Int(8, false);
            case UINT16 -> new ArrowType.Int(16, false);
            case UINT32 -> new ArrowType.Int(32, false);
            case UINT64 -> new ArrowType.Int(64, false);
            case BOOL -> ArrowType.Bool.INSTANCE;
            default -> throw new DatasetException(file + ": column '" + c.name() + "' has type " + c.type()
                    + ", which this project does not store in Arrow");
        };
    }

    /**
     * The column spec of a field. For List columns the row length is not in the schema: {@code listLength}
     * supplies it (from the first row), or is -1 when there are no rows.
     */
    static ColumnSpec spec(String file, Field field, int listLength) {
        String name = field.getName();
        if (field.getDictionary() != null) {
            throw new DatasetException(file + ": column '" + name + "' is dictionary-encoded; store plain values");
        }
        Layout layout = layout(field);
        ArrowType elem = layout == Layout.SCALAR ? field.getType() : onlyChild(file, field).getType();
        DataType type = elementType(elem);
        if (type == null) {
            throw new DatasetException(file + ": column '" + name + "' has Arrow type " + field.getType()
                    + "; supported: float16/32/64, int/uint 8-64, bool, and fixed-size or variable lists of them");
        }
        return switch (layout) {
            case SCALAR -> new ColumnSpec(name, type, new int[0]);
            case LIST -> new ColumnSpec(name, type, new int[] {Math.max(listLength, 0)});
            case FIXED_LIST -> {
                int size = ((ArrowType.FixedSizeList) field.getType()).getListSize();
                int[] shape = shapeMetadata(file, field);
                if (shape == null) {
                    shape = new int[] {size};
                }
                long product = 1;
                for (int d : shape) {
                    product *= d;
                }
                if (product != size) {
                    throw new DatasetException(file + ": column '" + name + "' has shape metadata "
                            + Arrays.toString(shape) + " (" + product + " elements) but its fixed-size list holds " + size);
                }
                yield new ColumnSpec(name, type, shape);
            }
        };
    }

    private static Field onlyChild(String file, Field field) {
        List<Field> children = field.getChildren();
        if (children.size() != 1) {
            throw new DatasetException(file + ": column '" + field.getName() + "' is a list with " + children.size() + " children");
        }
        return children.get(0);
    }

    private static int[] shapeMetadata(String file, Field field) {
        Map<String, String> md = field.getMetadata();
        String text = md == null ? null : md.get(SHAPE_KEY);
        if (text == null) {
            return null;
        }
        try {
            int[] shape = JSON.readValue(text, int[].class);
            for (int d : shape) {
                if (d < 0) {
                    throw new DatasetException(file + ": column '" + field.getName() + "' has a negative dimension in shape metadata " + text);
                }
            }
            return shape;
        } catch (JsonProcessingException e) {
            throw new DatasetException(file + ": column '" + field.getName() + "' has shape metadata '" + text
                    + "' that is not a JSON array of integers", e);
        }
    }

    /** The Arrow field a writer uses for a column: scalar, or FixedSizeList with the shape metadata. */
    static Field field(String file, ColumnSpec c) {
        ArrowType elem = arrowType(file, c);
        if (c.rowShape().length == 0) {
            return new Field(c.name(), FieldType.notNullable(elem), null);
        }
        String shape = Arrays.toString(c.rowShape()).replace(" ", "");
        Field child = new Field("item", FieldType.notNullable(elem), null);
        return new Field(c.name(), new FieldType(false, new ArrowType.FixedSizeList(c.rowSize()), null,
                Map.of(SHAPE_KEY, shape)), List.of(child));
    }

    /** Row length of a List column's first row, or -1 when it has no rows. */
    static int firstListLength(FieldVector v) {
        if (v.getValueCount() == 0) {
            return -1;
        }
        BaseListVector list = (BaseListVector) v;
        return Math.toIntExact(list.getElementEndIndex(0) - list.getElementStartIndex(0));
    }

    /**
     * Copies rows {@code [from, from + count)} of vector {@code v} into {@code dest} (the tensor array of
     * {@code spec.type()}) starting at element {@code destRow * rowSize}. Throws naming the column and
     * row on nulls or rows of the wrong length.
     */
    static void copyRows(String file, ColumnSpec spec, FieldVector v, int from, int count, Object dest, int destRow,
                         long rowBase) {
        int rowSize = spec.rowSize();
        int out = destRow * rowSize;
        if (v instanceof FixedSizeListVector fl) {
            ValueVector child = fl.getDataVector();
            for (int r = from; r < from + count; r++) {
                checkNotNull(file, spec, v, r, rowBase);
                copyScalars(file, spec, child, r * rowSize, rowSize, dest, out, rowBase + r);
                out += rowSize;
            }
        } else if (v instanceof ListVector || v instanceof LargeListVector) {
            BaseListVector list = (BaseListVector) v;
            ValueVector child = v instanceof ListVector l ? l.getDataVector() : ((LargeListVector) v).getDataVector();
            for (int r = from; r < from + count; r++) {
                checkNotNull(file, spec, v, r, rowBase);
                long start = list.getElementStartIndex(r);
                long len = list.getElementEndIndex(r) - start;
                if (len != rowSize) {
                    throw new DatasetException(file + ": column '" + spec.name() + "' row " + (rowBase + r) + " has "
                            + len + " elements but earlier rows have " + rowSize + " (list columns need equal lengths)");
                }
                copyScalars(file, spec, child, Math.toIntExact(start), rowSize, dest, out, rowBase + r);
                out += rowSize;
            }
        } else {
            for (int r = from; r < from + count; r++) {
                if (v.isNull(r)) {
                    throw new DatasetException(file + ": column '" + spec.name() + "' has a null element in row " + (rowBase + r));
                }
            }
            copyScalars(file, spec, v, from, count, dest, out, rowBase + from);
        }
    }

    private static void checkNotNull(String file, ColumnSpec spec, ValueVector v, int r, long rowBase) {
        if (v.isNull(r)) {
            throw new DatasetException(file + ": column '" + spec.name() + "' row " + (rowBase + r) + " is null");
        }
    }

    /** Copies {@code n} scalars from {@code src[start...]} into {@code dest[out...]}. */
    private static void copyScalars(String file, ColumnSpec spec, ValueVector src, int start, int n, Object dest, int out,
                                    long row) {
        if (start < 0 || start + n > src.getValueCount()) {
            throw new DatasetException(file + ": column '" + spec.name() + "' row " + row + " points past its "
                    + src.getValueCount() + " values (corrupt file?)");
        }
        for (int i = start; i < start + n; i++) {
            if (src.isNull(i)) {
                throw new DatasetException(file + ": column '" + spec.name() + "' has a null element in row " + row);
            }
        }
        switch (spec.type().storage()) {
            case FLOAT -> {
                float[] f = (float[]) dest;
                if (src instanceof Float4Vector v) {
                    for (int i = 0; i < n; i++) {
                        f[out + i] = v.get(start + i);
                    }
                } else if (src instanceof Float2Vector v) {
                    for (int i = 0; i < n; i++) {
                        f[out + i] = Float16.toFloat(v.get(start + i));
                    }
                } else {
                    throw mismatch(file, spec, src);
                }
            }
            case DOUBLE -> {
                if (!(src instanceof Float8Vector v)) {
                    throw mismatch(file, spec, src);
                }
                double[] d = (double[]) dest;
                for (int i = 0; i < n; i++) {
                    d[out + i] = v.get(start + i);
                }
            }
            case LONG -> {
                long[] l = (long[]) dest;
                if (src instanceof BaseIntVector v) {
                    for (int i = 0; i < n; i++) {
                        l[out + i] = v.getValueAsLong(start + i);
                    }
                } else if (src instanceof BitVector v) {
                    for (int i = 0; i < n; i++) {
                        l[out + i] = v.get(start + i);
                    }
                } else {
                    throw mismatch(file, spec, src);
                }
            }
            case STRING -> throw mismatch(file, spec, src);
        }
    }

    private static DatasetException mismatch(String file, ColumnSpec spec, ValueVector src) {
        return new DatasetException(file + ": column '" + spec.name() + "' changed type: expected " + spec.type()
                + " but a record batch holds " + src.getMinorType());
    }
}
