package dev.quantize.core.data;

import dev.quantize.core.io.AtomicFiles;
import java.io.IOException;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.Comparator;
import java.util.List;
import java.util.stream.Stream;
import org.apache.arrow.dataset.file.DatasetFileWriter;
import org.apache.arrow.dataset.file.FileFormat;
import org.apache.arrow.memory.BufferAllocator;
import org.apache.arrow.memory.RootAllocator;
import org.apache.arrow.vector.ipc.ArrowFileReader;

/**
 * Writes a dataset to one Parquet file through Arrow's dataset writer (JNI). The rows are first
 * streamed to a temporary Arrow IPC file with {@link ArrowWriter} (same column layout, so tensor
 * columns keep their {@code shape} metadata), which the native writer then converts; everything
 * happens in temporary files next to the target, renamed into place at the end.
 *
 * <p>Limitation (Arrow 18.3 dataset writer and scanner): field metadata and the fixed-size list type do
 * not survive, so a column of [2,3] rows reads back as rows of [6] (same elements, row-major). Scalar
 * and 1-D rows round-trip exactly.
 */
public final class ParquetWriter {
    /**
     * Shared and never closed: the native writer releases exported record batches from its own threads
     * after {@code DatasetFileWriter.write} returns, so a per-call allocator would be closed under them.
     */
    private static final BufferAllocator ALLOCATOR = new RootAllocator();

    private ParquetWriter() {
    }

    public static void write(Path target, Dataset source, int batchSize) {
        String file = target.getFileName().toString();
        Path dir = target.toAbsolutePath().getParent();
        Path ipc = null;
        Path out = null;
        try {
            ipc = AtomicFiles.createTemp(target, ".arrow.tmp");
            out = Files.createTempDirectory(dir, "." + file + ".dir");
            ArrowWriter.write(ipc, source, batchSize);
            try (FileChannel ch = FileChannel.open(ipc, StandardOpenOption.READ);
                 ArrowFileReader reader = new ArrowFileReader(ch, ALLOCATOR)) {
                DatasetFileWriter.write(ALLOCATOR, reader, FileFormat.PARQUET, out.toUri().toString(), new String[0], 1,
                        "part_{i}");
            }
            List<Path> parts;
            try (Stream<Path> s = Files.list(out)) {
                parts = s.toList();
            }
            if (parts.size() != 1) {
                throw new DatasetException(file + ": the Parquet writer produced " + parts.size() + " files, expected 1");
            }
            AtomicFiles.commit(parts.get(0), target);
        } catch (IOException | RuntimeException e) {
            throw ArrowIpcSource.wrap(file, "cannot write Parquet", e);
        } finally {
            deleteTree(ipc);
            deleteTree(out);
        }
    }

    private static void deleteTree(Path p) {
        if (p == null || !Files.exists(p)) {
            return;
        }
        try (Stream<Path> s = Files.walk(p)) {
            for (Path q : s.sorted(Comparator.reverseOrder()).toList()) {
                Files.deleteIfExists(q);
            }
        } catch (IOException e) {
            throw new DatasetException(p.getFileName() + ": cannot remove temporary files: " + e.getMessage(), e);
        }
    }
}
