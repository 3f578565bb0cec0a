package dev.quantize.core.data;

import java.util.Iterator;

/**
 * One pass over a dataset, batch by batch. Holds open files (and off-heap buffers for Arrow), so
 * close it; closing early is allowed. Read errors surface as {@link DatasetException}.
 */
public interface BatchReader extends Iterator<Batch>, AutoCloseable {
    @Override
    void close();
}
