package dev.quantize.quantizer.artifact;

import dev.quantize.quantizer.SharedData;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.quantize.core.data.BatchReader;
import dev.quantize.core.data.Dataset;
import dev.quantize.core.data.DatasetBinding;
import dev.quantize.core.data.Datasets;
import dev.quantize.core.exec.Executor;
import dev.quantize.core.format.FormatRegistry;
import dev.quantize.core.graph.Attribute;
import dev.quantize.core.graph.Graph;
import dev.quantize.core.graph.Model;
import dev.quantize.core.graph.ModelSummary;
import dev.quantize.core.graph.Node;
import dev.quantize.core.graph.ValueInfo;
import dev.quantize.core.kernel.Parallelism;
import dev.quantize.core.onnx.OnnxReader;
import dev.quantize.core.tensor.DataType;
import dev.quantize.core.tensor.Tensor;
import dev.quantize.quantizer.emulate.FakeQuantizer;
import dev.quantize.quantizer.emulate.LayerAxes;
import dev.quantize.quantizer.emulate.PlanInterceptor;
import dev.quantize.quantizer.plan.ActivationRange;
import dev.quantize.quantizer.plan.LayerPlan;
import dev.quantize.quantizer.plan.QuantPlan;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.MappedByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ArtifactRoundTripTest {
    @TempDir
    Path tmp;

    static Path shared() {
        return SharedData.root();
    }

    /** The first {@code rows} eval rows of a shared model, fed as the model's inputs. */
    static Map<String, Tensor> evalRows(Path dir, Model model, int rows) {
        try (Dataset ds = Datasets.open(dir.resolve("eval")); BatchReader r = ds.batches(rows)) {
            return DatasetBinding.bind(ds, model.graph().runtimeInputs()).feed(r.next());
        }
    }

    /** A calibrated-looking range per layer: from the layer index, so static scales differ between layers. */
    static Map<String, ActivationRange> ranges(Model model) {
        Map<String, ActivationRange> out = new LinkedHashMap<>();
        int i = 0;
        for (ModelSummary.QuantizableNode q : ModelSummary.of(model).quantizable()) {
            out.put(q.node(), new ActivationRange(-1.5f - i, 3.25f + 2 * i));
            i++;
        }
        return out;
    }

    /**
     * Outputs of the FP32 model with the plan emulated (weights and activations), and of the
     * artifact's emulation model with activations only: identical bit for bit.
     */
    private void assertArtifactReproducesEmulation(Path dir, String label, QuantPlan plan, int rows) throws IOException {
        byte[] bytes = Files.readAllBytes(dir.resolve("model.onnx"));
        Model model = OnnxReader.read(bytes, "model.onnx", dir);
        Path out = tmp.resolve(label + ".qz");
        ArtifactWriter.write(out, model, bytes, "model.onnx", plan, null, null, "test");
        Map<String, Tensor> in = evalRows(dir, model, rows);
        Parallelism par = Parallelism.of(2);
        Executor emulated = Executor.builder(model).parallelism(par).interceptor(new PlanInterceptor(model, plan, par)).build();
        Map<String, Tensor> want = emulated.run(in);
        try (Artifact a = Artifact.open(out)) {
            assertEquals(plan, a.plan(), label);
            Model m = a.emulationModel();
            assertEquals(model.graph().initializers().keySet(), m.graph().initializers().keySet(), label);
            Executor fromArtifact = Executor.builder(m).parallelism(par)
                    .interceptor(new PlanInterceptor(m, a.plan(), par, false)).build();
            Map<String, Tensor> got = fromArtifact.run(in);
            Executor fp32 = Executor.builder(model).parallelism(par).build();
            Map<String, Tensor> ref = fp32.run(in);
            for (ValueInfo o : model.graph().outputs()) {
                float[] w = want.get(o.name()).floats();
                float[] g = got.get(o.name()).floats();
                assertEquals(w.length, g.length);
                for (int i = 0; i < w.length; i++) {
                    assertEquals(Float.floatToIntBits(w[i]), Float.floatToIntBits(g[i]), label + " output " + o.name() + "[" + i + "]");
                }
                assertFalse(java.util.Arrays.equals(w, ref.get(o.name()).floats()), label + ": the plan changes the output at all");
            }
        }
    }

    @Test
    void mlpArtifactsReproduceTheEmulatedModelExactly() throws IOException {
        Path dir = shared().resolve("models/mlp_tabular");
        Model model = OnnxReader.read(dir.resolve("model.onnx"));
        Map<String, ActivationRange> r = ranges(model);
        assertArtifactReproducesEmulation(dir, "int8", QuantPlan.uniform(model, "int8_per_channel", "int8_per_tensor", r), 512);
        assertArtifactReproducesEmulation(dir, "mxfp4", QuantPlan.uniform(model, "mxfp4_e2m1", "mxfp4_e2m1", Map.of()), 512);
        assertArtifactReproducesEmulation(dir, "mxfp8", QuantPlan.uniform(model, "mxfp8_e4m3", "mxfp8_e4m3", Map.of()), 512);
        assertArtifactReproducesEmulation(dir, "fp8", QuantPlan.uniform(model, "fp8_e4m3", "fp8_e4m3", r), 512);
        QuantPlan mixed = QuantPlan.uniform(model, "int4_per_group", "fp16", Map.of());
        List<String> formats = List.of("mx9", "bf16", "int8_per_channel_affine");
        int i = 0;
        for (LayerPlan l : mixed.layers()) {
            if (!l.weight().isEmpty()) {
                mixed = mixed.with(l.withWeightFormat(formats.get(i++ % formats.size())));
            }
        }
        assertArtifactReproducesEmulation(dir, "mixed", mixed, 512);
    }

    @Test
    void dlrmArtifactsReproduceTheEmulatedModelExactly() throws IOException {
        Path dir = shared().resolve("models/dlrm_small");
        Model model = OnnxReader.read(dir.resolve("model.onnx"));
        assertArtifactReproducesEmulation(dir, "rowwise4-int8", rowwise4Int8(model), 1024);
        assertArtifactReproducesEmulation(dir, "mxfp4", QuantPlan.uniform(model, "mxfp4_e2m1", "mxfp4_e2m1", Map.of()), 1024);
        QuantPlan mixed = QuantPlan.uniform(model, "fp8_e4m3", "mxfp8_e4m3", Map.of());
        List<String> tables = List.of("rowwise_8bit", "rowwise_2bit", "fp16", "mxfp6_e2m3");
        int i = 0;
        for (LayerPlan l : mixed.layers()) {
            if (l.role() == ModelSummary.Role.EMBEDDING) {
                mixed = mixed.with(l.withWeightFormat(tables.get(i++ % tables.size())));
            }
        }
        assertArtifactReproducesEmulation(dir, "mixed", mixed, 1024);
    }

    /** DLRM with 4-bit row-wise tables and INT8 layers (static activation ranges). */
    static QuantPlan rowwise4Int8(Model model) {
        return QuantPlan.uniform(model, "rowwise_4bit", "fp32", Map.of()).map(l ->
                l.role() == ModelSummary.Role.WEIGHTS_AND_ACTIVATIONS
                        ? l.withWeightFormat("int8_per_channel").withActivationFormat("int8_per_tensor")
                        .withActivationRange(new ActivationRange(-8f, 8f))
                        : l);
    }

    @Test
    void sameInputsGiveTheSameBytesAndEverythingStoredComesBack() throws IOException {
        Path dir = shared().resolve("models/dlrm_small");
        byte[] bytes = Files.readAllBytes(dir.resolve("model.onnx"));
        Model model = OnnxReader.read(bytes, "model.onnx", dir);
        QuantPlan plan = rowwise4Int8(model);
        String calib = "{\"observer\": \"minmax\", \"layers\": {\"a\": [0.5, 1e-7]}}";
        String report = "{\"budget\":\"ne+0.1%\",\"metric\":{\"ne\":0.8123456789012345}}\n";
        Path a = tmp.resolve("a.qz");
        Path b = tmp.resolve("b.qz");
        ArtifactWriter.write(a, model, bytes, "model.onnx", plan, calib, report, "quantize 0.1.0");
        // A second, separately read copy of the model: nothing may depend on object identity or hashing order.
        Model again = OnnxReader.read(dir.resolve("model.onnx"));
        ArtifactWriter.write(b, again, bytes, "model.onnx", plan, calib, report, "quantize 0.1.0");
        assertArrayEquals(Files.readAllBytes(a), Files.readAllBytes(b));
        try (Artifact art = Artifact.open(a)) {
            assertEquals(1, art.formatVersion());
            String sha = HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(bytes));
            assertEquals(new Provenance("quantize 0.1.0", "model.onnx", sha), art.provenance());
            assertEquals(calib, art.calibrationJson().orElseThrow());
            assertEquals(report, art.reportJson().orElseThrow());
            assertEquals(plan, art.plan());
            assertEquals(Files.size(a), art.fileLength());
            for (TensorEntry t : art.tensors()) {
                assertEquals(0, t.offset() % 64, t.name());
                Tensor original = model.graph().initializers().get(t.name());
                assertArrayEquals(original.shape(), t.shape(), t.name());
                ByteBuffer view = art.packedTensor(t.name());
                assertEquals(t.length(), view.remaining(), t.name());
                if (t.storage() instanceof TensorEntry.Raw && original.type() == DataType.FLOAT32) {
                    assertArrayEquals(original.floats(), art.value(t.name()).floats(), t.name() + " raw values come back exactly");
                } else if (t.storage() instanceof TensorEntry.Raw) {
                    assertArrayEquals(original.longs(), art.value(t.name()).longs(), t.name() + " raw values come back exactly");
                }
            }
            TensorEntry table = art.tensor("emb_bags.1.emb.weight");
            assertEquals(new TensorEntry.Packed("rowwise_4bit", 1, 1f), table.storage());
            assertTrue(art.packedTensor(table.name()).isReadOnly());
        } catch (java.security.NoSuchAlgorithmException e) {
            throw new AssertionError(e);
        }
        ArtifactWriter.write(b, model, bytes, "model.onnx", plan, null, report, "quantize 0.1.0");
        assertFalse(java.util.Arrays.equals(Files.readAllBytes(a), Files.readAllBytes(b)), "the calibration statistics are part of the file");
        try (Artifact art = Artifact.open(b)) {
            assertTrue(art.calibrationJson().isEmpty());
        }
    }

    /** The file is Σ packed bytes + raw bytes, plus the manifest, the graph and at most 63 bytes of padding per tensor. */
    @Test
    void sizeIsThePackedBytesPlusManifestAndGraph() throws IOException {
        Path dir = shared().resolve("models/dlrm_small");
        byte[] bytes = Files.readAllBytes(dir.resolve("model.onnx"));
        Model model = OnnxReader.read(bytes, "model.onnx", dir);
        QuantPlan plan = rowwise4Int8(model);
        Path out = tmp.resolve("dlrm.qz");
        ArtifactWriter.write(out, model, bytes, "model.onnx", plan, null, null, "test");
        // Expected tensor bytes from the formats' own size rules and the raw element widths.
        long packed = 0;
        long nominal = 0;
        long raw = 0;
        Map<String, LayerPlan> layerOf = new LinkedHashMap<>();
        for (LayerPlan l : plan.layers()) {
            if (!l.weightFormat().equals(LayerPlan.FP32)) {
                layerOf.put(l.weight(), l);
            }
        }
        for (Map.Entry<String, Tensor> e : model.graph().initializers().entrySet()) {
            Tensor t = e.getValue();
            LayerPlan l = layerOf.get(e.getKey());
            if (l == null) {
                raw += (long) t.size() * t.type().byteSize();
            } else {
                Node n = model.graph().nodes().stream().filter(x -> x.displayName().equals(l.node())).findFirst().orElseThrow();
                LayerAxes axes = LayerAxes.weight(n, n.inputs().indexOf(l.weight()), t.rank());
                packed += new FakeQuantizer(l.weightFormat()).packedBytes(t.shape(), axes);
                nominal += (long) Math.ceil(FormatRegistry.parse(l.weightFormat()).bitsPerElement() * t.size() / 8);
            }
        }
        long file = Files.size(out);
        try (Artifact a = Artifact.open(out)) {
            long stored = a.tensors().stream().mapToLong(TensorEntry::length).sum();
            long overhead = file - stored;
            System.out.printf("dlrm_small artifact (rowwise_4bit tables, int8 layers): %,d bytes = packed %,d + raw %,d"
                            + " + header/manifest/graph/padding %,d; nominal bits/element x elements %,d; FP32 model %,d bytes%n",
                    file, packed, raw, overhead, nominal, bytes.length);
            assertEquals(packed + raw, stored, "tensor bytes are exactly the packed sizes plus the raw sizes");
            assertTrue(overhead < 0.02 * file + 16 * 1024, "header, manifest, graph and padding are small: " + overhead);
            // Row-wise bits/element assume 64 columns; these tables have 16, so the fp16 scale and bias
            // cost 2 bits/element instead of 0.5: the packed tables are 6/4.5 of the nominal figure.
            assertTrue(packed > nominal && packed < nominal * 1.4, packed + " vs nominal " + nominal);
            assertTrue(file < bytes.length / 5, "4-bit tables make the file a fraction of the FP32 model");
        }
    }

    /** Raw initializers of every supported type come back exactly; strings stay inside the graph. */
    @Test
    void rawInitializersOfEveryTypeRoundTrip() throws IOException {
        Map<String, Tensor> inits = new LinkedHashMap<>();
        inits.put("f64", Tensor.ofDoubles(new int[] {3}, new double[] {1e-300, -2.5, Double.NaN}));
        inits.put("f16", Tensor.ofFloats(DataType.FLOAT16, new int[] {2}, new float[] {0.099975586f, -65504f}));
        inits.put("bf16", Tensor.ofFloats(DataType.BFLOAT16, new int[] {2}, new float[] {1.5f, -3.0517578E-5f}));
        inits.put("i8", Tensor.ofLongs(DataType.INT8, new int[] {2}, new long[] {-128, 127}));
        inits.put("u8", Tensor.ofLongs(DataType.UINT8, new int[] {2}, new long[] {0, 255}));
        inits.put("i16", Tensor.ofLongs(DataType.INT16, new int[] {2}, new long[] {-32768, 5}));
        inits.put("u16", Tensor.ofLongs(DataType.UINT16, new int[] {1}, new long[] {65535}));
        inits.put("i32", Tensor.ofLongs(DataType.INT32, new int[] {2}, new long[] {Integer.MIN_VALUE, 7}));
        inits.put("u32", Tensor.ofLongs(DataType.UINT32, new int[] {1}, new long[] {4294967295L}));
        inits.put("i64", Tensor.ofLongs(new int[] {2, 1}, new long[] {Long.MIN_VALUE, Long.MAX_VALUE}));
        inits.put("u64", Tensor.ofLongs(DataType.UINT64, new int[] {1}, new long[] {-1L}));
        inits.put("bool", Tensor.ofLongs(DataType.BOOL, new int[] {3}, new long[] {1, 0, 1}));
        inits.put("empty", Tensor.ofFloats(new int[] {0, 4}, new float[0]));
        inits.put("str", Tensor.ofStrings(new int[] {2}, new String[] {"a", "ü"}));
        Graph g = new Graph("g", List.of(new Node("id", "Identity", List.of("x"), List.of("y"), List.<Attribute>of())),
                List.of(new ValueInfo("x", DataType.FLOAT32, null)), List.of(new ValueInfo("y", DataType.FLOAT32, null)),
                inits, List.of());
        Model model = new Model(8, Map.of("", 13L), "test", "", g, Map.of());
        Path out = tmp.resolve("raw.qz");
        ArtifactWriter.write(out, model, new byte[] {1, 2, 3}, new QuantPlan(List.of()), null, null, "t");
        try (Artifact a = Artifact.open(out)) {
            assertEquals(inits.size() - 1, a.tensors().size(), "all but the string tensor are in the tensor section");
            Map<String, Tensor> back = a.emulationModel().graph().initializers();
            for (Map.Entry<String, Tensor> e : inits.entrySet()) {
                Tensor want = e.getValue();
                Tensor got = back.get(e.getKey());
                assertEquals(want.type(), got.type(), e.getKey());
                assertArrayEquals(want.shape(), got.shape(), e.getKey());
                switch (want.type().storage()) {
                    case FLOAT -> assertArrayEquals(want.floats(), got.floats(), e.getKey());
                    case DOUBLE -> assertArrayEquals(want.doubles(), got.doubles(), e.getKey());
                    case LONG -> assertArrayEquals(want.longs(), got.longs(), e.getKey());
                    case STRING -> assertArrayEquals(want.strings(), got.strings(), e.getKey());
                }
            }
            assertEquals(1, a.packedTensor("i64").order() == java.nio.ByteOrder.LITTLE_ENDIAN ? 1 : 0);
            assertEquals(Long.MIN_VALUE, a.packedTensor("i64").getLong(0));
            assertTrue(a.packedTensor("f64") instanceof MappedByteBuffer || a.packedTensor("f64").isDirect(),
                    "views of the mapping, not copies");
        }
    }

    /** A weight that another node reads unquantized cannot be stored once; the writer says so. */
    @Test
    void weightsThatNeedTwoCopiesAreRefused() {
        Tensor w = Tensor.ofFloats(new int[] {4, 4}, new float[16]);
        Graph g = new Graph("g", List.of(
                new Node("mm", "MatMul", List.of("x", "w"), List.of("y"), List.<Attribute>of()),
                new Node("add", "Add", List.of("y", "w"), List.of("z"), List.<Attribute>of())),
                List.of(new ValueInfo("x", DataType.FLOAT32, null)), List.of(new ValueInfo("z", DataType.FLOAT32, null)),
                Map.of("w", w), List.of());
        Model model = new Model(8, Map.of("", 13L), "test", "", g, Map.of());
        QuantPlan plan = new QuantPlan(List.of(new LayerPlan("mm", "MatMul", ModelSummary.Role.WEIGHTS_AND_ACTIVATIONS,
                "w", "mxfp4_e2m1", "fp32", null)));
        Path out = tmp.resolve("tied.qz");
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> ArtifactWriter.write(out, model, new byte[0], plan, null, null, "t"));
        assertEquals("weight 'w' is quantized for layer 'mm' but node 'add' also reads it unquantized; "
                + "an artifact stores one copy of each weight", e.getMessage());
        assertFalse(Files.exists(out));
    }
}
