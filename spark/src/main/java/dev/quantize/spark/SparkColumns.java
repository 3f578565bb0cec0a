package dev.quantize.spark;

import dev.quantize.core.data.Batch;
import dev.quantize.core.data.ColumnSpec;
import dev.quantize.core.data.DatasetBinding;
import dev.quantize.core.data.DatasetException;
import dev.quantize.core.graph.Dim;
import dev.quantize.core.graph.ValueInfo;
import dev.quantize.core.tensor.DataType;
import dev.quantize.core.tensor.Tensor;
import java.io.Serializable;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.apache.spark.api.java.JavaRDD;
import org.apache.spark.sql.Column;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.catalyst.InternalRow;
import org.apache.spark.sql.catalyst.util.ArrayData;
import org.apache.spark.sql.functions;
import org.apache.spark.sql.types.ArrayType;
import org.apache.spark.sql.types.DataTypes;
import org.apache.spark.sql.types.StructField;

/**
 * The columns of a Spark Dataset a model reads, as the project's {@link ColumnSpec}s: the model's
 * inputs matched by name (checked by core's {@link DatasetBinding}, same rules and wording as the
 * single-JVM tool), plus the label column when present. Numbers map to their tensor types; an array
 * column is a row of one dimension, its length fixed by the model when the model fixes it, else by the
 * first row. Rows are turned into {@link Batch}es on the executors; a row that does not fit (a null,
 * an array of the wrong length) fails with the file and the column named.
 */
final class SparkColumns implements Serializable {
    private static final long serialVersionUID = 1L;
    /** The hidden column carrying each row's source file, for error messages. */
    static final String FILE = "__quantize_file";

    private final String name;
    private final List<ColumnSpec> columns;

    private SparkColumns(String name, List<ColumnSpec> columns) {
        this.name = name;
        this.columns = List.copyOf(columns);
    }

    /**
     * The columns {@code data} must provide for {@code inputs}; throws a {@link DatasetException}
     * naming {@code name} (the path or table) and every disagreement.
     */
    static SparkColumns bind(String name, Dataset<Row> data, List<ValueInfo> inputs) {
        Map<String, StructField> fields = new LinkedHashMap<>();
        for (StructField f : data.schema().fields()) {
            fields.put(f.name(), f);
        }
        Map<String, ValueInfo> byInput = new LinkedHashMap<>();
        inputs.forEach(i -> byInput.put(i.name(), i));
        List<ColumnSpec> specs = new ArrayList<>();
        List<String> wanted = new ArrayList<>(byInput.keySet());
        Batch.LABEL_NAMES.stream().filter(fields::containsKey).findFirst().ifPresent(wanted::add);
        for (String col : wanted) {
            StructField f = fields.get(col);
            if (f == null) {
                continue; // DatasetBinding names the missing input with the full column list
            }
            specs.add(spec(name, data, f, byInput.get(col)));
        }
        List<ColumnSpec> all = new ArrayList<>(specs);
        fields.keySet().stream().filter(n -> specs.stream().noneMatch(s -> s.name().equals(n)))
                .forEach(n -> all.add(new ColumnSpec(n, DataType.STRING, new int[0]))); // listed in messages only
        DatasetBinding.bind(name, all, inputs);
        return new SparkColumns(name, specs);
    }

    private static ColumnSpec spec(String name, Dataset<Row> data, StructField f, ValueInfo input) {
        org.apache.spark.sql.types.DataType t = f.dataType();
        if (t instanceof ArrayType a) {
            DataType element = scalar(a.elementType());
            if (element == null) {
                throw new DatasetException(name + ": column '" + f.name() + "' is " + t.simpleString()
                        + "; expected numbers or arrays of numbers");
            }
            return new ColumnSpec(f.name(), element, new int[] {arrayLength(name, data, f.name(), input)});
        }
        DataType scalar = scalar(t);
        if (scalar == null) {
            throw new DatasetException(name + ": column '" + f.name() + "' is " + t.simpleString()
                    + "; expected numbers or arrays of numbers");
        }
        return new ColumnSpec(f.name(), scalar, new int[0]);
    }

    /** The model's fixed row length when it has one, else the first row's. */
    private static int arrayLength(String name, Dataset<Row> data, String column, ValueInfo input) {
        if (input != null && input.shape() != null && input.shape().size() == 2) {
            Dim d = input.shape().get(1);
            if (d.isFixed()) {
                return (int) d.value();
            }
        }
        List<Row> first = data.select(functions.size(functions.col(column))).limit(1).collectAsList();
        if (first.isEmpty()) {
            throw new DatasetException(name + ": no rows");
        }
        return first.get(0).getInt(0);
    }

    private static DataType scalar(org.apache.spark.sql.types.DataType t) {
        if (t.equals(DataTypes.FloatType)) {
            return DataType.FLOAT32;
        } else if (t.equals(DataTypes.DoubleType)) {
            return DataType.FLOAT64;
        } else if (t.equals(DataTypes.LongType)) {
            return DataType.INT64;
        } else if (t.equals(DataTypes.IntegerType)) {
            return DataType.INT32;
        } else if (t.equals(DataTypes.ShortType)) {
            return DataType.INT16;
        } else if (t.equals(DataTypes.ByteType)) {
            return DataType.INT8;
        }
        return null;
    }

