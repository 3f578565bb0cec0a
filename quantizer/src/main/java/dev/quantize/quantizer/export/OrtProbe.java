package dev.quantize.quantizer.export;

import dev.quantize.core.graph.Attribute;
import dev.quantize.core.graph.Dim;
import dev.quantize.core.graph.Graph;
import dev.quantize.core.graph.Model;
import dev.quantize.core.graph.Node;
import dev.quantize.core.graph.ValueInfo;
import dev.quantize.core.onnx.OnnxWriter;
import dev.quantize.core.oracle.OnnxRuntimeOracle;
import dev.quantize.core.tensor.DataType;
import dev.quantize.core.tensor.Tensor;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Predicate;

/**
 * Asks the bundled ONNX Runtime which export forms it can run: each form is tried on a one-node
 * model over a 4x2 tensor, and counts as runnable when ORT loads it, runs it and returns the values
 * the ONNX specification defines. {@link QdqForm#QDQ_MATMUL} is tried as a MatMul of two
 * QuantizeLinear/DequantizeLinear pairs, {@link QdqForm#QDQ_AFTER_RELU} as a pair after a Relu.
 */
public final class OrtProbe {
    /** Whether ORT runs a form; {@code detail} is the failure (or the wrong values) when it does not. */
    public record Support(QdqForm form, boolean runs, String detail) {
    }

    /**
     * A predicate for {@link QdqExporter.Options}: probes each form the first time it is asked about,
     * and keeps every answer, in the order asked, for the report.
     */
    public static final class Cache implements Predicate<QdqForm> {
        private final Map<QdqForm, Support> results = new LinkedHashMap<>();

        @Override
        public boolean test(QdqForm form) {
            return results.computeIfAbsent(form, f -> probe(List.of(f)).get(f)).runs();
        }

        public List<Support> results() {
            return List.copyOf(results.values());
        }
    }

    private static final int[] SHAPE = {4, 2};

    private OrtProbe() {
    }

    /** The version of the ONNX Runtime DJL loads, or "unknown". */
    public static String runtimeVersion() {
        try {
            return ai.djl.engine.Engine.getEngine("OnnxRuntime").getVersion();
        } catch (RuntimeException e) {
            return "unknown (" + e.getMessage() + ")";
        }
    }

    /** Tries every form; the result keeps the given order. */
    public static Map<QdqForm, Support> probe(Collection<QdqForm> forms) {
        Map<QdqForm, Support> out = new LinkedHashMap<>();
        try {
            Path dir = Files.createTempDirectory("quantize-ort-probe");
            try {
                for (QdqForm f : forms) {
                    out.putIfAbsent(f, probe(f, dir.resolve("probe" + out.size() + ".onnx")));
                }
            } finally {
                try (var files = Files.list(dir)) {
                    for (Path p : files.toList()) {
                        Files.deleteIfExists(p);
                    }
                }
                Files.deleteIfExists(dir);
            }
        } catch (IOException e) {
            throw new UncheckedIOException("cannot write the ONNX Runtime probe models: " + e.getMessage(), e);
        }
        return out;
    }

