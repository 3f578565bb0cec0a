package dev.quantize.core.data;

import org.apache.arrow.vector.VectorSchemaRoot;

/**
 * A sequence of Arrow record batches loaded one at a time into the same {@link VectorSchemaRoot}
 * (an IPC file or stream, or a Parquet scan). Failures surface as {@link DatasetException}.
 */
interface RecordBatchSource extends AutoCloseable {
    /** The root holding the current record batch. */
    VectorSchemaRoot root();

    /** Loads the next record batch into {@link #root()}; false at the end. */
    boolean loadNext();

    @Override
    void close();
}
