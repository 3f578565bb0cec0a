package dev.quantize.core.data;

import dev.quantize.core.SharedData;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.quantize.core.tensor.DataType;
import dev.quantize.core.tensor.Tensor;
import java.io.IOException;
import java.net.URISyntaxException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class NpyDatasetTest {
    @TempDir
    Path tmp;

    /** Fixtures written by numpy 2.4 (see the file names: byte order, version, dtype). */
    private Path fixture(String name) throws URISyntaxException, IOException {
        Path src = Path.of(getClass().getResource("npy/" + name).toURI());
        Path dir = Files.createDirectories(tmp.resolve(name.replace(".npy", "")));
        return Files.copy(src, dir.resolve(name));
    }

    private Tensor readOnly(String fixture) throws Exception {
        try (NpyDataset ds = NpyDataset.open(fixture(fixture).getParent()); BatchReader r = ds.batches(1000)) {
            Batch b = r.next();
            assertFalse(r.hasNext());
            return b.columns().values().iterator().next();
        }
    }

    @Test
    void readsNumpyFixturesOfEveryDtypeOrderAndVersion() throws Exception {
        Tensor be = readOnly("be_f8.npy");
        assertEquals(DataType.FLOAT64, be.type());
        assertArrayEquals(new int[] {3, 2}, be.shape());
        assertArrayEquals(new double[] {-2, -0.5, 1, 2.5, 4, 5.5}, be.doubles());

        Tensor i2 = readOnly("v2_i2.npy");
        assertEquals(DataType.INT16, i2.type());
        assertArrayEquals(new long[] {-300, -1, 0, 32767}, i2.longs());

        Tensor u4 = readOnly("v3_u4.npy");
        assertEquals(DataType.UINT32, u4.type());
        assertArrayEquals(new long[] {0, 1, 4294967295L, 123}, u4.longs());

        Tensor bi4 = readOnly("be_i4.npy");
        assertArrayEquals(new long[] {-7, 8, Integer.MAX_VALUE, Integer.MIN_VALUE}, bi4.longs());

        Tensor f2 = readOnly("f2.npy");
        assertEquals(DataType.FLOAT16, f2.type());
        assertArrayEquals(new float[] {0.5f, -2f, 65504f, (float) Math.pow(2, -24)}, f2.floats());

        Tensor b1 = readOnly("b1.npy");
        assertEquals(DataType.BOOL, b1.type());
        assertArrayEquals(new int[] {3, 2}, b1.shape());
        assertArrayEquals(new long[] {1, 0, 0, 1, 1, 1}, b1.longs());

        assertArrayEquals(new long[] {-128, 127, -1}, readOnly("i1.npy").longs());
        assertArrayEquals(new long[] {0, 255, 128}, readOnly("u1.npy").longs());
        assertArrayEquals(new long[] {0, 65535, 40000}, readOnly("u2.npy").longs());
        Tensor u8 = readOnly("u8.npy");
        assertEquals(DataType.UINT64, u8.type());
        assertArrayEquals(new long[] {Long.MIN_VALUE + 5, 7}, u8.longs()); // 2^63 + 5 as unsigned bits
    }

    @Test
    void refusesFortranOrderScalarsAndUnsupportedDtypesByName() throws Exception {
        DatasetException f = assertThrows(DatasetException.class, () -> NpyDataset.open(fixture("fortran.npy").getParent()));
        assertTrue(f.getMessage().startsWith("fortran.npy: array is stored in Fortran order"), f.getMessage());
        DatasetException s = assertThrows(DatasetException.class, () -> NpyDataset.open(fixture("scalar.npy").getParent()));
        assertTrue(s.getMessage().contains("scalar.npy: array is a 0-d scalar"), s.getMessage());
        DatasetException st = assertThrows(DatasetException.class, () -> NpyDataset.open(fixture("structured.npy").getParent()));
        assertTrue(st.getMessage().contains("structured.npy: structured numpy dtypes"), st.getMessage());
        DatasetException c = assertThrows(DatasetException.class, () -> NpyDataset.open(fixture("c16.npy").getParent()));
        assertTrue(c.getMessage().contains("c16.npy: unsupported numpy dtype '<c16'"), c.getMessage());
    }

    @Test
    void sharedDlrmEvalMatchesFactsComputedWithNumpy() {
        Path eval = SharedData.models().resolve("dlrm_small/eval");
        int[] tableSizes = {1000, 50000, 200, 8000, 100, 20000, 3000, 500}; // models/README.md
        try (Dataset ds = Datasets.open(eval)) {
            assertEquals(4096, ds.rowCount().orElseThrow());
            assertEquals(new ColumnSpec("dense", DataType.FLOAT32, new int[] {13}), ds.column("dense"));
            assertEquals(new ColumnSpec("cat_3", DataType.INT64, new int[] {2}), ds.column("cat_3"));
            assertEquals(new ColumnSpec("labels", DataType.FLOAT32, new int[0]), ds.column("labels"));
            double denseSum = 0;
            double labelSum = 0;
            long[] catSums = new long[8];
            int rows = 0;
            int batches = 0;
            try (BatchReader r = ds.batches(1000)) {
                while (r.hasNext()) {
                    Batch b = r.next();
                    batches++;
                    if (rows == 0) {
                        float[] d = b.column("dense").floats();
                        assertEquals(2.1972246170043945f, d[0]); // numpy: dense[0, :3]
                        assertEquals(3.044522523880005f, d[1]);
                        assertEquals(0f, d[2]);
                    }
                    rows += b.rows();
                    for (float v : b.column("dense").floats()) {
                        denseSum += v;
                    }
                    for (float v : b.labels().orElseThrow().floats()) {
                        assertTrue(v == 0f || v == 1f, "label " + v);
                        labelSum += v;
                    }
                    assertEquals(9, b.withoutLabels().columns().size());
                    for (int t = 0; t < 8; t++) {
                        for (long id : b.column("cat_" + t).longs()) {
                            assertTrue(id >= 0 && id < tableSizes[t], "cat_" + t + " id " + id);
                            catSums[t] += id;
                        }
                    }
                }
            }
            assertEquals(4096, rows);
            assertEquals(5, batches); // 4 x 1000 + 96
            assertEquals(71771.53582312737, denseSum, 1e-6); // numpy float64 sum of the float32 values
            assertEquals(1039, labelSum);
            assertArrayEquals(new long[] {3841393, 188390858, 907904, 33144219, 326681, 99620460, 12605347, 2252264}, catSums);
        }
    }

    @Test
    void sharedMlpAndEverySplitRead() {
        Path models = SharedData.models();
        long[] counts = new long[10];
        try (Dataset ds = Datasets.open(models.resolve("mlp_tabular/eval")); BatchReader r = ds.batches(512)) {
            while (r.hasNext()) {
                for (long c : r.next().labels().orElseThrow().longs()) {
                    counts[(int) c]++;
                }
            }
        }
        assertArrayEquals(new long[] {405, 422, 428, 410, 381, 450, 416, 366, 406, 412}, counts); // numpy bincount
        for (String model : List.of("dlrm_small", "mlp_tabular")) {
            for (String split : List.of("calib", "eval", "drift")) {
                try (Dataset ds = Datasets.open(models.resolve(model).resolve(split))) {
                    assertEquals(split.equals("calib") ? 512 : 4096, ds.rowCount().orElseThrow(), model + "/" + split);
                }
            }
        }
    }

    @Test
    void filesWithDifferentRowCountsAreNamed() {
        NpyWriter.write(tmp.resolve("a.npy"), Tensor.ofFloats(new int[] {3, 2}, new float[6]));
        NpyWriter.write(tmp.resolve("b.npy"), Tensor.ofLongs(new int[] {4}, new long[4]));
        DatasetException e = assertThrows(DatasetException.class, () -> NpyDataset.open(tmp));
        assertTrue(e.getMessage().contains("a.npy has 3, b.npy has 4"), e.getMessage());
    }

    @Test
    void writerRoundTripsEveryTypeInBatchesOfOddSizes() {
        Random rnd = new Random(42);
        int rows = 23;
        List<Tensor> written = new ArrayList<>();
        DataType[] types = {DataType.FLOAT32, DataType.FLOAT64, DataType.FLOAT16, DataType.INT8, DataType.INT16,
            DataType.INT32, DataType.INT64, DataType.UINT8, DataType.UINT16, DataType.UINT32, DataType.UINT64, DataType.BOOL};
        for (int k = 0; k < types.length; k++) {
            Tensor t = RandomTensors.of(types[k], new int[] {rows, 2, 3}, rnd);
            written.add(t);
            NpyWriter.write(tmp.resolve(String.format("c%02d.npy", k)), t);
        }
        for (int batchSize : new int[] {1, 7, 23, 100}) {
            try (NpyDataset ds = NpyDataset.open(tmp); BatchReader r = ds.batches(batchSize)) {
                List<Batch> batches = new ArrayList<>();
                r.forEachRemaining(batches::add);
                assertEquals((rows + batchSize - 1) / batchSize, batches.size());
                for (int k = 0; k < types.length; k++) {
                    String name = String.format("c%02d", k);
                    Tensor joined = RandomTensors.concat(batches.stream().map(b -> b.column(name)).toList());
                    RandomTensors.assertSame(written.get(k), joined);
                }
            }
        }
    }

    @Test
    void writerIsAtomicAndStreamsAppends() throws IOException {
        Path target = tmp.resolve("x.npy");
        try (NpyWriter w = NpyWriter.create(target, DataType.INT32, new int[] {2})) {
            w.append(Tensor.ofLongs(DataType.INT32, new int[] {1, 2}, new long[] {1, 2}));
            assertFalse(Files.exists(target));
            // closed without commit: nothing appears, the temporary file is gone
        }
        assertFalse(Files.exists(target));
        try (Stream<Path> s = Files.list(tmp)) {
            assertEquals(0, s.count());
        }
        try (NpyWriter w = NpyWriter.create(target, DataType.INT32, new int[] {2})) {
            w.append(Tensor.ofLongs(DataType.INT32, new int[] {1, 2}, new long[] {1, 2}));
            w.append(Tensor.ofLongs(DataType.INT32, new int[] {2, 2}, new long[] {3, 4, 5, -6}));
            w.commit();
        }
        byte[] bytes = Files.readAllBytes(target);
        assertEquals(0, (10 + (bytes[8] & 0xff)) % 64, "data starts on a 64-byte boundary");
        String header = new String(bytes, 10, bytes[8] & 0xff, java.nio.charset.StandardCharsets.ISO_8859_1);
        assertTrue(header.startsWith("{'descr': '<i4', 'fortran_order': False, 'shape': (3, 2), }"), header);
        try (NpyDataset ds = NpyDataset.open(tmp); BatchReader r = ds.batches(10)) {
            assertArrayEquals(new long[] {1, 2, 3, 4, 5, -6}, r.next().column("x").longs());
        }
    }
}
