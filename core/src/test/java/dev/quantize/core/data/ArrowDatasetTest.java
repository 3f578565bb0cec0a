package dev.quantize.core.data;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.quantize.core.tensor.DataType;
import dev.quantize.core.tensor.Tensor;
import java.io.IOException;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.stream.Stream;
import org.apache.arrow.memory.BufferAllocator;
import org.apache.arrow.memory.RootAllocator;
import org.apache.arrow.vector.FieldVector;
import org.apache.arrow.vector.Float4Vector;
import org.apache.arrow.vector.IntVector;
import org.apache.arrow.vector.VectorSchemaRoot;
import org.apache.arrow.vector.complex.ListVector;
import org.apache.arrow.vector.complex.impl.UnionListWriter;
import org.apache.arrow.vector.ipc.ArrowFileReader;
import org.apache.arrow.vector.ipc.ArrowStreamWriter;
import org.apache.arrow.vector.types.pojo.ArrowType;
import org.apache.arrow.vector.types.pojo.Field;
import org.apache.arrow.vector.types.pojo.FieldType;
import org.apache.arrow.vector.types.pojo.Schema;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ArrowDatasetTest {
    @TempDir
    Path tmp;

    static final DataType[] TYPES = {DataType.FLOAT32, DataType.FLOAT64, DataType.FLOAT16, DataType.INT8, DataType.INT16,
        DataType.INT32, DataType.INT64, DataType.UINT8, DataType.UINT16, DataType.UINT32, DataType.UINT64, DataType.BOOL};

    /** Record batches of 5, 0, 9 and 3 rows of every type, scalar and [2,3] rows; returns them whole. */
    static Map<String, Tensor> writeSample(Path file, long seed) {
        Random rnd = new Random(seed);
        List<ColumnSpec> cols = new ArrayList<>();
        for (DataType t : TYPES) {
            cols.add(new ColumnSpec(t.name().toLowerCase(), t, new int[0]));
            cols.add(new ColumnSpec(t.name().toLowerCase() + "_2x3", t, new int[] {2, 3}));
        }
        Map<String, List<Tensor>> parts = new LinkedHashMap<>();
        try (ArrowWriter w = ArrowWriter.create(file, cols)) {
            for (int rows : new int[] {5, 0, 9, 3}) {
                Map<String, Tensor> m = new LinkedHashMap<>();
                for (ColumnSpec c : cols) {
                    Tensor t = RandomTensors.of(c.type(), c.batchShape(rows), rnd);
                    m.put(c.name(), t);
                    parts.computeIfAbsent(c.name(), k -> new ArrayList<>()).add(t);
                }
                w.write(new Batch(m, rows));
            }
            w.commit();
        }
        Map<String, Tensor> whole = new LinkedHashMap<>();
        parts.forEach((k, v) -> whole.put(k, RandomTensors.concat(v)));
        return whole;
    }

    @Test
    void writerOutputReadsBackIdenticallyInAnyBatchSize() {
        Path file = tmp.resolve("sample.arrow");
        Map<String, Tensor> expected = writeSample(file, 7);
        try (Dataset ds = Datasets.open(file)) {
            assertEquals(2 * TYPES.length, ds.columns().size());
            assertEquals(new ColumnSpec("float32_2x3", DataType.FLOAT32, new int[] {2, 3}), ds.column("float32_2x3"));
            assertEquals(new ColumnSpec("uint64", DataType.UINT64, new int[0]), ds.column("uint64"));
            for (int batchSize : new int[] {1, 4, 17, 1000}) {
                List<Batch> batches = new ArrayList<>();
                try (BatchReader r = ds.batches(batchSize)) {
                    r.forEachRemaining(batches::add);
                }
                assertEquals((17 + batchSize - 1) / batchSize, batches.size(), "batch size " + batchSize);
                for (int i = 0; i < batches.size() - 1; i++) {
                    assertEquals(batchSize, batches.get(i).rows());
                }
                for (Map.Entry<String, Tensor> e : expected.entrySet()) {
                    RandomTensors.assertSame(e.getValue(),
                            RandomTensors.concat(batches.stream().map(b -> b.column(e.getKey())).toList()));
                }
            }
        }
    }

    @Test
    void fixedSizeListOfShape2x3CarriesItsShapeMetadata() throws IOException {
        Path file = tmp.resolve("t.arrow");
        float[] values = {1, 2, 3, 4, 5, 6, -1, -2, -3, -4, -5, -6};
        try (ArrowWriter w = ArrowWriter.create(file, List.of(new ColumnSpec("x", DataType.FLOAT32, new int[] {2, 3})))) {
            w.write(new Batch(Map.of("x", Tensor.ofFloats(new int[] {2, 2, 3}, values)), 2));
            w.commit();
        }
        // read the schema with plain Arrow: a FixedSizeList of 6 with shape metadata [2,3]
        try (BufferAllocator a = new RootAllocator(); FileChannel ch = FileChannel.open(file, StandardOpenOption.READ);
             ArrowFileReader r = new ArrowFileReader(ch, a)) {
            Field f = r.getVectorSchemaRoot().getSchema().findField("x");
            assertEquals(new ArrowType.FixedSizeList(6), f.getType());
            assertEquals("[2,3]", f.getMetadata().get("shape"));
        }
        try (Dataset ds = Datasets.open(file); BatchReader r = ds.batches(8)) {
            Tensor t = r.next().column("x");
            assertArrayEquals(new int[] {2, 2, 3}, t.shape());
            assertArrayEquals(values, t.floats());
            assertFalse(r.hasNext());
        }
    }

    @Test
    void ipcStreamFormatAndVariableListsRead() throws IOException {
        Path file = tmp.resolve("s.arrows");
        Schema schema = new Schema(List.of(
                new Field("id", FieldType.notNullable(new ArrowType.Int(32, true)), null),
                new Field("vec", FieldType.nullable(new ArrowType.List()),
                        List.of(new Field("item", FieldType.nullable(new ArrowType.FloatingPoint(
                                org.apache.arrow.vector.types.FloatingPointPrecision.SINGLE)), null)))));
        writeStream(file, schema, new int[][] {{0, 1, 2}, {3, 4}}, -1);
        try (Dataset ds = Datasets.open(file)) {
            assertEquals(new ColumnSpec("vec", DataType.FLOAT32, new int[] {2}), ds.column("vec"));
            assertEquals(new ColumnSpec("id", DataType.INT32, new int[0]), ds.column("id"));
            try (BatchReader r = ds.batches(4)) {
                Batch b = r.next();
                assertArrayEquals(new long[] {0, 1, 2, 3}, b.column("id").longs());
                assertArrayEquals(new float[] {0, 0.5f, 10, 10.5f, 20, 20.5f, 30, 30.5f}, b.column("vec").floats());
                assertEquals(1, r.next().rows());
                assertFalse(r.hasNext());
            }
        }
        Path ragged = tmp.resolve("ragged.arrows");
        writeStream(ragged, schema, new int[][] {{0, 1}, {2}}, 2); // the row with id 2 has three elements
        try (Dataset ds = Datasets.open(ragged); BatchReader r = ds.batches(10)) {
            DatasetException e = assertThrows(DatasetException.class, r::next);
            assertEquals("ragged.arrows: column 'vec' row 2 has 3 elements but earlier rows have 2 (list columns need "
                    + "equal lengths)", e.getMessage());
        }
    }

    /** Writes an IPC stream: record batches of the given ids; row {@code id} holds [10 id, 10 id + 0.5] (longer for {@code longId}). */
    private static void writeStream(Path file, Schema schema, int[][] batches, int longId) throws IOException {
        try (BufferAllocator a = new RootAllocator(); VectorSchemaRoot root = VectorSchemaRoot.create(schema, a);
             FileChannel ch = FileChannel.open(file, StandardOpenOption.CREATE, StandardOpenOption.WRITE);
             ArrowStreamWriter w = new ArrowStreamWriter(root, null, ch)) {
            w.start();
            for (int[] ids : batches) {
                root.allocateNew();
                IntVector id = (IntVector) root.getVector("id");
                ListVector vec = (ListVector) root.getVector("vec");
                UnionListWriter lw = vec.getWriter();
                for (int i = 0; i < ids.length; i++) {
                    id.setSafe(i, ids[i]);
                    lw.setPosition(i);
                    lw.startList();
                    lw.float4().writeFloat4(10f * ids[i]);
                    lw.float4().writeFloat4(10f * ids[i] + 0.5f);
                    if (ids[i] == longId) {
                        lw.float4().writeFloat4(99f);
                    }
                    lw.endList();
                }
                id.setValueCount(ids.length);
                vec.setValueCount(ids.length);
                root.setRowCount(ids.length);
                w.writeBatch();
            }
            w.end();
        }
    }

    @Test
    void nullsAreRefusedWithColumnAndRow() throws IOException {
        Path file = tmp.resolve("n.arrow");
        Schema schema = new Schema(List.of(new Field("f", FieldType.nullable(
                new ArrowType.FloatingPoint(org.apache.arrow.vector.types.FloatingPointPrecision.SINGLE)), null)));
        try (BufferAllocator a = new RootAllocator(); VectorSchemaRoot root = VectorSchemaRoot.create(schema, a);
             FileChannel ch = FileChannel.open(file, StandardOpenOption.CREATE, StandardOpenOption.WRITE);
             org.apache.arrow.vector.ipc.ArrowFileWriter w = new org.apache.arrow.vector.ipc.ArrowFileWriter(root, null, ch)) {
            w.start();
            Float4Vector f = (Float4Vector) root.getVector("f");
            f.allocateNew(3);
            f.set(0, 1f);
            f.setNull(1);
            f.set(2, 3f);
            f.setValueCount(3);
            root.setRowCount(3);
            w.writeBatch();
            w.end();
        }
        try (Dataset ds = Datasets.open(file); BatchReader r = ds.batches(2)) {
            DatasetException e = assertThrows(DatasetException.class, r::next);
            assertEquals("n.arrow: column 'f' has a null element in row 1", e.getMessage());
        }
    }

    @Test
    void writerLeavesNothingBehindWithoutCommitAndWriteDatasetCopiesNpy() throws IOException {
        Path file = tmp.resolve("never.arrow");
        try (ArrowWriter w = ArrowWriter.create(file, List.of(new ColumnSpec("x", DataType.INT64, new int[0])))) {
            w.write(new Batch(Map.of("x", Tensor.ofLongs(new int[] {2}, new long[] {1, 2})), 2));
        }
        try (Stream<Path> s = Files.list(tmp)) {
            assertEquals(0, s.count());
        }
        Path npy = Files.createDirectories(tmp.resolve("npy"));
        Tensor a = RandomTensors.of(DataType.FLOAT32, new int[] {10, 4}, new Random(3));
        Tensor b = RandomTensors.of(DataType.INT64, new int[] {10}, new Random(4));
        NpyWriter.write(npy.resolve("a.npy"), a);
        NpyWriter.write(npy.resolve("labels.npy"), b);
        Path out = tmp.resolve("copy.feather");
        try (Dataset src = Datasets.open(npy)) {
            ArrowWriter.write(out, src, 3);
        }
        try (Dataset ds = Datasets.open(out); BatchReader r = ds.batches(10)) {
            Batch batch = r.next();
            RandomTensors.assertSame(a, batch.column("a"));
            RandomTensors.assertSame(b, batch.labels().orElseThrow());
        }
    }

    @Test
    void unsupportedColumnTypeIsNamed() throws IOException {
        Path file = tmp.resolve("u.arrow");
        Schema schema = new Schema(List.of(new Field("name", FieldType.nullable(ArrowType.Utf8.INSTANCE), null)));
        try (BufferAllocator a = new RootAllocator(); VectorSchemaRoot root = VectorSchemaRoot.create(schema, a);
             FileChannel ch = FileChannel.open(file, StandardOpenOption.CREATE, StandardOpenOption.WRITE);
             org.apache.arrow.vector.ipc.ArrowFileWriter w = new org.apache.arrow.vector.ipc.ArrowFileWriter(root, null, ch)) {
            w.start();
            for (FieldVector v : root.getFieldVectors()) {
                v.setValueCount(0);
            }
            w.end();
        }
        DatasetException e = assertThrows(DatasetException.class, () -> Datasets.open(file));
        assertTrue(e.getMessage().startsWith("u.arrow: column 'name' has Arrow type Utf8; supported:"), e.getMessage());
    }
}
