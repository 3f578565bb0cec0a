package dev.quantize.core.data;

import dev.quantize.core.tensor.DataType;
import dev.quantize.core.tensor.Tensor;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.Arrays;

/**
 * An open {@code .npy} file read by row ranges with positioned reads, so memory is bounded by the
 * rows asked for, never by the file. Thread-safe for concurrent {@link #readRows} calls.
 */
final class NpyFile implements AutoCloseable {
    private final Path path;
    private final String name;
    private final FileChannel channel;
    private final NpyHeader header;
    private final int rowElements;
    private final int rowBytes;

    private NpyFile(Path path, FileChannel channel, NpyHeader header) {
        this.path = path;
        this.name = path.getFileName().toString();
        this.channel = channel;
        this.header = header;
        if (header.rowElements() > Integer.MAX_VALUE / 8) {
            throw new DatasetException(name + ": one row has " + header.rowElements() + " elements, more than a tensor holds");
        }
        this.rowElements = (int) header.rowElements();
        this.rowBytes = rowElements * header.dtype().itemSize();
    }

    /** Opens a file and validates its header against its size; throws {@link DatasetException} if it is not a readable .npy. */
    static NpyFile open(Path path) {
        String name = path.getFileName().toString();
        FileChannel ch;
        try {
            ch = FileChannel.open(path, StandardOpenOption.READ);
        } catch (IOException e) {
            throw new DatasetException(name + ": cannot open: " + e.getMessage(), e);
        }
        try {
            return new NpyFile(path, ch, readHeader(name, ch));
        } catch (RuntimeException e) {
            closeQuietlyAfterFailure(ch, e);
            throw e;
        }
    }

    private static void closeQuietlyAfterFailure(FileChannel ch, RuntimeException primary) {
        try {
            ch.close();
        } catch (IOException suppressed) {
            primary.addSuppressed(suppressed);
        }
    }

    private static NpyHeader readHeader(String name, FileChannel ch) {
        try {
            long size = ch.size();
            ByteBuffer pre = ByteBuffer.allocate(NpyHeader.PREAMBLE_V2).order(ByteOrder.LITTLE_ENDIAN);
            readFully(ch, pre, 0);
            pre.flip();
            if (pre.remaining() < NpyHeader.PREAMBLE_V1) {
                throw new DatasetException(name + ": not a .npy file (only " + size + " bytes)");
            }
            byte[] magic = new byte[NpyHeader.MAGIC.length];
            pre.get(magic);
            if (!Arrays.equals(magic, NpyHeader.MAGIC)) {
                throw new DatasetException(name + ": not a .npy file (the magic \\x93NUMPY is missing)");
            }
            int major = pre.get() & 0xff;
            int minor = pre.get() & 0xff;
            long dictLen;
            int preamble;
            if (major == 1) {
                dictLen = pre.getShort() & 0xffff;
                preamble = NpyHeader.PREAMBLE_V1;
            } else if (major == 2 || major == 3) {
                if (pre.remaining() < 4) {
                    throw new DatasetException(name + ": .npy file truncated inside its header");
                }
                dictLen = pre.getInt() & 0xffffffffL;
                preamble = NpyHeader.PREAMBLE_V2;
            } else {
                throw new DatasetException(name + ": unsupported .npy format version " + major + "." + minor
                        + " (supported: 1.0, 2.0, 3.0)");
            }
            if (dictLen > NpyHeader.MAX_DICT_BYTES) {
                throw new DatasetException(name + ": .npy header claims " + dictLen + " bytes; corrupt file?");
            }
            if (preamble + dictLen > size) {
                throw new DatasetException(name + ": .npy file truncated inside its header (header needs "
                        + (preamble + dictLen) + " bytes, file has " + size + ")");
            }
            ByteBuffer dict = ByteBuffer.allocate((int) dictLen);
            readFully(ch, dict, preamble);
            String text = new String(dict.array(), major == 3 ? StandardCharsets.UTF_8 : StandardCharsets.ISO_8859_1);
            long dataOffset = preamble + dictLen;
            NpyHeader h = NpyHeader.parse(name, text, dataOffset);
            long expected;
            try {
                expected = Math.multiplyExact(Math.multiplyExact(h.rows(), h.rowElements()), h.dtype().itemSize());
            } catch (ArithmeticException e) {
                throw new DatasetException(name + ": shape " + Arrays.toString(h.shape()) + " is too large; corrupt header?");
            }
            if (size - dataOffset != expected) {
                throw new DatasetException(name + ": header says " + h + " (" + expected + " data bytes) but the file holds "
                        + (size - dataOffset) + " data bytes" + (size - dataOffset < expected ? " (truncated?)" : ""));
            }
            return h;
        } catch (IOException e) {
            throw new DatasetException(name + ": cannot read .npy header: " + e.getMessage(), e);
        }
    }

    /** Reads until {@code buf} is full or the file ends. */
    private static void readFully(FileChannel ch, ByteBuffer buf, long position) throws IOException {
        long pos = position;
        while (buf.hasRemaining()) {
            int n = ch.read(buf, pos);
            if (n < 0) {
                return;
            }
            pos += n;
        }
    }

    String name() {
        return name;
    }

    Path path() {
        return path;
    }

    long rows() {
        return header.rows();
    }

    ColumnSpec spec(String column) {
        long[] s = header.shape();
        int[] row = new int[s.length - 1];
        for (int i = 1; i < s.length; i++) {
            row[i - 1] = (int) s[i]; // each dimension is bounded by rowElements, checked in the constructor
        }
        return new ColumnSpec(column, header.dtype().type, row);
    }

    /** Rows {@code [start, start + count)} as a tensor of shape {@code [count, ...rowShape]}. */
    Tensor readRows(ColumnSpec spec, long start, int count) {
        if (start < 0 || count < 0 || start + count > rows()) {
            throw new IndexOutOfBoundsException("rows [" + start + ", " + (start + count) + ") of " + rows() + " in " + name);
        }
        long bytes = (long) count * rowBytes;
        if (bytes > Integer.MAX_VALUE - 16) {
            throw new DatasetException(name + ": a batch of " + count + " rows is " + bytes + " bytes; use a smaller batch size");
        }
        ByteBuffer buf = ByteBuffer.allocate((int) bytes);
        try {
            readFully(channel, buf, header.dataOffset() + start * rowBytes);
        } catch (IOException e) {
            throw new DatasetException(name + ": read failed at row " + start + ": " + e.getMessage(), e);
        }
        if (buf.hasRemaining()) {
            throw new DatasetException(name + ": file shrank while reading (row " + start + ")");
        }
        buf.flip();
        int n = count * rowElements;
        DataType type = header.dtype().type;
        int[] shape = spec.batchShape(count);
        Tensor t = Tensor.zeros(type, shape);
        Object array = switch (type.storage()) {
            case FLOAT -> t.floats();
            case DOUBLE -> t.doubles();
            case LONG -> t.longs();
            case STRING -> throw new IllegalStateException("npy has no strings");
        };
        header.dtype().decode(buf, header.order(), array, n);
        return t;
    }

    @Override
    public void close() {
        try {
            channel.close();
        } catch (IOException e) {
            throw new DatasetException(name + ": close failed: " + e.getMessage(), e);
        }
    }
}
