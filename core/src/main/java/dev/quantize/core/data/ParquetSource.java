package dev.quantize.core.data;

import java.nio.file.Path;
import java.util.List;
import org.apache.arrow.dataset.file.FileFormat;
import org.apache.arrow.dataset.file.FileSystemDatasetFactory;
import org.apache.arrow.dataset.jni.NativeMemoryPool;
import org.apache.arrow.dataset.scanner.ScanOptions;
import org.apache.arrow.dataset.scanner.Scanner;
import org.apache.arrow.memory.BufferAllocator;
import org.apache.arrow.memory.RootAllocator;
import org.apache.arrow.vector.VectorSchemaRoot;
import org.apache.arrow.vector.ipc.ArrowReader;
import org.apache.arrow.vector.types.pojo.Schema;

/**
 * Record batches of one or more Parquet files, scanned one file after another in the given order
 * through Arrow's C++ dataset reader (JNI). Each file is its own scan so the order is the files' order;
 * every file must have the schema of the first.
 */
final class ParquetSource implements RecordBatchSource {
    /** Rows per scanned record batch: bounds memory (with the row width) whatever the file's row groups. */
    static final int SCAN_BATCH_ROWS = 16_384;

    private final String name;
    private final List<Path> files;
    private final BufferAllocator allocator = new RootAllocator();
    private int index = -1;
    private Schema schema;
    private FileSystemDatasetFactory factory;
    private org.apache.arrow.dataset.source.Dataset dataset;
    private Scanner scanner;
    private ArrowReader reader;
    private boolean closed;

    ParquetSource(String name, List<Path> files) {
        this.name = name;
        this.files = List.copyOf(files);
        try {
            openNext();
        } catch (RuntimeException e) {
            close();
            throw e;
        }
    }

    private String current() {
        return files.size() == 1 ? name : name + "/" + files.get(index).getFileName();
    }

    /** Opens the next file's scan; false when there is none. */
    private boolean openNext() {
        closeScan();
        index++;
        if (index >= files.size()) {
            return false;
        }
        try {
            String uri = files.get(index).toAbsolutePath().toUri().toString();
            factory = new FileSystemDatasetFactory(allocator, NativeMemoryPool.getDefault(), FileFormat.PARQUET, uri);
            dataset = factory.finish();
            scanner = dataset.newScan(new ScanOptions(SCAN_BATCH_ROWS));
            reader = scanner.scanBatches();
            Schema s = reader.getVectorSchemaRoot().getSchema();
            if (schema == null) {
                schema = s;
            } else if (!schema.equals(s)) {
                throw new DatasetException(current() + ": schema differs from " + files.get(0).getFileName() + " (" + s
                        + " vs " + schema + "); every Parquet file of a dataset needs the same columns");
            }
            return true;
        } catch (Exception e) {
            throw ArrowIpcSource.wrap(current(), "not a readable Parquet file", e);
        }
    }

    @Override
    public VectorSchemaRoot root() {
        try {
            return reader.getVectorSchemaRoot();
        } catch (Exception e) {
            throw ArrowIpcSource.wrap(current(), "cannot read the Parquet schema", e);
        }
    }

    @Override
    public boolean loadNext() {
        while (reader != null) {
            try {
                if (reader.loadNextBatch()) {
                    return true;
                }
            } catch (Exception e) {
                throw ArrowIpcSource.wrap(current(), "cannot read a Parquet record batch", e);
            }
            if (!openNext()) {
                return false;
            }
        }
        return false;
    }

    private void closeScan() {
        try {
            if (reader != null) {
                reader.close();
            }
            if (scanner != null) {
                scanner.close();
            }
            if (dataset != null) {
                dataset.close();
            }
            if (factory != null) {
                factory.close();
            }
        } catch (Exception e) {
            throw ArrowIpcSource.wrap(current(), "cannot release the Parquet scan", e);
        } finally {
            reader = null;
            scanner = null;
            dataset = null;
            factory = null;
        }
    }

    @Override
    public void close() {
        if (closed) {
            return;
        }
        closed = true;
        try {
            closeScan();
        } finally {
            allocator.close();
        }
    }
}
