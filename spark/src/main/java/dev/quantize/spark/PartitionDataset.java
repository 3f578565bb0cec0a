package dev.quantize.spark;

import dev.quantize.core.data.Batch;
import dev.quantize.core.data.BatchReader;
import dev.quantize.core.data.ColumnSpec;
import dev.quantize.core.data.Dataset;
import java.util.Iterator;
import java.util.List;
import java.util.OptionalLong;
import org.apache.spark.sql.catalyst.InternalRow;

/**
 * The rows of one Spark partition as a core {@link Dataset}, so the project's own runners (calibration
 * passes, evaluation) run on it unchanged. A partition is a stream: it allows one pass only.
 */
final class PartitionDataset implements Dataset {
    private final SparkColumns columns;
    private final Iterator<InternalRow> rows;
    private boolean read;

    PartitionDataset(SparkColumns columns, Iterator<InternalRow> rows) {
        this.columns = columns;
        this.rows = rows;
    }

    @Override
    public String name() {
        return columns.name();
    }

    @Override
    public List<ColumnSpec> columns() {
        return columns.columns();
    }

    @Override
    public OptionalLong rowCount() {
        return OptionalLong.empty();
    }

    @Override
    public BatchReader batches(int batchSize) {
        if (read) {
            throw new IllegalStateException("a Spark partition can be read once");
        }
        read = true;
        return new BatchReader() {
            private Batch next = columns.next(rows, batchSize);

            @Override
            public boolean hasNext() {
                return next != null;
            }

            @Override
            public Batch next() {
                if (next == null) {
                    throw new java.util.NoSuchElementException();
                }
                Batch b = next;
                next = columns.next(rows, batchSize);
                return b;
            }

            @Override
            public void close() {
            }
        };
    }

    @Override
    public void close() {
    }
}
