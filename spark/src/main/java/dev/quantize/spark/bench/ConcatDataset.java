package dev.quantize.spark.bench;

import dev.quantize.core.data.Batch;
import dev.quantize.core.data.BatchReader;
import dev.quantize.core.data.ColumnSpec;
import dev.quantize.core.data.Dataset;
import java.util.List;
import java.util.NoSuchElementException;
import java.util.OptionalLong;

/** Two datasets with the same columns, one after the other (the benchmark's two dates in one JVM). */
final class ConcatDataset implements Dataset {
    private final Dataset first;
    private final Dataset second;

    ConcatDataset(Dataset first, Dataset second) {
        this.first = first;
        this.second = second;
    }

    @Override
    public String name() {
        return first.name() + " + " + second.name();
    }

    @Override
    public List<ColumnSpec> columns() {
        return first.columns();
    }

    @Override
    public OptionalLong rowCount() {
        return first.rowCount().isPresent() && second.rowCount().isPresent()
                ? OptionalLong.of(first.rowCount().getAsLong() + second.rowCount().getAsLong()) : OptionalLong.empty();
    }

    @Override
    public BatchReader batches(int batchSize) {
        return new BatchReader() {
            private BatchReader current = first.batches(batchSize);
            private boolean onSecond;

            @Override
            public boolean hasNext() {
                while (!current.hasNext() && !onSecond) {
                    current.close();
                    current = second.batches(batchSize);
                    onSecond = true;
                }
                return current.hasNext();
            }

            @Override
            public Batch next() {
                if (!hasNext()) {
                    throw new NoSuchElementException();
                }
                return current.next();
            }

            @Override
            public void close() {
                current.close();
            }
        };
    }

    @Override
    public void close() {
        first.close();
        second.close();
    }
}
