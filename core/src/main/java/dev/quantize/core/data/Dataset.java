package dev.quantize.core.data;

import java.util.List;
import java.util.OptionalLong;

/**
 * Rows of named tensors, read in batches. Every call to {@link #batches(int)} starts a fresh pass
 * from the first row, so calibration can make several passes. Implementations stream: memory is
 * bounded by a batch (plus one record batch for Arrow and Parquet), never by the file.
 *
 * <p>Labels are not special: they are a column named {@code labels} or {@code label}, which callers
 * split off with {@link Batch#labels()} and {@link Batch#withoutLabels()}.
 */
public interface Dataset extends AutoCloseable {
    /** The file or folder name, used in every error message. */
    String name();

    /** The columns, in file order. */
    List<ColumnSpec> columns();

    /** The number of rows, when the format records it without a scan. */
    OptionalLong rowCount();

    /**
     * Starts a pass. Every batch holds {@code batchSize} rows except possibly the last, which holds
     * the remainder; each column's tensor has shape {@code [rows, ...rowShape]}.
     */
    BatchReader batches(int batchSize);

    /** The column with this name, or null. */
    default ColumnSpec column(String name) {
        for (ColumnSpec c : columns()) {
            if (c.name().equals(name)) {
                return c;
            }
        }
        return null;
    }

    @Override
    void close();
}
