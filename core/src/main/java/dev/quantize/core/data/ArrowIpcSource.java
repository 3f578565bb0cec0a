package dev.quantize.core.data;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import org.apache.arrow.memory.BufferAllocator;
import org.apache.arrow.memory.RootAllocator;
import org.apache.arrow.vector.VectorSchemaRoot;
import org.apache.arrow.vector.ipc.ArrowFileReader;
import org.apache.arrow.vector.ipc.ArrowReader;
import org.apache.arrow.vector.ipc.ArrowStreamReader;

/**
 * Record batches of an Arrow IPC file ({@code ARROW1} magic, footer) or IPC stream, read one at a
 * time. Each source owns its allocator, capped at a small multiple of the file size: uncompressed IPC
 * buffers cannot legitimately exceed the file, so a corrupt length fails fast instead of exhausting
 * memory. Every Arrow failure is rethrown as a {@link DatasetException} naming the file.
 */
final class ArrowIpcSource implements RecordBatchSource {
    private static final byte[] FILE_MAGIC = {'A', 'R', 'R', 'O', 'W', '1'};

    private final String file;
    private final BufferAllocator allocator;
    private final FileChannel channel;
    private final ArrowReader reader;
    private final VectorSchemaRoot root;
    private boolean closed;

    private ArrowIpcSource(String file, BufferAllocator allocator, FileChannel channel, ArrowReader reader,
                           VectorSchemaRoot root) {
        this.file = file;
        this.allocator = allocator;
        this.channel = channel;
        this.reader = reader;
        this.root = root;
    }

    static ArrowIpcSource open(Path path) {
        String file = path.getFileName().toString();
        FileChannel channel;
        try {
            channel = FileChannel.open(path, StandardOpenOption.READ);
        } catch (IOException e) {
            throw new DatasetException(file + ": cannot open: " + e.getMessage(), e);
        }
        BufferAllocator allocator = null;
        ArrowReader reader = null;
        try {
            long size = channel.size();
            allocator = new RootAllocator(Math.addExact(Math.multiplyExact(size, 2), 64L << 20));
            reader = isFileFormat(channel) ? new ArrowFileReader(channel, allocator) : new ArrowStreamReader(channel, allocator);
            VectorSchemaRoot root = reader.getVectorSchemaRoot();
            return new ArrowIpcSource(file, allocator, channel, reader, root);
        } catch (IOException | RuntimeException e) {
            DatasetException d = wrap(file, "not a readable Arrow IPC file or stream", e);
            release(reader, allocator, channel, d);
            throw d;
        }
    }

    private static boolean isFileFormat(FileChannel channel) throws IOException {
        ByteBuffer head = ByteBuffer.allocate(FILE_MAGIC.length);
        while (head.hasRemaining() && channel.read(head, head.position()) > 0) {
            // positioned reads leave the channel at 0 for the reader
        }
        return head.position() == FILE_MAGIC.length && java.util.Arrays.equals(head.array(), FILE_MAGIC);
    }

    static DatasetException wrap(String file, String what, Exception e) {
        if (e instanceof DatasetException d) {
            return d;
        }
        String detail = e.getMessage() == null ? e.getClass().getSimpleName() : e.getMessage();
        return new DatasetException(file + ": " + what + " (corrupt or truncated?): " + detail, e);
    }

    private static void release(ArrowReader reader, BufferAllocator allocator, FileChannel channel, Exception primary) {
        try {
            if (reader != null) {
                reader.close(false);
            }
        } catch (IOException | RuntimeException e) {
            primary.addSuppressed(e);
        }
        try {
            if (allocator != null) {
                allocator.close();
            }
        } catch (RuntimeException e) {
            // a leak report after a parse failure: keep the parse error as the one the user sees
            primary.addSuppressed(e);
        }
        try {
            channel.close();
        } catch (IOException e) {
            primary.addSuppressed(e);
        }
    }

    @Override
    public VectorSchemaRoot root() {
        return root;
    }

    @Override
    public boolean loadNext() {
        try {
            return reader.loadNextBatch();
        } catch (IOException | RuntimeException e) {
            throw wrap(file, "cannot read a record batch", e);
        }
    }

    @Override
    public void close() {
        if (closed) {
            return;
        }
        closed = true;
        DatasetException failure = new DatasetException(file + ": failed to release Arrow resources");
        release(reader, allocator, channel, failure);
        if (failure.getSuppressed().length > 0) {
            throw failure;
        }
    }
}
