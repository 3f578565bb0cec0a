package dev.quantize.quantizer.export;

import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.quantize.core.graph.Dim;
import dev.quantize.core.graph.Graph;
import dev.quantize.core.graph.Model;
import dev.quantize.core.graph.Node;
import dev.quantize.core.graph.ValueInfo;
import dev.quantize.core.onnx.OnnxWriter;
import dev.quantize.core.oracle.OnnxRuntimeOracle;
import dev.quantize.core.tensor.DataType;
import dev.quantize.core.tensor.Tensor;
import dev.quantize.quantizer.emulate.FakeQuantizer;
import dev.quantize.quantizer.emulate.LayerAxes;
import dev.quantize.quantizer.plan.ActivationRange;
import dev.quantize.core.kernel.Parallelism;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Random;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/** The exported activation forms (QuantizeLinear pairs, scaled casts, casts), run in ORT on seeded random values, against FakeQuantizer's emulation element by element. */
class ActivationFormTest {
    @TempDir
    Path tmp;

    @ParameterizedTest
    @CsvSource({"int8_per_tensor,false", "int8_per_tensor_affine,false", "fp8_e4m3,false", "fp8_e5m2,false",
            "fp8_e4m3,true", "fp8_e5m2,true", "fp16,false", "bf16,false"})
    void activationFormMatchesEmulation(String format, boolean scaledCast) throws Exception {
        Random rnd = new Random(42);
        int n = 4096;
        float[] x = new float[n];
        for (int i = 0; i < n; i++) {
            x[i] = (float) (rnd.nextGaussian() * Math.exp(rnd.nextGaussian() * 2));
        }
        ActivationRange range = new ActivationRange(-3f, 2.5f); // values beyond it saturate
        QdqActivation a = QdqActivation.of(format, range);
        if (scaledCast) {
            a = a.asScaledCast();
        }
        float[] got = run(a, x);
        Node mm = new Node("mm", "MatMul", List.of("x", "w"), List.of("y"), List.of());
        float[] want = new FakeQuantizer(format).apply(Tensor.ofFloats(new int[] {1, n}, x), LayerAxes.activation(mm, 0, 2), range,
                Parallelism.single()).floats();
        int differ = 0;
        String first = "";
        boolean symmetricInt8 = format.equals("int8_per_tensor");
        float step = symmetricInt8 ? a.scale().floats()[0] : 0;
        for (int i = 0; i < n; i++) {
            if (symmetricInt8 && x[i] / step < -127.5f) {
                // ONNX saturates at -128, the symmetric grid here at -127: one step apart, by definition
                assertEquals(-128 * step, got[i], 0f);
                assertEquals(-127 * step, want[i], 0f);
                continue;
            }
            if (Float.floatToIntBits(got[i]) != Float.floatToIntBits(want[i])) {
                if (differ++ == 0) {
                    first = "x=" + x[i] + " ORT " + got[i] + " emulation " + want[i];
                }
            }
        }
        System.out.println(format + (scaledCast ? " (scaled cast)" : "") + ": " + differ + " of " + n + " differ " + first);
        assertEquals(0, differ, first);
    }

    private float[] run(QdqActivation a, float[] x) throws IOException {
        // the exporter's own node builder, on a one-MatMul-input graph: y = pair(x)
        List<Node> nodes = new ArrayList<>();
        Map<String, Tensor> inits = new java.util.LinkedHashMap<>();
        java.util.Set<String> names = new java.util.HashSet<>(List.of("x", "y"));
        Node consumer = new Node("consumer", "Identity", List.of("x"), List.of("y"), List.of());
        String out = QdqExporter.addActivationForTest(consumer, 0, "x", a, inits, names, nodes);
        nodes.add(new Node("consumer", "Identity", List.of(out), List.of("y"), List.of()));
        List<Dim> dims = List.of(Dim.of(1), Dim.of(x.length));
        Graph g = new Graph("t", nodes, List.of(new ValueInfo("x", DataType.FLOAT32, dims)),
                List.of(new ValueInfo("y", DataType.FLOAT32, dims)), inits, List.of());
        Path file = tmp.resolve("a.onnx");
        OnnxWriter.write(new Model(9, Map.of("", 19L), "test", "", g, Map.of()), file);
        try (OnnxRuntimeOracle ort = OnnxRuntimeOracle.open(file, 1)) {
            return ort.run(Map.of("x", Tensor.ofFloats(new int[] {1, x.length}, x))).get("y").floats();
        }
    }
}
