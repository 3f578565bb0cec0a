package dev.quantize.core.onnx;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.quantize.core.graph.Dim;
import dev.quantize.core.graph.Model;
import dev.quantize.core.graph.Node;
import dev.quantize.core.graph.ValueInfo;
import dev.quantize.core.tensor.DataType;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Reads and round-trips the two trained models in shared/models (op census from their README). */
class OnnxSharedModelsTest {
    @TempDir
    Path tmp;

    private static Map<String, Integer> census(Model m) {
        Map<String, Integer> c = new TreeMap<>();
        for (Node n : m.graph().nodes()) {
            c.merge(n.opType(), 1, Integer::sum);
        }
        return c;
    }

    @Test
    void readsDlrmSmall() throws IOException {
        Model m = OnnxReader.read(TestModels.sharedModel("dlrm_small"));
        assertEquals(13, m.opset());
        assertEquals(new TreeMap<>(Map.ofEntries(Map.entry("Constant", 10), Map.entry("Gather", 9),
                Map.entry("Unsqueeze", 9), Map.entry("ReduceSum", 8), Map.entry("Gemm", 6), Map.entry("Relu", 5),
                Map.entry("Concat", 2), Map.entry("Flatten", 1), Map.entry("MatMul", 1), Map.entry("Sigmoid", 1),
                Map.entry("Transpose", 1))), census(m));
        List<ValueInfo> in = m.graph().runtimeInputs();
        assertEquals(9, in.size());
        assertEquals(new ValueInfo("dense", DataType.FLOAT32, List.of(Dim.symbolic("batch"), Dim.of(13))), in.get(0));
        for (int i = 0; i < 8; i++) {
            assertEquals(new ValueInfo("cat_" + i, DataType.INT64, List.of(Dim.symbolic("batch"), Dim.of(2))), in.get(i + 1));
        }
        assertEquals(List.of(new ValueInfo("prob", DataType.FLOAT32, List.of(Dim.symbolic("batch"), Dim.of(1)))),
                m.graph().outputs());
        // Embedding tables: [rows, 16] for the README's table sizes, in some order.
        List<Integer> rows = m.graph().initializers().values().stream()
                .filter(t -> t.rank() == 2 && t.dim(1) == 16 && t.dim(0) >= 100).map(t -> t.dim(0)).sorted().toList();
        assertEquals(List.of(100, 200, 500, 1000, 3000, 8000, 20000, 50000), rows);
    }

    @Test
    void readsMlpTabular() throws IOException {
        Model m = OnnxReader.read(TestModels.sharedModel("mlp_tabular"));
        assertEquals(13, m.opset());
        assertEquals(new TreeMap<>(Map.of("Constant", 10, "Add", 6, "Mul", 6, "Div", 4, "ReduceMean", 4, "Gemm", 3,
                "Erf", 2, "Pow", 2, "Sqrt", 2, "Sub", 2)), census(m));
        assertEquals(List.of(new ValueInfo("features", DataType.FLOAT32, List.of(Dim.symbolic("batch"), Dim.of(64)))),
                m.graph().runtimeInputs());
        assertEquals(List.of(new ValueInfo("logits", DataType.FLOAT32, List.of(Dim.symbolic("batch"), Dim.of(10)))),
                m.graph().outputs());
    }

    /** Every float initializer equals the little-endian bytes of its raw_data, read independently. */
    @Test
    void initializersMatchTheirRawBytes() throws IOException {
        Path file = TestModels.sharedModel("mlp_tabular");
        Model m = OnnxReader.read(file);
        var proto = dev.quantize.core.onnx.proto.OnnxProto.ModelProto.parseFrom(Files.readAllBytes(file));
        int checked = 0;
        for (var tp : proto.getGraph().getInitializerList()) {
            if (tp.getDataType() != 1 || !tp.hasRawData()) {
                continue;
            }
            byte[] raw = tp.getRawData().toByteArray();
            float[] got = m.graph().initializers().get(tp.getName()).floats();
            for (int i = 0; i < got.length; i++) {
                int bits = (raw[4 * i] & 0xFF) | (raw[4 * i + 1] & 0xFF) << 8 | (raw[4 * i + 2] & 0xFF) << 16
                        | (raw[4 * i + 3] & 0xFF) << 24;
                assertEquals(bits, Float.floatToRawIntBits(got[i]), tp.getName() + "[" + i + "]");
            }
            checked++;
        }
        assertTrue(checked >= 3, "expected at least the three Gemm weights as raw floats, got " + checked);
    }

    @Test
    void roundTripsBothModelsBitForBit() throws IOException {
        for (String name : List.of("dlrm_small", "mlp_tabular")) {
            Model m = OnnxReader.read(TestModels.sharedModel(name));
            Path out = tmp.resolve(name + ".onnx");
            OnnxWriter.write(m, out);
            Model back = OnnxReader.read(out);
            TestModels.assertSameModel(m, back);
            // Writing again gives the same bytes: nothing depends on hash order.
            assertArrayEquals(Files.readAllBytes(out), OnnxWriter.toBytes(back), name);
        }
        try (Stream<Path> files = Files.list(tmp)) {
            assertEquals(List.of("dlrm_small.onnx", "mlp_tabular.onnx"),
                    files.map(p -> p.getFileName().toString()).sorted().toList(), "no temp files left behind");
        }
    }

    @Test
    void writeReplacesAnExistingFileWhole() throws IOException {
        Model m = OnnxReader.read(TestModels.sharedModel("mlp_tabular"));
        Path out = tmp.resolve("model.onnx");
        Files.write(out, new byte[] {1, 2, 3});
        OnnxWriter.write(m, out);
        TestModels.assertSameModel(m, OnnxReader.read(out));
    }
}
