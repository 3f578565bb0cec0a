package dev.quantize.core.onnx;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.quantize.core.graph.Attribute;
import dev.quantize.core.graph.Dim;
import dev.quantize.core.graph.Graph;
import dev.quantize.core.graph.Model;
import dev.quantize.core.graph.Node;
import dev.quantize.core.graph.ValueInfo;
import dev.quantize.core.tensor.DataType;
import dev.quantize.core.tensor.Tensor;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import org.junit.jupiter.api.Test;

/** A model built by hand with every attribute kind, every element type and nested subgraphs. */
class OnnxHandBuiltModelTest {

    /** One tensor per supported element type, with values exactly representable in the type. */
    static Map<String, Tensor> everyType(Random rnd) {
        Map<String, Tensor> m = new LinkedHashMap<>();
        float[] f32 = new float[7];
        for (int i = 0; i < f32.length; i++) {
            f32[i] = (float) rnd.nextGaussian();
        }
        f32[0] = Float.intBitsToFloat(0x7fc01234); // a NaN payload must survive FLOAT32
        m.put("f32", Tensor.ofFloats(new int[] {7}, f32));
        m.put("f16", Tensor.ofFloats(DataType.FLOAT16, new int[] {2, 3},
                new float[] {1.5f, -0.0f, 65504f, 5.9604645e-8f, Float.POSITIVE_INFINITY, -2.75f}));
        m.put("bf16", Tensor.ofFloats(DataType.BFLOAT16, new int[] {3}, new float[] {1.0f, Float.intBitsToFloat(0xFF7F0000), 0.0078125f}));
        m.put("e4m3", Tensor.ofFloats(DataType.FLOAT8E4M3FN, new int[] {4}, new float[] {448f, -0.001953125f, 1.125f, 0f}));
        m.put("e5m2", Tensor.ofFloats(DataType.FLOAT8E5M2, new int[] {4},
                new float[] {57344f, Float.NEGATIVE_INFINITY, 1.5258789e-5f, -1.25f}));
        m.put("f64", Tensor.ofDoubles(new int[] {2}, new double[] {Math.PI, -1e300}));
        m.put("i8", Tensor.ofLongs(DataType.INT8, new int[] {3}, new long[] {-128, 0, 127}));
        m.put("u8", Tensor.ofLongs(DataType.UINT8, new int[] {3}, new long[] {0, 200, 255}));
        m.put("i16", Tensor.ofLongs(DataType.INT16, new int[] {2}, new long[] {-32768, 32767}));
        m.put("u16", Tensor.ofLongs(DataType.UINT16, new int[] {2}, new long[] {0, 65535}));
        m.put("i32", Tensor.ofLongs(DataType.INT32, new int[] {2}, new long[] {Integer.MIN_VALUE, 7}));
        m.put("u32", Tensor.ofLongs(DataType.UINT32, new int[] {2}, new long[] {0xFFFFFFFFL, 1}));
        m.put("i64", Tensor.ofLongs(new int[] {2}, new long[] {Long.MIN_VALUE, Long.MAX_VALUE}));
        m.put("u64", Tensor.ofLongs(DataType.UINT64, new int[] {1}, new long[] {-1L}));
        m.put("bool", Tensor.ofLongs(DataType.BOOL, new int[] {3}, new long[] {1, 0, 1}));
        m.put("i4", Tensor.ofLongs(DataType.INT4, new int[] {5}, new long[] {-8, 7, -1, 0, 3}));
        m.put("u4", Tensor.ofLongs(DataType.UINT4, new int[] {3}, new long[] {15, 0, 9}));
        m.put("str", Tensor.ofStrings(new int[] {2}, new String[] {"héllo", ""}));
        m.put("scalar", Tensor.scalar(2.5f));
        m.put("empty", Tensor.ofFloats(new int[] {0, 3}, new float[0]));
        return m;
    }

