package dev.quantize.spark;

import dev.quantize.core.data.Batch;
import dev.quantize.core.data.ColumnSpec;
import dev.quantize.core.data.DatasetBinding;
import dev.quantize.core.data.DatasetException;
import dev.quantize.core.graph.Dim;
import dev.quantize.core.graph.ValueInfo;
import dev.quantize.core.tensor.DataType;
import java.io.Serializable;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.apache.spark.sql.Column;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
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

    /** The columns a partition needs, in spec order, then the source file name. */
    Dataset<Row> select(Dataset<Row> data) {
        List<Column> cols = new ArrayList<>();
        columns.forEach(c -> cols.add(functions.col(c.name())));
        cols.add(functions.input_file_name().as(FILE));
        return data.select(cols.toArray(new Column[0]));
    }

    String name() {
        return name;
    }

    List<ColumnSpec> columns() {
        return columns;
    }

    /**
     * Up to {@code max} rows of {@code rows} (selected by {@link #select}) as a batch; null when none
     * are left.
     */
    Batch next(java.util.Iterator<Row> rows, int max) {
        List<Row> chunk = new ArrayList<>(max);
        while (chunk.size() < max && rows.hasNext()) {
            chunk.add(rows.next());
        }
        if (chunk.isEmpty()) {
            return null;
        }
        int n = chunk.size();
        Map<String, dev.quantize.core.tensor.Tensor> out = new LinkedHashMap<>();
        for (int c = 0; c < columns.size(); c++) {
            ColumnSpec spec = columns.get(c);
            int width = spec.rowSize();
            switch (spec.type().storage()) {
                case FLOAT -> {
                    float[] v = new float[n * width];
                    for (int r = 0; r < n; r++) {
                        Row row = chunk.get(r);
                        if (spec.rowShape().length == 0) {
                            v[r] = ((Number) notNull(row, c, spec)).floatValue();
                        } else {
                            List<Object> a = array(row, c, spec, width);
                            for (int i = 0; i < width; i++) {
                                v[r * width + i] = ((Number) element(a, i, row, spec)).floatValue();
                            }
                        }
                    }
                    out.put(spec.name(), dev.quantize.core.tensor.Tensor.ofFloats(spec.type(), spec.batchShape(n), v));
                }
                case DOUBLE -> {
                    double[] v = new double[n * width];
                    for (int r = 0; r < n; r++) {
                        Row row = chunk.get(r);
                        if (spec.rowShape().length == 0) {
                            v[r] = ((Number) notNull(row, c, spec)).doubleValue();
                        } else {
                            List<Object> a = array(row, c, spec, width);
                            for (int i = 0; i < width; i++) {
                                v[r * width + i] = ((Number) element(a, i, row, spec)).doubleValue();
                            }
                        }
                    }
                    out.put(spec.name(), dev.quantize.core.tensor.Tensor.ofDoubles(spec.batchShape(n), v));
                }
                case LONG -> {
                    long[] v = new long[n * width];
                    for (int r = 0; r < n; r++) {
                        Row row = chunk.get(r);
                        if (spec.rowShape().length == 0) {
                            v[r] = ((Number) notNull(row, c, spec)).longValue();
                        } else {
                            List<Object> a = array(row, c, spec, width);
                            for (int i = 0; i < width; i++) {
                                v[r * width + i] = ((Number) element(a, i, row, spec)).longValue();
                            }
                        }
                    }
                    out.put(spec.name(), dev.quantize.core.tensor.Tensor.ofLongs(spec.type(), spec.batchShape(n), v));
                }
                case STRING -> throw new IllegalStateException("string columns are not read");
            }
        }
        return new Batch(out, n);
    }

    private Object notNull(Row row, int c, ColumnSpec spec) {
        if (row.isNullAt(c)) {
            throw bad(row, spec, "null value");
        }
        return row.get(c);
    }

    private List<Object> array(Row row, int c, ColumnSpec spec, int width) {
        List<Object> a = row.getList((Integer) c);
        if (a == null) {
            throw bad(row, spec, "null array");
        }
        if (a.size() != width) {
            throw bad(row, spec, "array of " + a.size() + " values, expected " + width);
        }
        return a;
    }

    private Object element(List<Object> a, int i, Row row, ColumnSpec spec) {
        Object v = a.get(i);
        if (v == null) {
            throw bad(row, spec, "null element at index " + i);
        }
        return v;
    }

    private DatasetException bad(Row row, ColumnSpec spec, String what) {
        String file = row.isNullAt(columns.size()) || row.getString(columns.size()).isEmpty() ? name
                : row.getString(columns.size());
        return new DatasetException(file + ": column '" + spec.name() + "': " + what + " (expected " + spec.describe() + ")");
    }
}
