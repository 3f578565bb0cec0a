package dev.quantize.spark;

import dev.quantize.core.data.Batch;
import dev.quantize.core.data.BatchReader;
import dev.quantize.core.data.ColumnSpec;
import dev.quantize.core.data.Dataset;
import dev.quantize.core.data.NpyDataset;
import dev.quantize.core.data.ParquetWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.NoSuchElementException;
import java.util.OptionalLong;
import org.junit.jupiter.api.Assumptions;

/**
 * The scale-out test data: dlrm_small's eval and drift splits, each replicated {@code copies} times, as
 * one Parquet dataset partitioned by {@code date} (eval rows on {@link #EVAL_DATE}, drift rows on
 * {@link #DRIFT_DATE}), {@value #FILES} files per date; and the same rows as single-JVM core datasets.
 */
final class ScaleOutData {
    static final String EVAL_DATE = "2026-11-19";
    static final String DRIFT_DATE = "2026-11-20";
    /** Copies of each 4,096-row split: 128 gives 1,048,576 rows in all. */
    static final int COPIES = Integer.getInteger("quantize.spark.copies", 128);
    /** Files per date. */
    static final int FILES = 8;

    private ScaleOutData() {
    }

    static Path shared() {
        String p = System.getProperty("quantize.shared");
        Path root = p != null ? Path.of(p) : Path.of("..", "..", "shared");
        Path model = root.resolve("models/dlrm_small/model.onnx");
        Assumptions.assumeTrue(Files.isRegularFile(model), "shared dlrm_small not found at " + model.toAbsolutePath());
        return root.resolve("models/dlrm_small").normalize();
    }

    static Path model() {
        return shared().resolve("model.onnx");
    }

    /**
     * Writes the Parquet dataset into {@code dir} with core's Parquet writer: {@code date=...} folders
     * of {@value #FILES} files each, every file {@code copies / FILES} copies of its split.
     */
    static void write(Path dir, int copies) throws java.io.IOException {
        if (copies % FILES != 0) {
            throw new IllegalArgumentException("copies must be a multiple of " + FILES + ", not " + copies);
        }
        for (String[] split : new String[][] {{"eval", EVAL_DATE}, {"drift", DRIFT_DATE}}) {
            Path folder = Files.createDirectories(dir.resolve("date=" + split[1]));
            for (int f = 0; f < FILES; f++) {
                ParquetWriter.write(folder.resolve("part-" + f + ".parquet"), repeated(copies / FILES, split[0]), 8192);
            }
        }
    }

    /** The same rows for one JVM: each named split (an .npy folder) read {@code copies} times, one after the other. */
    static Dataset repeated(int copies, String... splits) {
        List<Path> folders = new ArrayList<>();
        for (String s : splits) {
            folders.add(shared().resolve(s));
        }
        return new Repeated(folders, copies);
    }

    /** Folders of .npy read in turn, each {@code copies} times. */
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
