package dev.quantize.spark;

import dev.quantize.core.data.Dataset;
import dev.quantize.spark.bench.ReplicatedData;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
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
    static final int FILES = ReplicatedData.FILES;

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

    /** Writes the Parquet dataset into {@code dir}: {@code date=...} folders of {@value #FILES} files each. */
    static void write(Path dir, int copies) throws java.io.IOException {
        ReplicatedData.write(dir, copies, List.of(shared().resolve("eval"), shared().resolve("drift")), List.of(EVAL_DATE, DRIFT_DATE));
    }

    /** The same rows for one JVM: each named split (an .npy folder) read {@code copies} times, one after the other. */
    static Dataset repeated(int copies, String... splits) {
        return ReplicatedData.repeated(copies, java.util.Arrays.stream(splits).map(s -> shared().resolve(s)).toList());
    }
}
