package dev.quantize.core.data;

import dev.quantize.core.SharedData;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.quantize.core.graph.Dim;
import dev.quantize.core.graph.ValueInfo;
import dev.quantize.core.tensor.DataType;
import dev.quantize.core.tensor.Tensor;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class DatasetBindingTest {
    @TempDir
    Path tmp;

    private static ValueInfo input(String name, DataType type, Dim... dims) {
        return new ValueInfo(name, type, List.of(dims));
    }

    /** The dlrm_small inputs as models/README.md declares them. */
    private static List<ValueInfo> dlrmInputs() {
        List<ValueInfo> in = new ArrayList<>();
        in.add(input("dense", DataType.FLOAT32, Dim.symbolic("batch"), Dim.of(13)));
        for (int t = 0; t < 8; t++) {
            in.add(input("cat_" + t, DataType.INT64, Dim.symbolic("batch"), Dim.of(2)));
        }
        return in;
    }

    @Test
    void sharedDlrmEvalBindsToItsInputsAndFeedsThemInModelOrder() {
        try (Dataset ds = Datasets.open(SharedData.models().resolve("dlrm_small/eval")); BatchReader r = ds.batches(64)) {
            DatasetBinding binding = DatasetBinding.bind(ds, dlrmInputs());
            assertTrue(binding.fixedBatchSize().isEmpty());
            Batch b = r.next();
            Map<String, Tensor> feed = binding.feed(b);
            assertEquals(List.of("dense", "cat_0", "cat_1", "cat_2", "cat_3", "cat_4", "cat_5", "cat_6", "cat_7"),
                    List.copyOf(feed.keySet()));
            assertSame(b.column("dense"), feed.get("dense"), "no conversion, no copy");
        }
    }

    @Test
    void missingInputNamesTheColumnsPresent() {
        List<ColumnSpec> cols = List.of(new ColumnSpec("a", DataType.FLOAT32, new int[0]),
                new ColumnSpec("b", DataType.FLOAT32, new int[0]), new ColumnSpec("c", DataType.FLOAT32, new int[0]));
        DatasetException e = assertThrows(DatasetException.class, () -> DatasetBinding.bind("eval.arrow", cols,
                List.of(input("dense", DataType.FLOAT32, Dim.symbolic("batch"), Dim.of(13)))));
        assertEquals("model input 'dense' has no column in eval.arrow (columns: a, b, c)", e.getMessage());
    }

    @Test
    void typeAndShapeMismatchesNameBothSides() {
        List<ColumnSpec> cols = List.of(new ColumnSpec("cat_3", DataType.FLOAT32, new int[] {2}),
                new ColumnSpec("dense", DataType.FLOAT64, new int[] {13}),
                new ColumnSpec("emb", DataType.FLOAT32, new int[] {4, 8}));
        DatasetException e = assertThrows(DatasetException.class, () -> DatasetBinding.bind("eval.arrow", cols, List.of(
                input("cat_3", DataType.INT64, Dim.symbolic("batch"), Dim.of(2)),
                input("dense", DataType.FLOAT32, Dim.symbolic("batch"), Dim.of(13)),
                input("emb", DataType.FLOAT32, Dim.UNKNOWN, Dim.of(4), Dim.of(16)))));
        String[] problems = e.getMessage().split("; (?=eval|model)");
        assertEquals(3, problems.length, e.getMessage());
        assertTrue(problems[0].startsWith("eval.arrow: column 'cat_3' is float32 [2] but model input 'cat_3' expects "
                + "int64 [batch, 2] (no lossless conversion from float32 to int64; only lossless widenings"), problems[0]);
        assertTrue(problems[1].startsWith("eval.arrow: column 'dense' is float64 [13] but model input 'dense' expects "
                + "float32 [batch, 13] (no lossless conversion from float64 to float32"), problems[1]);
        assertEquals("eval.arrow: column 'emb' is float32 [4,8] but model input 'emb' expects float32 [?, 4, 16] "
                + "(dimension 2 is 8 in the data but 16 in the model)", problems[2]);
        DatasetException rank = assertThrows(DatasetException.class, () -> DatasetBinding.bind("d", List.of(
                new ColumnSpec("x", DataType.FLOAT32, new int[0])), List.of(input("x", DataType.FLOAT32, Dim.symbolic("n"), Dim.of(1)))));
        assertTrue(rank.getMessage().contains("rank differs"), rank.getMessage());
    }

    @Test
    void losslessWideningsAreAppliedWhenFeeding() throws Exception {
        Path dir = Files.createDirectories(tmp.resolve("d"));
        NpyWriter.write(dir.resolve("ids.npy"), Tensor.ofLongs(DataType.INT32, new int[] {2, 2}, new long[] {1, -2, 2147483647, 4}));
        Tensor half = Tensor.ofFloats(DataType.FLOAT16, new int[] {2}, new float[] {0.5f, -65504f});
        NpyWriter.write(dir.resolve("h.npy"), half);
        NpyWriter.write(dir.resolve("f.npy"), Tensor.ofFloats(new int[] {2}, new float[] {0.1f, 3f}));
        try (Dataset ds = Datasets.open(dir); BatchReader r = ds.batches(2)) {
            DatasetBinding b = DatasetBinding.bind(ds, List.of(
                    input("ids", DataType.INT64, Dim.symbolic("batch"), Dim.symbolic("bag")),
                    input("h", DataType.FLOAT32, Dim.of(2)),
                    input("f", DataType.FLOAT64, Dim.symbolic("batch"))));
            assertEquals(2, b.fixedBatchSize().getAsInt());
            Map<String, Tensor> feed = b.feed(r.next());
            assertEquals(DataType.INT64, feed.get("ids").type());
            assertArrayEquals(new long[] {1, -2, 2147483647, 4}, feed.get("ids").longs());
            assertEquals(DataType.FLOAT32, feed.get("h").type());
            assertArrayEquals(new float[] {0.5f, -65504f}, feed.get("h").floats());
            assertEquals(DataType.FLOAT64, feed.get("f").type());
            assertArrayEquals(new double[] {0.1f, 3.0}, feed.get("f").doubles()); // the float32 value, exactly
        }
        try (Dataset ds = Datasets.open(dir); BatchReader r = ds.batches(1)) {
            DatasetBinding b = DatasetBinding.bind(ds, List.of(input("h", DataType.FLOAT32, Dim.of(2))));
            DatasetException e = assertThrows(DatasetException.class, () -> b.feed(r.next()));
            assertEquals("d: the model's batch axis is fixed at 2 rows but this batch has 1; use batch size 2", e.getMessage());
        }
        // the refused direction, for the record
        assertTrue(!DatasetBinding.canWiden(DataType.INT64, DataType.INT32) && !DatasetBinding.canWiden(DataType.UINT64, DataType.INT64)
                && !DatasetBinding.canWiden(DataType.INT32, DataType.FLOAT32) && !DatasetBinding.canWiden(DataType.BOOL, DataType.INT64));
    }

    @Test
    void openPicksTheReaderOrSaysWhyNot() throws Exception {
        DatasetException missing = assertThrows(DatasetException.class, () -> Datasets.open(tmp.resolve("nope.arrow")));
        assertTrue(missing.getMessage().startsWith("nope.arrow: no such file or folder"), missing.getMessage());
        Path csv = Files.writeString(tmp.resolve("x.csv"), "a,b\n");
        DatasetException unknown = assertThrows(DatasetException.class, () -> Datasets.open(csv));
        assertTrue(unknown.getMessage().startsWith("x.csv: unknown dataset format"), unknown.getMessage());
        Path empty = Files.createDirectories(tmp.resolve("empty"));
        assertEquals("empty: folder holds neither .npy nor .parquet files",
                assertThrows(DatasetException.class, () -> Datasets.open(empty)).getMessage());
        Path npyDir = Files.createDirectories(tmp.resolve("n"));
        NpyWriter.write(npyDir.resolve("a.npy"), Tensor.ofLongs(new int[] {1}, new long[] {5}));
        try (Dataset ds = Datasets.open(npyDir)) {
            assertTrue(ds instanceof NpyDataset);
        }
        DatasetException single = assertThrows(DatasetException.class, () -> Datasets.open(npyDir.resolve("a.npy")));
        assertTrue(single.getMessage().contains("pass the folder"), single.getMessage());
    }
}