    private static Support probe(QdqForm form, Path file) throws IOException {
        Map<String, Tensor> inits = new LinkedHashMap<>();
        List<Node> nodes = new ArrayList<>();
        float[] expected = new float[8];
        float[] x = new float[8];
        boolean integer = form.type() != DataType.FLOAT8E4M3FN && form.type() != DataType.FLOAT8E5M2
                && form.type() != DataType.FLOAT16 && form.type() != DataType.BFLOAT16;
        // values every probed type holds exactly: integers in int4's range, or binary fractions
        float[] values = integer ? new float[] {1, -2, 3, -4, 5, -6, 7, -8} : new float[] {1, -2, 0.5f, 3, -0.25f, 4, 1.5f, -1};
        float[] scaleOf = new float[8];
        Tensor scale = switch (form.layout()) {
            case PER_TENSOR, CAST, SCALED_CAST -> Tensor.ofFloats(new int[0], new float[] {0.5f});
            case PER_AXIS -> Tensor.ofFloats(new int[] {2}, new float[] {0.5f, 0.25f});
            case BLOCKED -> Tensor.ofFloats(new int[] {2, 2}, new float[] {0.5f, 0.25f, 2f, 1f});
        };
        for (int i = 0; i < 8; i++) {
            scaleOf[i] = switch (form.layout()) {
                case PER_TENSOR, SCALED_CAST -> 0.5f;
                case CAST -> 1f;
                case PER_AXIS -> scale.floats()[i % 2];
                case BLOCKED -> scale.floats()[(i / 4) * 2 + i % 2]; // axis 0, blocks of 2 rows
            };
            expected[i] = values[i] * scaleOf[i];
        }
        Tensor stored = integer ? Tensor.ofLongs(form.type(), SHAPE, toLongs(values)) : Tensor.ofFloats(form.type(), SHAPE, values);
        Tensor zero = integer ? Tensor.ofLongs(form.type(), scale.shape(), new long[scale.floats().length])
                : Tensor.ofFloats(form.type(), scale.shape(), new float[scale.floats().length]);
        List<Attribute> attrs = new ArrayList<>();
        if (form.layout() == QdqForm.Layout.PER_AXIS) {
            attrs.add(Attribute.of("axis", 1L));
        } else if (form.layout() == QdqForm.Layout.BLOCKED) {
            attrs.add(Attribute.of("axis", 0L));
            attrs.add(Attribute.of("block_size", 2L));
        }
        int[] outShape = SHAPE;
        if (form.op().equals(QdqForm.QDQ_MATMUL)) {
            // y = QDQ(x) @ QDQ(x^T): the pattern ORT's optimizer fuses into an integer MatMul
            inits.put("s", scale);
            inits.put("z", zero);
            nodes.add(new Node("t", "Transpose", List.of("x"), List.of("xt"), List.of(Attribute.ofInts("perm", 1, 0))));
            nodes.add(new Node("q1", QdqForm.QUANTIZE, List.of("x", "s", "z"), List.of("q1"), List.of()));
            nodes.add(new Node("dq1", QdqForm.DEQUANTIZE, List.of("q1", "s", "z"), List.of("d1"), List.of()));
            nodes.add(new Node("q2", QdqForm.QUANTIZE, List.of("xt", "s", "z"), List.of("q2"), List.of()));
            nodes.add(new Node("dq2", QdqForm.DEQUANTIZE, List.of("q2", "s", "z"), List.of("d2"), List.of()));
            nodes.add(new Node("mm", "MatMul", List.of("d1", "d2"), List.of("y"), List.of()));
            x = expected.clone();
            expected = new float[16];
            for (int i = 0; i < 4; i++) {
                for (int j = 0; j < 4; j++) {
                    expected[i * 4 + j] = x[i * 2] * x[j * 2] + x[i * 2 + 1] * x[j * 2 + 1]; // exact: small binary fractions
                }
            }
            outShape = new int[] {4, 4};
        } else if (form.op().equals(QdqForm.QDQ_AFTER_RELU)) {
            inits.put("s", scale);
            inits.put("z", zero);
            nodes.add(new Node("relu", "Relu", List.of("x"), List.of("r"), List.of()));
            nodes.add(new Node("q", QdqForm.QUANTIZE, List.of("r", "s", "z"), List.of("low"), List.of()));
            nodes.add(new Node("dq", QdqForm.DEQUANTIZE, List.of("low", "s", "z"), List.of("y"), List.of()));
            x = expected.clone();
            for (int i = 0; i < 8; i++) {
                expected[i] = Math.max(0f, x[i]);
            }
        } else if (form.layout() == QdqForm.Layout.SCALED_CAST) {
            inits.put("s", scale);
            nodes.add(new Node("div", "Div", List.of("x", "s"), List.of("scaled"), List.of()));
            nodes.add(new Node("to_low", "Cast", List.of("scaled"), List.of("low"),
                    List.of(Attribute.of("to", (long) form.type().onnxCode()), Attribute.of("saturate", 1L))));
            nodes.add(new Node("to_float", "Cast", List.of("low"), List.of("back"), List.of(Attribute.of("to", (long) DataType.FLOAT32.onnxCode()))));
            nodes.add(new Node("mul", "Mul", List.of("back", "s"), List.of("y"), List.of()));
            x = expected.clone();
        } else if (form.layout() == QdqForm.Layout.CAST) {
            nodes.add(new Node("to_low", "Cast", List.of("x"), List.of("low"), List.of(Attribute.of("to", (long) form.type().onnxCode()))));
            nodes.add(new Node("to_float", "Cast", List.of("low"), List.of("y"), List.of(Attribute.of("to", (long) DataType.FLOAT32.onnxCode()))));
            x = expected.clone();
        } else if (form.op().equals(QdqForm.DEQUANTIZE)) {
            inits.put("q", stored);
            inits.put("s", scale);
            inits.put("z", zero);
            nodes.add(new Node("dq", QdqForm.DEQUANTIZE, List.of("q", "s", "z"), List.of("w"), attrs));
            nodes.add(new Node("add", "Add", List.of("x", "w"), List.of("y"), List.of()));
        } else {
            inits.put("s", scale);
            inits.put("z", zero);
            nodes.add(new Node("q", QdqForm.QUANTIZE, List.of("x", "s", "z"), List.of("low"), attrs));
            nodes.add(new Node("dq", QdqForm.DEQUANTIZE, List.of("low", "s", "z"), List.of("y"), attrs));
            x = expected.clone();
        }
        List<Dim> dims = List.of(Dim.of(4), Dim.of(2));
        Graph g = new Graph("probe", nodes, List.of(new ValueInfo("x", DataType.FLOAT32, dims)),
                List.of(new ValueInfo("y", DataType.FLOAT32, List.of(Dim.of(outShape[0]), Dim.of(outShape[1])))), inits, List.of());
        int opset = form.minOpset();
        OnnxWriter.write(new Model(opset >= 21 ? 10 : 9, Map.of("", (long) opset), "quantize", "", g, Map.of()), file);
        try (OnnxRuntimeOracle ort = OnnxRuntimeOracle.open(file, 1)) {
            float[] got = ort.run(Map.of("x", Tensor.ofFloats(SHAPE, x))).get("y").floats();
            for (int i = 0; i < expected.length; i++) {
                if (Float.floatToIntBits(got[i]) != Float.floatToIntBits(expected[i])) {
                    return new Support(form, false, "ran but returned " + got[i] + " for element " + i + ", expected " + expected[i]);
                }
            }
            return new Support(form, true, "");
        } catch (RuntimeException e) {
            return new Support(form, false, e.getMessage());
        }
    }

    private static long[] toLongs(float[] v) {
        long[] out = new long[v.length];
        for (int i = 0; i < v.length; i++) {
            out[i] = (long) v[i];
        }
        return out;
    }
}
