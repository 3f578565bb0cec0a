package dev.quantize.spark.bench;

import dev.quantize.core.data.Batch;
import dev.quantize.core.data.BatchReader;
import dev.quantize.core.data.ColumnSpec;
import dev.quantize.core.data.Dataset;
import dev.quantize.core.data.NpyDataset;
import dev.quantize.core.data.ParquetWriter;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.NoSuchElementException;
import java.util.OptionalLong;

/**
 * Scale-out data from a model's small .npy splits: each split replicated {@code copies} times, written
 * as Parquet partitioned by a {@code date=...} folder per split, {@value #FILES} files per date; and the
 * same rows as a single-JVM core {@link Dataset}. Used by the benchmark and the tests.
 */
public final class ReplicatedData {
    /** Files per date. */
    public static final int FILES = 8;

    private ReplicatedData() {
    }

    /**
     * Writes {@code splits[i]} (an .npy folder) replicated {@code copies} times into
     * {@code dir/date=dates[i]/part-K.parquet} with core's Parquet writer.
     */
    public static void write(Path dir, int copies, List<Path> splits, List<String> dates) throws IOException {
        if (copies % FILES != 0) {
            throw new IllegalArgumentException("copies must be a multiple of " + FILES + ", not " + copies);
        }
        for (int s = 0; s < splits.size(); s++) {
            Path folder = Files.createDirectories(dir.resolve("date=" + dates.get(s)));
            for (int f = 0; f < FILES; f++) {
                ParquetWriter.write(folder.resolve("part-" + f + ".parquet"), repeated(copies / FILES, List.of(splits.get(s))), 8192);
            }
        }
    }

    /** The .npy folders read in turn, each {@code copies} times: the same rows as the Parquet, for one JVM. */
    public static Dataset repeated(int copies, List<Path> folders) {
        return new Repeated(List.copyOf(folders), copies);
    }

    private record Repeated(List<Path> folders, int copies) implements Dataset {
        @Override
        public String name() {
            return "repeated " + folders;
        }

        @Override
        public List<ColumnSpec> columns() {
            try (NpyDataset d = NpyDataset.open(folders.get(0))) {
                return d.columns();
            }
        }

        @Override
        public OptionalLong rowCount() {
            long n = 0;
            for (Path f : folders) {
                try (NpyDataset d = NpyDataset.open(f)) {
                    n += d.rowCount().getAsLong() * copies;
                }
            }
            return OptionalLong.of(n);
        }

        @Override
        public BatchReader batches(int batchSize) {
            return new BatchReader() {
                private int pass;
                private NpyDataset current;
                private BatchReader reader;

                @Override
                public boolean hasNext() {
                    while (reader == null || !reader.hasNext()) {
                        close();
                        if (pass == folders.size() * copies) {
                            return false;
                        }
                        current = NpyDataset.open(folders.get(pass / copies));
                        reader = current.batches(batchSize);
                        pass++;
                    }
                    return true;
                }

                @Override
                public Batch next() {
                    if (!hasNext()) {
                        throw new NoSuchElementException();
                    }
                    return reader.next();
                }

                @Override
                public void close() {
                    if (reader != null) {
                        reader.close();
                        current.close();
                        reader = null;
                    }
                }
            };
        }

        @Override
        public void close() {
        }
    }
}
