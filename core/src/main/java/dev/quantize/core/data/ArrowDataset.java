package dev.quantize.core.data;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.OptionalLong;
import java.util.function.Supplier;
import org.apache.arrow.vector.FieldVector;
import org.apache.arrow.vector.VectorSchemaRoot;
import org.apache.arrow.vector.types.pojo.Field;

/**
 * A dataset stored as Arrow record batches: an Arrow IPC file or stream ({@link #open(Path)}), or
 * (through {@link ParquetDataset}) a Parquet scan. Each pass opens its own reader; memory is bounded
 * by one record batch plus the batch being built. See {@link ArrowColumns} for the column layouts.
 */
public final class ArrowDataset implements Dataset {
    private final String name;
    private final List<ColumnSpec> columns;
    private final Supplier<RecordBatchSource> sources;

    ArrowDataset(String name, Supplier<RecordBatchSource> sources) {
        this.name = name;
        this.sources = sources;
        this.columns = readColumns(name, sources);
    }

    /** Opens an Arrow IPC file ({@code .arrow}, {@code .feather}, {@code .ipc}) or IPC stream. */
    public static ArrowDataset open(Path path) {
        return new ArrowDataset(path.getFileName().toString(), () -> ArrowIpcSource.open(path));
    }

    /** Reads the schema; for variable List columns also the first record batch, whose first row fixes the row length. */
    private static List<ColumnSpec> readColumns(String name, Supplier<RecordBatchSource> sources) {
        try (RecordBatchSource s = sources.get()) {
            List<Field> fields = s.root().getSchema().getFields();
            if (fields.isEmpty()) {
                throw new DatasetException(name + ": the Arrow schema has no columns");
            }
            boolean needsRows = fields.stream().anyMatch(f -> ArrowColumns.layout(f) == ArrowColumns.Layout.LIST);
            VectorSchemaRoot root = s.root();
            if (needsRows) {
                while (s.loadNext() && root.getRowCount() == 0) {
                    // skip empty record batches
                }
            }
            List<ColumnSpec> cols = new ArrayList<>();
            for (Field f : fields) {
                int listLength = -1;
                if (ArrowColumns.layout(f) == ArrowColumns.Layout.LIST && root.getRowCount() > 0) {
                    FieldVector v = root.getVector(f.getName());
                    try {
                        listLength = ArrowColumns.firstListLength(v);
                    } catch (RuntimeException e) {
                        throw ArrowIpcSource.wrap(name, "column '" + f.getName() + "' is unreadable", e);
                    }
                }
                cols.add(ArrowColumns.spec(name, f, listLength));
            }
            return List.copyOf(cols);
        }
    }

    @Override
    public String name() {
        return name;
    }

    @Override
    public List<ColumnSpec> columns() {
        return columns;
    }

    /** Unknown: Arrow IPC and Parquet scans would have to read every record batch to count rows. */
    @Override
    public OptionalLong rowCount() {
        return OptionalLong.empty();
    }

    @Override
    public BatchReader batches(int batchSize) {
        if (batchSize <= 0) {
            throw new IllegalArgumentException("batch size must be positive, got " + batchSize);
        }
        RecordBatchSource s = sources.get();
        List<Field> fields = s.root().getSchema().getFields();
        List<String> expected = columns.stream().map(ColumnSpec::name).toList();
        List<String> actual = fields.stream().map(Field::getName).toList();
        if (!expected.equals(actual)) {
            s.close();
            throw new DatasetException(name + ": columns changed since the dataset was opened: " + expected + " -> " + actual);
        }
        return new RecordBatchRechunker(name, columns, s, batchSize);
    }

    /** Nothing to release: each pass owns its reader. */
    @Override
    public void close() {
    }
}