    static Model handBuilt() {
        Random rnd = new Random(42);
        Map<String, Tensor> inits = everyType(rnd);
        Graph thenBranch = new Graph("then", List.of(new Node("", "Identity", List.of("c1"), List.of("t_out"), List.of())),
                List.of(), List.of(new ValueInfo("t_out", DataType.FLOAT32, List.of(Dim.of(1)))),
                Map.of("c1", Tensor.ofFloats(new int[] {1}, new float[] {3f})), List.of());
        Graph inner = new Graph("inner", List.of(new Node("neg", "Neg", List.of("x"), List.of("y"), List.of())),
                List.of(new ValueInfo("x", DataType.FLOAT32, null)), List.of(new ValueInfo("y", null, null)),
                Map.of(), List.of());
        Graph elseBranch = new Graph("else", List.of(new Node("loop", "Loop", List.of("", ""), List.of("e_out"),
                List.of(Attribute.of("body", inner)))), List.of(),
                List.of(new ValueInfo("e_out", DataType.FLOAT32, List.of(Dim.UNKNOWN))), Map.of(), List.of());
        List<Attribute> all = new ArrayList<>();
        all.add(Attribute.of("f", -0.0f));
        all.add(Attribute.of("i", Long.MIN_VALUE));
        all.add(Attribute.of("s", "naïve"));
        all.add(Attribute.of("t", inits.get("f16")));
        all.add(Attribute.of("g", thenBranch));
        all.add(Attribute.ofFloats("floats", 1f, Float.NaN, -3.5f));
        all.add(Attribute.ofInts("ints", 0, -1, 1L << 40));
        all.add(Attribute.ofStrings("strings", List.of("a", "", "ü")));
        all.add(new Attribute("tensors", Attribute.Kind.TENSORS, List.of(inits.get("i4"), inits.get("str"))));
        all.add(new Attribute("graphs", Attribute.Kind.GRAPHS, List.of(thenBranch, elseBranch)));
        Node custom = new Node("", "Everything", "com.example", List.of("x", "", "f32"), List.of("y", ""),
                attrMap(all));
        Node ifNode = new Node("if0", "If", List.of("cond"), List.of("z"),
                List.of(Attribute.of("then_branch", thenBranch), Attribute.of("else_branch", elseBranch)));
        Graph g = new Graph("main", List.of(custom, ifNode),
                List.of(new ValueInfo("x", DataType.FLOAT32, List.of(Dim.symbolic("batch"), Dim.UNKNOWN, Dim.of(4))),
                        new ValueInfo("cond", DataType.BOOL, List.of()),
                        new ValueInfo("f32", DataType.FLOAT32, List.of(Dim.of(7)))),
                List.of(new ValueInfo("y", DataType.FLOAT16, null), new ValueInfo("z", DataType.FLOAT32, List.of(Dim.of(1)))),
                inits, List.of(new ValueInfo("mid", null, List.of(Dim.symbolic("n")))));
        Map<String, Long> opsets = new LinkedHashMap<>();
        opsets.put("", 17L);
        opsets.put("com.example", 1L);
        return new Model(9, opsets, "quantize-test", "0.1", g, Map.of("author", "test", "purpose", "round trip"));
    }

    private static Map<String, Attribute> attrMap(List<Attribute> list) {
        Map<String, Attribute> m = new LinkedHashMap<>();
        list.forEach(a -> m.put(a.name(), a));
        return m;
    }

    @Test
    void everyAttributeKindAndTypeRoundTrips() {
        Model m = handBuilt();
        byte[] bytes = OnnxWriter.toBytes(m);
        Model back = OnnxReader.read(bytes, "hand.onnx", null);
        TestModels.assertSameModel(m, back);
        Node custom = back.graph().nodes().get(0);
        assertEquals("", custom.name(), "empty node names stay empty");
        assertEquals(Attribute.Kind.values().length, custom.attributes().size(), "one attribute of every kind");
        assertEquals("Neg", back.graph().nodes().get(1).attribute("else_branch").asGraph().nodes().get(0)
                .attribute("body").asGraph().nodes().get(0).opType(), "subgraphs nest two deep");
        assertArrayEquals(bytes, OnnxWriter.toBytes(back), "writing is deterministic");
    }

    /** The raw bytes the writer produces for small types, checked against hand-computed encodings. */
    @Test
    void rawEncodingsAreLittleEndianAtTheirWidth() {
        Map<String, Tensor> t = everyType(new Random(1));
        assertArrayEquals(new byte[] {(byte) 0x80, 0x00, 0x7F}, raw(t.get("i8")));
        assertArrayEquals(new byte[] {0x00, (byte) 0x80, (byte) 0xFF, 0x7F}, raw(t.get("i16")));
        // int4 [-8, 7, -1, 0, 3]: pairs (low nibble first) 0x78, 0x0F, 0x03.
        assertArrayEquals(new byte[] {0x78, 0x0F, 0x03}, raw(t.get("i4")));
        // float16 1.5 = 0x3E00, -0.0 = 0x8000, 65504 = 0x7BFF.
        byte[] h = raw(t.get("f16"));
        assertArrayEquals(new byte[] {0x00, 0x3E, 0x00, (byte) 0x80, (byte) 0xFF, 0x7B}, java.util.Arrays.copyOf(h, 6));
        // bfloat16 1.0 = 0x3F80; e4m3fn 448 = 0x7E; e5m2 57344 = 0x7B.
        assertArrayEquals(new byte[] {(byte) 0x80, 0x3F}, java.util.Arrays.copyOf(raw(t.get("bf16")), 2));
        assertEquals(0x7E, raw(t.get("e4m3"))[0]);
        assertEquals(0x7B, raw(t.get("e5m2"))[0]);
        assertArrayEquals(new byte[] {1, 0, 1}, raw(t.get("bool")));
    }

    private static byte[] raw(Tensor t) {
        return TensorCodec.encode("x", t).getRawData().toByteArray();
    }

    @Test
    void aValueNotRepresentableInFloat8IsRefusedOnWrite() {
        Tensor bad = Tensor.ofFloats(DataType.FLOAT8E4M3FN, new int[] {1}, new float[] {1.1f});
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> TensorCodec.encode("w", bad));
        assertTrue(e.getMessage().contains("'w'") && e.getMessage().contains("FLOAT8E4M3FN"), e.getMessage());
    }
}
