package dev.quantize.core.data;

import dev.quantize.core.tensor.DataType;
import dev.quantize.core.tensor.Tensor;
import dev.quantize.core.io.AtomicFiles;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.Arrays;

/**
 * Writes one {@code .npy} file (format 1.0, little-endian, C order) row block by row block, so
 * arrays larger than memory can be written. Data goes to a temporary file in the same folder;
 * {@link #commit()} fixes the row count in the header and renames it into place. Closing without
 * committing deletes the temporary file, so a failure never leaves a half-written array.
 */
public final class NpyWriter implements AutoCloseable {
    /** Room in the header dict for the largest row count, so the header can be rewritten in place. */
    private static final int ROW_DIGITS_RESERVE = 20;

    private final Path target;
    private final Path temp;
    private final NpyDtype dtype;
    private final ColumnSpec spec;
    private final FileChannel channel;
    private final int headerBytes;
    private long rows;
    private boolean finished;

    private NpyWriter(Path target, Path temp, NpyDtype dtype, ColumnSpec spec, FileChannel channel, int headerBytes) {
        this.target = target;
        this.temp = temp;
        this.dtype = dtype;
        this.spec = spec;
        this.channel = channel;
        this.headerBytes = headerBytes;
    }

    /** Starts a file of {@code type} whose rows have shape {@code rowShape}. */
    public static NpyWriter create(Path target, DataType type, int[] rowShape) {
        String name = target.getFileName().toString();
        NpyDtype dtype = NpyDtype.ofType(type);
        if (dtype == null) {
            throw new DatasetException(name + ": " + type + " has no .npy dtype");
        }
        ColumnSpec spec = new ColumnSpec(name, type, rowShape);
        byte[] header = header(dtype, spec, 0);
        Path dir = target.toAbsolutePath().getParent();
        try {
            Path temp = AtomicFiles.createTemp(target, ".tmp");
            FileChannel ch = FileChannel.open(temp, StandardOpenOption.WRITE, StandardOpenOption.TRUNCATE_EXISTING);
            ch.write(ByteBuffer.wrap(header));
            return new NpyWriter(target, temp, dtype, spec, ch, header.length);
        } catch (IOException e) {
            throw new DatasetException(name + ": cannot create: " + e.getMessage(), e);
        }
    }

    /** Writes a whole tensor (its first axis is the row axis) to {@code target}. */
    public static void write(Path target, Tensor tensor) {
        if (tensor.rank() == 0) {
            throw new IllegalArgumentException(target.getFileName() + ": a 0-d tensor has no row axis");
        }
        int[] s = tensor.shape();
        try (NpyWriter w = create(target, tensor.type(), Arrays.copyOfRange(s, 1, s.length))) {
            w.append(tensor);
            w.commit();
        }
    }

    private static byte[] header(NpyDtype dtype, ColumnSpec spec, long rows) {
        long[] shape = new long[spec.rowShape().length + 1];
        shape[0] = rows;
        int[] row = spec.rowShape();
        for (int i = 0; i < row.length; i++) {
            shape[i + 1] = row[i];
        }
        int reserve = NpyHeader.dict(dtype, shape).length() + ROW_DIGITS_RESERVE;
        return NpyHeader.encode(dtype, shape, reserve - Long.toString(rows).length());
    }

    /** Appends rows: {@code rows} has shape {@code [n, ...rowShape]} and the writer's type. */
    public void append(Tensor block) {
        if (finished) {
            throw new IllegalStateException(spec.name() + ": writer already committed or closed");
        }
        int[] s = block.shape();
        if (block.type() != spec.type() || s.length != spec.rowShape().length + 1
                || !Arrays.equals(Arrays.copyOfRange(s, 1, s.length), spec.rowShape())) {
            throw new IllegalArgumentException(spec.name() + ": expected rows of " + spec.describe() + " but got " + block);
        }
        Object data = switch (block.type().storage()) {
            case FLOAT -> block.floats();
            case DOUBLE -> block.doubles();
            case LONG -> block.longs();
            case STRING -> throw new IllegalArgumentException("strings have no .npy dtype");
        };
        int total = block.size();
        int chunk = Math.max(1, (1 << 20) / dtype.itemSize()); // 1 MB of output at a time
        ByteBuffer buf = ByteBuffer.allocate(Math.min(total, chunk) * dtype.itemSize());
        try {
            for (int from = 0; from < total; from += chunk) {
                int n = Math.min(chunk, total - from);
                buf.clear();
                dtype.encode(data, from, n, buf);
                buf.flip();
                while (buf.hasRemaining()) {
                    channel.write(buf);
                }
            }
        } catch (IOException e) {
            throw new DatasetException(spec.name() + ": write failed: " + e.getMessage(), e);
        }
        rows += s[0];
    }

    /** Writes the final header and renames the file into place. */
    public void commit() {
        if (finished) {
            throw new IllegalStateException(spec.name() + ": writer already committed or closed");
        }
        try {
            byte[] header = header(dtype, spec, rows);
            if (header.length != headerBytes) {
                throw new IllegalStateException("npy header changed length: " + headerBytes + " -> " + header.length);
            }
            ByteBuffer h = ByteBuffer.wrap(header);
            long pos = 0;
            while (h.hasRemaining()) {
                pos += channel.write(h, pos);
            }
            channel.force(true);
            channel.close();
            finished = true;
            AtomicFiles.commit(temp, target);
        } catch (IOException e) {
            throw new DatasetException(spec.name() + ": cannot commit: " + e.getMessage(), e);
        } finally {
            close();
        }
    }

    /** Discards the file unless it was committed. */
    @Override
    public void close() {
        finished = true;
        try {
            channel.close();
            Files.deleteIfExists(temp);
        } catch (IOException e) {
            throw new DatasetException(spec.name() + ": cannot remove temporary file " + temp + ": " + e.getMessage(), e);
        }
    }
}
