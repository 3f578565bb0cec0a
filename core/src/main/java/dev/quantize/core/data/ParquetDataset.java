package dev.quantize.core.data;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Locale;
import java.util.stream.Stream;

/**
 * A Parquet file, or a folder of Parquet files read as one dataset (the files concatenated in name
 * order), through Arrow's dataset reader. Columns follow the Arrow layouts of {@link ArrowColumns}:
 * scalars, fixed-size lists (with the {@code shape} metadata when written by this project) and
 * variable lists of equal length (as other Parquet writers store vectors). Arrow's scanner returns
 * every list as a variable list without field metadata, so rows are scalars or 1-D (see {@link ParquetWriter}).
 */
public final class ParquetDataset {
    private ParquetDataset() {
    }

    public static ArrowDataset open(Path path) {
        String name = path.getFileName().toString();
        List<Path> files;
        if (Files.isDirectory(path)) {
            try (Stream<Path> s = Files.list(path)) {
                files = s.filter(p -> {
                    String n = p.getFileName().toString().toLowerCase(Locale.ROOT);
                    return (n.endsWith(".parquet") || n.endsWith(".pq")) && Files.isRegularFile(p);
                }).sorted().toList();
            } catch (IOException e) {
                throw new DatasetException(name + ": cannot list folder: " + e.getMessage(), e);
            }
            if (files.isEmpty()) {
                throw new DatasetException(name + ": folder holds no .parquet files");
            }
        } else {
            files = List.of(path);
        }
        return new ArrowDataset(name, () -> new ParquetSource(name, files));
    }
}
