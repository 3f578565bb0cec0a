package dev.quantize.core.data;

import dev.quantize.core.tensor.Tensor;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.NoSuchElementException;
import java.util.OptionalLong;
import java.util.stream.Stream;

/**
 * A folder with one {@code NAME.npy} per column (for example one per model input plus
 * {@code labels.npy}). Columns are in file-name order; every file must have the same number of rows.
 * Batches are read with positioned reads of row ranges, so memory is bounded by the batch.
 */
public final class NpyDataset implements Dataset {
    private final String name;
    private final List<ColumnSpec> columns;
    private final List<NpyFile> files;
    private final long rows;

    private NpyDataset(String name, List<ColumnSpec> columns, List<NpyFile> files, long rows) {
        this.name = name;
        this.columns = List.copyOf(columns);
        this.files = List.copyOf(files);
        this.rows = rows;
    }

    /** Opens every {@code *.npy} in {@code folder}; other files are ignored. */
    public static NpyDataset open(Path folder) {
        String name = folder.getFileName() == null ? folder.toString() : folder.getFileName().toString();
        List<Path> paths;
        try (Stream<Path> s = Files.list(folder)) {
            paths = s.filter(p -> p.getFileName().toString().endsWith(".npy") && Files.isRegularFile(p)).sorted().toList();
        } catch (IOException e) {
            throw new DatasetException(name + ": cannot list folder: " + e.getMessage(), e);
        }
        if (paths.isEmpty()) {
            throw new DatasetException(name + ": folder holds no .npy files");
        }
        List<NpyFile> files = new ArrayList<>();
        List<ColumnSpec> columns = new ArrayList<>();
        try {
            for (Path p : paths) {
                NpyFile f = NpyFile.open(p);
                files.add(f);
                String file = p.getFileName().toString();
                columns.add(f.spec(file.substring(0, file.length() - ".npy".length())));
            }
            long rows = files.get(0).rows();
            for (NpyFile f : files) {
                if (f.rows() != rows) {
                    throw new DatasetException(name + ": files disagree on the row count: " + describeRows(files));
                }
            }
            return new NpyDataset(name, columns, files, rows);
        } catch (RuntimeException e) {
            for (NpyFile f : files) {
                try {
                    f.close();
                } catch (RuntimeException suppressed) {
                    e.addSuppressed(suppressed);
                }
            }
            throw e;
        }
    }

    private static String describeRows(List<NpyFile> files) {
        StringBuilder s = new StringBuilder();
        for (NpyFile f : files) {
            s.append(s.length() == 0 ? "" : ", ").append(f.name()).append(" has ").append(f.rows());
        }
        return s.toString();
    }

    @Override
    public String name() {
        return name;
    }

    @Override
    public List<ColumnSpec> columns() {
        return columns;
    }

    @Override
    public OptionalLong rowCount() {
        return OptionalLong.of(rows);
    }

    @Override
    public BatchReader batches(int batchSize) {
        if (batchSize <= 0) {
            throw new IllegalArgumentException("batch size must be positive, got " + batchSize);
        }
        return new BatchReader() {
            private long next;

            @Override
            public boolean hasNext() {
                return next < rows;
            }

            @Override
            public Batch next() {
                if (!hasNext()) {
                    throw new NoSuchElementException(name + ": no more batches");
                }
                int count = (int) Math.min(batchSize, rows - next);
                Map<String, Tensor> m = new LinkedHashMap<>();
                for (int i = 0; i < files.size(); i++) {
                    m.put(columns.get(i).name(), files.get(i).readRows(columns.get(i), next, count));
                }
                next += count;
                return new Batch(m, count);
            }

            @Override
            public void close() {
                next = rows;
            }
        };
    }

    @Override
    public void close() {
        DatasetException failure = null;
        for (NpyFile f : files) {
            try {
                f.close();
            } catch (DatasetException e) {
                if (failure == null) {
                    failure = e;
                } else {
                    failure.addSuppressed(e);
                }
            }
        }
        if (failure != null) {
            throw failure;
        }
    }
}
