package dev.quantize.quantizer.export;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.quantize.core.graph.Attribute;
import dev.quantize.core.graph.Dim;
import dev.quantize.core.graph.Graph;
import dev.quantize.core.graph.Model;
import dev.quantize.core.graph.Node;
import dev.quantize.core.graph.ValueInfo;
import dev.quantize.core.onnx.OnnxReader;
import dev.quantize.core.onnx.OnnxWriter;
import dev.quantize.core.oracle.OnnxRuntimeOracle;
import dev.quantize.core.tensor.DataType;
import dev.quantize.core.tensor.Shape;
import dev.quantize.core.tensor.Tensor;
import dev.quantize.quantizer.emulate.FakeQuantizer;
import dev.quantize.quantizer.emulate.LayerAxes;
import dev.quantize.quantizer.plan.QuantPlan;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Random;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** Each weight format's ONNX form, dequantized by the ONNX formula here and by ORT, equals the emulated weight bit for bit. */
class QdqWeightTest {
    @TempDir
    Path tmp;

    /** A Gemm y = x @ W + b with W (37, 19): odd sizes so blocks and groups end short. */
    static Model gemm(float[] w) {
        Map<String, Tensor> inits = new java.util.LinkedHashMap<>();
        inits.put("W", Tensor.ofFloats(new int[] {37, 19}, w));
        inits.put("b", Tensor.ofFloats(new int[] {19}, new float[19]));
        Node n = new Node("gemm", "Gemm", List.of("x", "W", "b"), List.of("y"), List.of(Attribute.of("alpha", 1f)));
        Graph g = new Graph("g", List.of(n), List.of(new ValueInfo("x", DataType.FLOAT32, List.of(Dim.symbolic("batch"), Dim.of(37)))),
                List.of(new ValueInfo("y", DataType.FLOAT32, List.of(Dim.symbolic("batch"), Dim.of(19)))), inits, List.of());
        return new Model(8, Map.of("", 13L), "test", "", g, Map.of());
    }

    static float[] weights(long seed) {
        Random rnd = new Random(seed);
        float[] w = new float[37 * 19];
        for (int i = 0; i < w.length; i++) {
            w[i] = (float) (rnd.nextGaussian() * Math.exp(rnd.nextGaussian()) * 0.1);
        }
        return w;
    }

    /** DequantizeLinear as ONNX defines it, computed here: y = (q - z) * s with the scale of the element's channel or block. */
    static float[] dequantize(QdqWeight q) {
        int[] shape = q.quantized().shape();
        int n = Shape.size(shape);
        float[] values = q.quantized().type().storage() == DataType.Storage.LONG ? toFloats(q.quantized().longs()) : q.quantized().floats();
        if (q.scale() == null) {
            return values.clone();
        }
        float[] s = q.scale().floats();
        long[] z = q.zeroPoint() == null || q.zeroPoint().type().storage() != DataType.Storage.LONG ? new long[s.length] : q.zeroPoint().longs();
        float[] y = new float[n];
        int inner = Shape.inner(shape, q.axis());
        int dim = shape.length == 0 ? 1 : shape[q.axis()];
        for (int i = 0; i < n; i++) {
            int c = switch (q.form().layout()) {
                case PER_TENSOR -> 0;
                case PER_AXIS -> (i / inner) % dim;
                default -> {
                    int o = i / (inner * dim);
                    int j = (i / inner) % dim;
                    int blocks = (dim + q.blockSize() - 1) / q.blockSize();
                    yield (o * blocks + j / q.blockSize()) * inner + i % inner;
                }
            };
            y[i] = (values[i] - z[c]) * s[c];
        }
        return y;
    }

    private static float[] toFloats(long[] v) {
        float[] f = new float[v.length];
        for (int i = 0; i < v.length; i++) {
            f[i] = v[i];
        }
        return f;
    }

    @ParameterizedTest
    @ValueSource(strings = {"int8_per_tensor", "int8_per_tensor_affine", "int8_per_channel", "int8_per_channel_affine",
            "int4_per_group", "int4_per_group:g8", "fp8_e4m3", "fp8_e5m2", "fp16", "bf16", "mxfp8_e4m3", "mxfp8_e5m2",
            "mxfp6_e3m2", "mxfp6_e2m3", "mxfp4_e2m1", "mxint8", "mxfp4_e2m1:k16"})
    void formIsExactHereAndInOrt(String format) throws Exception {
        Model model = gemm(weights(format.hashCode()));
        Node gemm = model.graph().nodes().get(0);
        Tensor w = model.graph().initializers().get("W");
        FakeQuantizer fq = new FakeQuantizer(format);
        FakeQuantizer.Packed packed = fq.pack(w, LayerAxes.weight(gemm, 1, 2));
        float[] want = fq.unpack(packed).floats();
        QdqWeight q = QdqWeight.of(packed).orElseThrow();
        assertArrayEquals(want, dequantize(q), 0f, format + " by the ONNX formula");

        QuantPlan plan = QuantPlan.uniform(model, format, "fp32", Map.of());
        ExportResult r = QdqExporter.export(model, plan, name -> packed, QdqExporter.Options.defaults());
        assertEquals(q.form().minOpset() > 13 ? q.form().minOpset() : 13, r.model().opset());
        assertTrue(r.fallbacks().isEmpty(), r.fallbacks().toString());
        Path file = tmp.resolve("m.onnx");
        OnnxWriter.write(r.model(), file);
        assertEquals(r.model().graph().nodes().size(), OnnxReader.read(file).graph().nodes().size());
        // x = identity rows: y = W exactly (b = 0, one product per sum)
        float[] eye = new float[37 * 37];
        for (int i = 0; i < 37; i++) {
            eye[i * 37 + i] = 1f;
        }
        try (OnnxRuntimeOracle ort = OnnxRuntimeOracle.open(file, 1)) {
            float[] got = ort.run(Map.of("x", Tensor.ofFloats(new int[] {37, 37}, eye))).get("y").floats();
            for (int i = 0; i < want.length; i++) {
                float expected = want[i] + 0f; // -0 * 1 + 0 sums to +0
                assertEquals(Float.floatToIntBits(expected), Float.floatToIntBits(got[i]), format + " element " + i + ": ORT " + got[i] + " emulation " + want[i]);
            }
        }
    }
}
