package dev.quantize.core.data;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Locale;
import java.util.stream.Stream;

/** Opens a dataset, choosing the reader from the path. */
public final class Datasets {
    private Datasets() {
    }

    /**
     * Opens {@code path}:
     * <ul>
     *   <li>a folder of {@code .npy} files (one per column) → {@link NpyDataset};</li>
     *   <li>a folder of {@code .parquet} files (one dataset, files in name order) or a
     *       {@code .parquet}/{@code .pq} file → {@link ParquetDataset};</li>
     *   <li>an {@code .arrow}, {@code .feather}, {@code .ipc} or {@code .arrows} file (IPC file or stream
     *       format, told apart by the magic) → {@link ArrowDataset}.</li>
     * </ul>
     */
    public static Dataset open(Path path) {
        String name = path.getFileName() == null ? path.toString() : path.getFileName().toString();
        if (!Files.exists(path)) {
            throw new DatasetException(name + ": no such file or folder (" + path.toAbsolutePath() + ")");
        }
        if (Files.isDirectory(path)) {
            boolean npy = containsExtension(path, ".npy");
            boolean parquet = containsExtension(path, ".parquet");
            if (npy && parquet) {
                throw new DatasetException(name + ": folder holds both .npy and .parquet files; keep one format per folder");
            }
            if (npy) {
                return NpyDataset.open(path);
            }
            if (parquet) {
                return ParquetDataset.open(path);
            }
            throw new DatasetException(name + ": folder holds neither .npy nor .parquet files");
        }
        String lower = name.toLowerCase(Locale.ROOT);
        if (lower.endsWith(".arrow") || lower.endsWith(".feather") || lower.endsWith(".ipc") || lower.endsWith(".arrows")) {
            return ArrowDataset.open(path);
        }
        if (lower.endsWith(".parquet") || lower.endsWith(".pq")) {
            return ParquetDataset.open(path);
        }
        if (lower.endsWith(".npy")) {
            throw new DatasetException(name + ": a single .npy file is one column; pass the folder that holds one .npy per input");
        }
        throw new DatasetException(name + ": unknown dataset format (expected a folder of .npy or .parquet files, or an "
                + ".arrow/.feather/.ipc/.parquet file)");
    }

    private static boolean containsExtension(Path folder, String extension) {
        try (Stream<Path> s = Files.list(folder)) {
            return s.anyMatch(p -> p.getFileName().toString().toLowerCase(Locale.ROOT).endsWith(extension));
        } catch (IOException e) {
            throw new DatasetException(folder.getFileName() + ": cannot list folder: " + e.getMessage(), e);
        }
    }
}
