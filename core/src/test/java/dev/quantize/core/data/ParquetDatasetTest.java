package dev.quantize.core.data;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.quantize.core.tensor.DataType;
import dev.quantize.core.tensor.Tensor;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Parquet through arrow-dataset's JNI library: each test writes with it and reads back, so both directions load the native code. */
class ParquetDatasetTest {
    @TempDir
    Path tmp;

    private static Map<String, Tensor> whole(Dataset ds, int batchSize) {
        List<Batch> batches = new ArrayList<>();
        try (BatchReader r = ds.batches(batchSize)) {
            r.forEachRemaining(batches::add);
        }
        Map<String, Tensor> m = new java.util.LinkedHashMap<>();
        for (ColumnSpec c : ds.columns()) {
            m.put(c.name(), RandomTensors.concat(batches.stream().map(b -> b.column(c.name())).toList()));
        }
        return m;
    }

    @Test
    void nativeLibraryWritesAndReadsEveryTypeWithTensorRows() throws IOException {
        Path arrow = tmp.resolve("sample.arrow");
        Map<String, Tensor> expected = ArrowDatasetTest.writeSample(arrow, 11);
        Path parquet = tmp.resolve("sample.parquet");
        try (Dataset src = Datasets.open(arrow)) {
            ParquetWriter.write(parquet, src, 6);
        }
        assertTrue(Files.size(parquet) > 0);
        try (Stream<Path> s = Files.list(tmp)) {
            assertEquals(List.of("sample.arrow", "sample.parquet"), s.map(p -> p.getFileName().toString()).sorted().toList(),
                    "no temporary files left");
        }
        try (Dataset ds = Datasets.open(parquet)) {
            // Arrow's Parquet path keeps neither FixedSizeList nor field metadata: tensor rows come back as
            // plain lists, so a [2,3] row reads as [6] (same elements, row-major). Known limitation.
            assertEquals(new ColumnSpec("int64_2x3", DataType.INT64, new int[] {6}), ds.column("int64_2x3"));
            assertEquals(new ColumnSpec("float16", DataType.FLOAT16, new int[0]), ds.column("float16"));
            for (int batchSize : new int[] {4, 100}) {
                Map<String, Tensor> got = whole(ds, batchSize);
                for (Map.Entry<String, Tensor> e : expected.entrySet()) {
                    Tensor want = e.getValue();
                    if (want.rank() == 3) {
                        want = want.reshape(new int[] {want.dim(0), 6});
                    }
                    RandomTensors.assertSame(want, got.get(e.getKey()));
                }
            }
        }
    }

    @Test
    void folderOfParquetFilesIsOneDatasetInNameOrder() throws IOException {
        Path dir = Files.createDirectories(tmp.resolve("parts"));
        // written out of name order, so file-system listing order is not what makes the test pass
        long[][] ids = {{20, 21, 22}, {0, 1}, {10, 11, 12, 13}};
        String[] names = {"part-2.parquet", "part-0.parquet", "part-1.parquet"};
        for (int i = 0; i < names.length; i++) {
            Path npy = Files.createDirectories(tmp.resolve("npy" + i));
            NpyWriter.write(npy.resolve("id.npy"), Tensor.ofLongs(new int[] {ids[i].length}, ids[i]));
            float[] f = new float[ids[i].length * 2];
            for (int k = 0; k < f.length; k++) {
                f[k] = ids[i][k / 2] + (k % 2) * 0.5f;
            }
            NpyWriter.write(npy.resolve("x.npy"), Tensor.ofFloats(new int[] {ids[i].length, 2}, f));
            try (Dataset src = Datasets.open(npy)) {
                ParquetWriter.write(dir.resolve(names[i]), src, 2);
            }
        }
        try (Dataset ds = Datasets.open(dir)) {
            assertEquals("parts", ds.name());
            Map<String, Tensor> got = whole(ds, 4);
            org.junit.jupiter.api.Assertions.assertArrayEquals(new long[] {0, 1, 10, 11, 12, 13, 20, 21, 22},
                    got.get("id").longs());
            float[] x = got.get("x").floats();
            assertEquals(18, x.length);
            assertEquals(13.5f, x[11]);
            try (BatchReader r = ds.batches(4)) {
                assertEquals(4, r.next().rows()); // rows 0,1 of part-0 and 10,11 of part-1 in one batch
                assertEquals(4, r.next().rows());
                assertEquals(1, r.next().rows());
                assertFalse(r.hasNext());
            }
        }
    }

    @Test
    void notParquetIsAClearError() throws IOException {
        Path bad = tmp.resolve("bad.parquet");
        Files.writeString(bad, "this is not parquet at all, just text");
        DatasetException e = assertThrows(DatasetException.class, () -> Datasets.open(bad));
        assertTrue(e.getMessage().startsWith("bad.parquet: not a readable Parquet file"), e.getMessage());
    }
}
