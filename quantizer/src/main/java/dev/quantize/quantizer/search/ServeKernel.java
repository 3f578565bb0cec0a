package dev.quantize.quantizer.search;

import dev.quantize.core.format.FormatRegistry;
import dev.quantize.core.format.RowwiseFormat;
import dev.quantize.core.graph.Model;
import dev.quantize.core.graph.ModelSummary;
import dev.quantize.core.graph.Node;
import dev.quantize.core.tensor.DataType;
import dev.quantize.core.tensor.Tensor;
import dev.quantize.quantizer.plan.LayerPlan;
import dev.quantize.quantizer.serve.KernelRules;

/**
 * What will run a layer of a plan when its artifact is served packed, predicted from the FP32 model
 * and the layer's plan with the rules of {@code serve.PackedRewrite} (the format and attribute rules are
 * {@link KernelRules}, shared with it; docs/serving.md, "What runs
 * each layer"); {@code ServeKernelTest} checks the prediction against the rewrite on real artifacts.
 * An activation format other than static INT8 adds a FakeQuantize pass in front of any kernel but
 * {@link #INT8_GEMM} and {@link #ROWWISE_BAG}.
 */
public enum ServeKernel {
    /** FP32 weights (or none): the executor's float kernel. */
    FLOAT,
    /** An int8 weight and a static per-tensor int8 activation: {@code Int8Gemm}. */
    INT8_GEMM,
    /** Any other packed Gemm/MatMul weight: {@code DecodingGemm}, weight decoded a panel at a time. */
    DECODING_GEMM,
    /** A row-wise packed table: {@code RowwiseEmbeddingBag} over the mapped rows. */
    ROWWISE_BAG,
    /** A packed weight no packed kernel takes (Conv, a non-row-wise table, unusual attributes): decoded to FP32 at load, float kernel. */
    DECODED_AT_LOAD;

    /** The kernel of {@code layer} (a layer of a plan for {@code model}). */
    public static ServeKernel of(Model model, LayerPlan layer) {
        Node n = model.graph().nodesByDisplayName().get(layer.node());
        if (n == null) {
            throw new IllegalArgumentException("layer '" + layer.node() + "' is no node of the model");
        }
        if (layer.weight().isEmpty() || layer.weightFormat().equals(LayerPlan.FP32)) {
            return FLOAT;
        }
        Tensor w = model.graph().initializers().get(layer.weight());
        if (w == null || w.rank() != 2) {
            return DECODED_AT_LOAD;
        }
        if (layer.role() == ModelSummary.Role.EMBEDDING) {
            boolean lookup = n.opType().equals("Gather") && n.intAttr("axis", 0) == 0 && n.input(0).equals(layer.weight())
                    && layer.activationFormat().equals(LayerPlan.FP32);
            return lookup && FormatRegistry.parse(layer.weightFormat()) instanceof RowwiseFormat ? ROWWISE_BAG : DECODED_AT_LOAD;
        }
        if (layer.role() != ModelSummary.Role.WEIGHTS_AND_ACTIVATIONS || !gemmLike(model, n, layer.weight(), w)) {
            return DECODED_AT_LOAD;
        }
        return KernelRules.staticInt8(layer) ? INT8_GEMM : DECODING_GEMM;
    }

    /** Whether the activation format is quantized on the float path in front of the kernel (a FakeQuantize node). */
    public static boolean fakeQuantizedActivations(ServeKernel kernel, LayerPlan layer) {
        return kernel != INT8_GEMM && kernel != ROWWISE_BAG && !layer.activationFormat().equals(LayerPlan.FP32);
    }

    /** A Gemm (no transA, alpha 1, beta 1 or no bias, bias a constant vector) or MatMul by the 2-D weight as input 1. */
    private static boolean gemmLike(Model model, Node n, String weight, Tensor w) {
        boolean gemm = n.opType().equals("Gemm");
        if (!(gemm || n.opType().equals("MatMul")) || !n.input(1).equals(weight) || !KernelRules.plainGemmAttributes(n)) {
            return false;
        }
        if (!gemm || n.input(2).isEmpty()) {
            return true;
        }
        int outputs = n.intAttr("transB", 0) != 0 ? w.shape()[0] : w.shape()[1];
        Tensor b = model.graph().initializers().get(n.input(2));
        return b != null && b.type() == DataType.FLOAT32 && b.size() == outputs
                && (b.rank() == 1 || (b.rank() == 2 && b.shape()[0] == 1));
    }
}