    /**
     * The columns a partition needs, in spec order, then the source file name, as Spark's internal rows:
     * they skip the conversion to {@link Row} objects (boxed numbers), which would cost more than the model.
     */
    JavaRDD<InternalRow> select(Dataset<Row> data) {
        List<Column> cols = new ArrayList<>();
        columns.forEach(c -> cols.add(functions.col(c.name())));
        cols.add(functions.input_file_name().as(FILE));
        return data.select(cols.toArray(new Column[0])).queryExecution().toRdd().toJavaRDD();
    }

    String name() {
        return name;
    }

    List<ColumnSpec> columns() {
        return columns;
    }

    /**
     * Up to {@code max} rows of {@code rows} (Spark's internal rows of {@link #select}, which it may
     * reuse: every value is copied out before the next row is read) as a batch; null when none are left.
     */
    Batch next(Iterator<InternalRow> rows, int max) {
        int c = columns.size();
        float[][] f = new float[c][];
        double[][] d = new double[c][];
        long[][] l = new long[c][];
        int[] width = new int[c];
        for (int k = 0; k < c; k++) {
            ColumnSpec spec = columns.get(k);
            width[k] = spec.rowSize();
            switch (spec.type().storage()) {
                case FLOAT -> f[k] = new float[max * width[k]];
                case DOUBLE -> d[k] = new double[max * width[k]];
                case LONG -> l[k] = new long[max * width[k]];
                case STRING -> throw new IllegalStateException("string columns are not read");
            }
        }
        int n = 0;
        while (n < max && rows.hasNext()) {
            InternalRow row = rows.next();
            for (int k = 0; k < c; k++) {
                ColumnSpec spec = columns.get(k);
                if (row.isNullAt(k)) {
                    throw bad(row, spec, "null value");
                }
                boolean array = spec.rowShape().length > 0;
                int w = width[k];
                ArrayData a = array ? row.getArray(k) : null;
                if (array) {
                    if (a.numElements() != w) {
                        throw bad(row, spec, "array of " + a.numElements() + " values, expected " + w);
                    }
                    for (int i = 0; i < w; i++) {
                        if (a.isNullAt(i)) {
                            throw bad(row, spec, "null element at index " + i);
                        }
                    }
                }
                int at = n * w;
                switch (spec.type()) {
                    case FLOAT32 -> {
                        if (array) {
                            for (int i = 0; i < w; i++) {
                                f[k][at + i] = a.getFloat(i);
                            }
                        } else {
                            f[k][at] = row.getFloat(k);
                        }
                    }
                    case FLOAT64 -> {
                        if (array) {
                            for (int i = 0; i < w; i++) {
                                d[k][at + i] = a.getDouble(i);
                            }
                        } else {
                            d[k][at] = row.getDouble(k);
                        }
                    }
                    case INT64 -> {
                        if (array) {
                            for (int i = 0; i < w; i++) {
                                l[k][at + i] = a.getLong(i);
                            }
                        } else {
                            l[k][at] = row.getLong(k);
                        }
                    }
                    case INT32 -> {
                        if (array) {
                            for (int i = 0; i < w; i++) {
                                l[k][at + i] = a.getInt(i);
                            }
                        } else {
                            l[k][at] = row.getInt(k);
                        }
                    }
                    case INT16 -> {
                        if (array) {
                            for (int i = 0; i < w; i++) {
                                l[k][at + i] = a.getShort(i);
                            }
                        } else {
                            l[k][at] = row.getShort(k);
                        }
                    }
                    case INT8 -> {
                        if (array) {
                            for (int i = 0; i < w; i++) {
                                l[k][at + i] = a.getByte(i);
                            }
                        } else {
                            l[k][at] = row.getByte(k);
                        }
                    }
                    default -> throw new IllegalStateException("unexpected column type " + spec.type());
                }
            }
            n++;
        }
        if (n == 0) {
            return null;
        }
        Map<String, Tensor> out = new LinkedHashMap<>();
        for (int k = 0; k < c; k++) {
            ColumnSpec spec = columns.get(k);
            int size = n * width[k];
            out.put(spec.name(), switch (spec.type().storage()) {
                case FLOAT -> Tensor.ofFloats(spec.type(), spec.batchShape(n), n == max ? f[k] : Arrays.copyOf(f[k], size));
                case DOUBLE -> Tensor.ofDoubles(spec.batchShape(n), n == max ? d[k] : Arrays.copyOf(d[k], size));
                case LONG -> Tensor.ofLongs(spec.type(), spec.batchShape(n), n == max ? l[k] : Arrays.copyOf(l[k], size));
                case STRING -> throw new IllegalStateException("string columns are not read");
            });
        }
        return new Batch(out, n);
    }

    private DatasetException bad(InternalRow row, ColumnSpec spec, String what) {
        int fileColumn = columns.size();
        String file = row.isNullAt(fileColumn) || row.getUTF8String(fileColumn).numBytes() == 0 ? name
                : row.getUTF8String(fileColumn).toString();
        return new DatasetException(file + ": column '" + spec.name() + "': " + what + " (expected " + spec.describe() + ")");
    }
}
