package dev.quantize.core.data;

import dev.quantize.core.tensor.Tensor;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.NoSuchElementException;
import org.apache.arrow.vector.FieldVector;
import org.apache.arrow.vector.VectorSchemaRoot;

/**
 * Turns Arrow record batches of whatever size the file has into batches of the requested size,
 * copying rows straight from the Arrow vectors into the tensors' arrays. Holds at most one record
 * batch plus the batch being filled.
 */
final class RecordBatchRechunker implements BatchReader {
    private final String file;
    private final List<ColumnSpec> columns;
    private final RecordBatchSource source;
    private final int batchSize;
    /** Next unread row of the current record batch, and the rows it has. */
    private int offset;
    private int available;
    /** Rows delivered before the current record batch, for error messages. */
    private long rowBase;
    private boolean ended;

    RecordBatchRechunker(String file, List<ColumnSpec> columns, RecordBatchSource source, int batchSize) {
        if (batchSize <= 0) {
            source.close();
            throw new IllegalArgumentException("batch size must be positive, got " + batchSize);
        }
        this.file = file;
        this.columns = columns;
        this.source = source;
        this.batchSize = batchSize;
    }

    @Override
    public boolean hasNext() {
        while (!ended && offset >= available) {
            rowBase += available;
            if (!source.loadNext()) {
                ended = true;
                close();
            } else {
                offset = 0;
                available = source.root().getRowCount();
            }
        }
        return !ended;
    }

    @Override
    public Batch next() {
        if (!hasNext()) {
            throw new NoSuchElementException(file + ": no more batches");
        }
        Tensor[] tensors = new Tensor[columns.size()];
        Object[] arrays = new Object[columns.size()];
        for (int c = 0; c < tensors.length; c++) {
            tensors[c] = Tensor.zeros(columns.get(c).type(), columns.get(c).batchShape(batchSize));
            arrays[c] = array(tensors[c]);
        }
        int filled = 0;
        while (filled < batchSize && hasNext()) {
            int n = Math.min(batchSize - filled, available - offset);
            VectorSchemaRoot root = source.root();
            for (int c = 0; c < tensors.length; c++) {
                ColumnSpec spec = columns.get(c);
                FieldVector v = root.getVector(spec.name());
                if (v == null) {
                    throw new DatasetException(file + ": a record batch lacks column '" + spec.name() + "'");
                }
                try {
                    ArrowColumns.copyRows(file, spec, v, offset, n, arrays[c], filled, rowBase);
                } catch (DatasetException e) {
                    throw e;
                } catch (RuntimeException e) {
                    throw new DatasetException(file + ": column '" + spec.name() + "' near row " + (rowBase + offset)
                            + " is unreadable (corrupt file?): " + e, e);
                }
            }
            offset += n;
            filled += n;
        }
        Map<String, Tensor> m = new LinkedHashMap<>();
        for (int c = 0; c < tensors.length; c++) {
            m.put(columns.get(c).name(), filled == batchSize ? tensors[c] : shrink(tensors[c], columns.get(c), filled));
        }
        return new Batch(m, filled);
    }

    private static Object array(Tensor t) {
        return switch (t.type().storage()) {
            case FLOAT -> t.floats();
            case DOUBLE -> t.doubles();
            case LONG -> t.longs();
            case STRING -> t.strings();
        };
    }

    /** The first {@code rows} rows of a batch tensor (the last, short batch). */
    private static Tensor shrink(Tensor t, ColumnSpec spec, int rows) {
        int n = rows * spec.rowSize();
        int[] shape = spec.batchShape(rows);
        return switch (t.type().storage()) {
            case FLOAT -> Tensor.ofFloats(t.type(), shape, Arrays.copyOf(t.floats(), n));
            case DOUBLE -> Tensor.ofDoubles(shape, Arrays.copyOf(t.doubles(), n));
            case LONG -> Tensor.ofLongs(t.type(), shape, Arrays.copyOf(t.longs(), n));
            case STRING -> Tensor.ofStrings(shape, Arrays.copyOf(t.strings(), n));
        };
    }

    @Override
    public void close() {
        ended = true;
        source.close();
    }
}
