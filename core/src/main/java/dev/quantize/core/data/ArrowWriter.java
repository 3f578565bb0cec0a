package dev.quantize.core.data;

import dev.quantize.core.format.Float16;
import dev.quantize.core.tensor.Tensor;
import dev.quantize.core.io.AtomicFiles;
import java.io.IOException;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import org.apache.arrow.memory.BufferAllocator;
import org.apache.arrow.memory.RootAllocator;
import org.apache.arrow.vector.BaseFixedWidthVector;
import org.apache.arrow.vector.BigIntVector;
import org.apache.arrow.vector.BitVector;
import org.apache.arrow.vector.FieldVector;
import org.apache.arrow.vector.Float2Vector;
import org.apache.arrow.vector.Float4Vector;
import org.apache.arrow.vector.Float8Vector;
import org.apache.arrow.vector.IntVector;
import org.apache.arrow.vector.SmallIntVector;
import org.apache.arrow.vector.TinyIntVector;
import org.apache.arrow.vector.UInt1Vector;
import org.apache.arrow.vector.UInt2Vector;
import org.apache.arrow.vector.UInt4Vector;
import org.apache.arrow.vector.UInt8Vector;
import org.apache.arrow.vector.VectorSchemaRoot;
import org.apache.arrow.vector.complex.FixedSizeListVector;
import org.apache.arrow.vector.ipc.ArrowFileWriter;
import org.apache.arrow.vector.types.pojo.Field;
import org.apache.arrow.vector.types.pojo.Schema;

/**
 * Writes batches of named tensors to an Arrow IPC file, one record batch per {@link #write(Batch)}.
 * Scalar rows become plain vectors; tensor rows become FixedSizeList columns whose field metadata
 * {@code shape} holds the row shape (e.g. {@code [2,3]}), which {@link ArrowDataset} reads back.
 * Data goes to a temporary file in the same folder; {@link #commit()} renames it into place and
 * {@link #close()} without a commit deletes it.
 */
public final class ArrowWriter implements AutoCloseable {
    private final Path target;
    private final Path temp;
    private final String file;
    private final List<ColumnSpec> columns;
    private final BufferAllocator allocator;
    private final FileChannel channel;
    private final VectorSchemaRoot root;
    private final ArrowFileWriter writer;
    private boolean finished;

    private ArrowWriter(Path target, Path temp, List<ColumnSpec> columns, BufferAllocator allocator, FileChannel channel,
                        VectorSchemaRoot root, ArrowFileWriter writer) {
        this.target = target;
        this.temp = temp;
        this.file = target.getFileName().toString();
        this.columns = List.copyOf(columns);
        this.allocator = allocator;
        this.channel = channel;
        this.root = root;
        this.writer = writer;
    }

    /** Starts a file with these columns (names must be unique). */
    public static ArrowWriter create(Path target, List<ColumnSpec> columns) {
        String file = target.getFileName().toString();
        List<Field> fields = new ArrayList<>();
        for (ColumnSpec c : columns) {
            if (fields.stream().anyMatch(f -> f.getName().equals(c.name()))) {
                throw new IllegalArgumentException(file + ": column '" + c.name() + "' given twice");
            }
            fields.add(ArrowColumns.field(file, c));
        }
        Path temp = null;
        BufferAllocator allocator = new RootAllocator();
        try {
            temp = AtomicFiles.createTemp(target, ".tmp");
            FileChannel channel = FileChannel.open(temp, StandardOpenOption.WRITE, StandardOpenOption.TRUNCATE_EXISTING);
            VectorSchemaRoot root = VectorSchemaRoot.create(new Schema(fields), allocator);
            ArrowFileWriter writer = new ArrowFileWriter(root, null, channel);
            writer.start();
            return new ArrowWriter(target, temp, columns, allocator, channel, root, writer);
        } catch (IOException e) {
            allocator.close();
            deleteQuietly(temp);
            throw new DatasetException(file + ": cannot create: " + e.getMessage(), e);
        }
    }

    private static void deleteQuietly(Path p) {
        try {
            if (p != null) {
                Files.deleteIfExists(p);
            }
        } catch (IOException ignored) {
            // best effort clean-up after a failed create; the create error is what the user needs
        }
    }

