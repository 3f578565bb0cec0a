package dev.quantize.samples.mlp;

import dev.quantize.core.graph.Attribute;
import dev.quantize.core.graph.Model;
import dev.quantize.core.tensor.DataType;
import dev.quantize.core.tensor.Tensor;
import dev.quantize.samples.GraphBuilder;
import dev.quantize.samples.train.Param;
import java.util.List;
import java.util.Map;

/**
 * The trained MLP as an ONNX graph: Gemm, LayerNormalization, GELU written out with Erf
 * (x * 0.5 * (1 + erf(x / sqrt 2))), twice, then the classifier Gemm.
 */
final class MlpOnnx {
    static final String INPUT = "features";
    static final String OUTPUT = "logits";

    private MlpOnnx() {
    }

    static Model export(Mlp m, Map<String, String> metadata) {
        GraphBuilder g = new GraphBuilder("mlp");
        String x = g.input(INPUT, DataType.FLOAT32, MixtureWorld.FEATURES);
        g.output(OUTPUT, DataType.FLOAT32, MixtureWorld.CLASSES);
        g.constant("sqrt2", Tensor.scalar((float) StrictMath.sqrt(2)));
        g.constant("one", Tensor.scalar(1f));
        g.constant("half", Tensor.scalar(0.5f));
        x = g.gemm("fc1", x, m.w1.shape, m.w1.value, m.b1.value);
        x = layerNorm(g, "ln1", x, m.gain1, m.bias1);
        x = gelu(g, "act1", x);
        x = g.gemm("fc2", x, m.w2.shape, m.w2.value, m.b2.value);
        x = layerNorm(g, "ln2", x, m.gain2, m.bias2);
        x = gelu(g, "act2", x);
        String w = g.floats("fc3.weight", m.w3.shape, m.w3.value);
        String b = g.floats("fc3.bias", m.b3.shape, m.b3.value);
        g.node("fc3", "Gemm", List.of(x, w, b), OUTPUT, Attribute.of("transB", 1L));
        return g.build(metadata);
    }

    private static String layerNorm(GraphBuilder g, String name, String x, Param gain, Param bias) {
        String scale = g.floats(name + ".weight", gain.shape, gain.value);
        String shift = g.floats(name + ".bias", bias.shape, bias.value);
        return g.node(name, "LayerNormalization", List.of(x, scale, shift), Attribute.of("axis", -1L),
                Attribute.of("epsilon", Mlp.LN_EPSILON));
    }

    private static String gelu(GraphBuilder g, String name, String x) {
        String scaled = g.node(name + ".div", "Div", List.of(x, "sqrt2"));
        String erf = g.node(name + ".erf", "Erf", List.of(scaled));
        String plusOne = g.node(name + ".add", "Add", List.of(erf, "one"));
        String times = g.node(name + ".mul", "Mul", List.of(x, plusOne));
        return g.node(name + ".half", "Mul", List.of(times, "half"));
    }
}