    /** Writes all rows of a batch (every column of the writer, any extra columns refused) as one record batch. */
    public void write(Batch batch) {
        if (finished) {
            throw new IllegalStateException(file + ": writer already committed or closed");
        }
        if (batch.columns().size() != columns.size()) {
            throw new IllegalArgumentException(file + ": batch has columns " + batch.columns().keySet() + " but the file has "
                    + columns.stream().map(ColumnSpec::name).toList());
        }
        int rows = batch.rows();
        root.allocateNew();
        for (ColumnSpec c : columns) {
            Tensor t = batch.column(c.name());
            if (t.type() != c.type() || !Arrays.equals(t.shape(), c.batchShape(rows))) {
                throw new IllegalArgumentException(file + ": column '" + c.name() + "' expects " + c.describe()
                        + " rows but the batch holds " + t);
            }
            FieldVector v = root.getVector(c.name());
            if (v instanceof FixedSizeListVector fl) {
                fl.setValueCount(0);
                for (int r = 0; r < rows; r++) {
                    fl.startNewValue(r);
                }
                fill(fl.getDataVector(), t, rows * c.rowSize());
                fl.setValueCount(rows);
            } else {
                fill(v, t, rows);
            }
        }
        root.setRowCount(rows);
        try {
            writer.writeBatch();
        } catch (IOException e) {
            throw new DatasetException(file + ": write failed: " + e.getMessage(), e);
        }
    }

    /** Sets {@code n} elements of a scalar vector from a tensor's backing array. */
    private static void fill(FieldVector v, Tensor t, int n) {
        ((BaseFixedWidthVector) v).allocateNew(n);
        for (int i = 0; i < n; i++) {
            if (v instanceof Float4Vector f) {
                f.set(i, t.floats()[i]);
            } else if (v instanceof Float8Vector f) {
                f.set(i, t.doubles()[i]);
            } else if (v instanceof Float2Vector f) {
                f.set(i, Float16.fromFloat(t.floats()[i]));
            } else if (v instanceof BigIntVector x) {
                x.set(i, t.longs()[i]);
            } else if (v instanceof IntVector x) {
                x.set(i, (int) t.longs()[i]);
            } else if (v instanceof SmallIntVector x) {
                x.set(i, (short) t.longs()[i]);
            } else if (v instanceof TinyIntVector x) {
                x.set(i, (byte) t.longs()[i]);
            } else if (v instanceof UInt1Vector x) {
                x.set(i, (int) t.longs()[i]);
            } else if (v instanceof UInt2Vector x) {
                x.set(i, (int) t.longs()[i]);
            } else if (v instanceof UInt4Vector x) {
                x.set(i, (int) t.longs()[i]);
            } else if (v instanceof UInt8Vector x) {
                x.set(i, t.longs()[i]);
            } else if (v instanceof BitVector x) {
                x.set(i, t.longs()[i] != 0 ? 1 : 0);
            } else {
                throw new IllegalStateException("no writer for " + v.getMinorType());
            }
        }
        v.setValueCount(n);
    }

    /** Writes the footer and renames the file into place. */
    public void commit() {
        if (finished) {
            throw new IllegalStateException(file + ": writer already committed or closed");
        }
        try {
            writer.end();
            channel.force(true);
            release();
            AtomicFiles.commit(temp, target);
        } catch (IOException e) {
            throw new DatasetException(file + ": cannot commit: " + e.getMessage(), e);
        } finally {
            close();
        }
    }

    private void release() throws IOException {
        if (!finished) {
            finished = true;
            writer.close();
            root.close();
            allocator.close();
            channel.close();
        }
    }

    /** Discards the file unless it was committed. */
    @Override
    public void close() {
        try {
            release();
            Files.deleteIfExists(temp);
        } catch (IOException e) {
            throw new DatasetException(file + ": cannot remove temporary file " + temp + ": " + e.getMessage(), e);
        }
    }

    /** Writes a whole dataset (every pass batch of {@code batchSize} rows becomes one record batch). */
    public static void write(Path target, Dataset source, int batchSize) {
        try (ArrowWriter w = create(target, source.columns()); BatchReader r = source.batches(batchSize)) {
            while (r.hasNext()) {
                w.write(r.next());
            }
            w.commit();
        }
    }
}
