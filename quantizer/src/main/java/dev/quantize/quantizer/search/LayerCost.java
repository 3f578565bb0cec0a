package dev.quantize.quantizer.search;

import dev.quantize.core.graph.Model;
import dev.quantize.core.graph.Node;
import dev.quantize.core.tensor.Tensor;
import dev.quantize.quantizer.emulate.FakeQuantizer;
import dev.quantize.quantizer.emulate.LayerAxes;
import dev.quantize.quantizer.plan.LayerPlan;
import dev.quantize.quantizer.plan.QuantPlan;

/** The cost of a plan: bytes of its weights as stored (packed formats at their exact packed size). */
public final class LayerCost {
    private LayerCost() {
    }

    /** Bytes of one layer's weight in the layer's weight format (0 without a weight). */
    public static long weightBytes(Model model, LayerPlan layer) {
        if (layer.weight().isEmpty()) {
            return 0;
        }
        Tensor w = model.graph().initializers().get(layer.weight());
        if (layer.weightFormat().equals(LayerPlan.FP32)) {
            return 4L * w.size();
        }
        Node node = model.graph().nodesByDisplayName().get(layer.node());
        if (node == null) {
            throw new IllegalArgumentException("layer '" + layer.node() + "' is no node of the model");
        }
        LayerAxes axes = LayerAxes.weight(node, node.inputs().indexOf(layer.weight()), w.rank());
        return new FakeQuantizer(layer.weightFormat()).packedBytes(w.shape(), axes);
    }

    /** Bytes of every planned weight. */
    public static long weightBytes(Model model, QuantPlan plan) {
        long total = 0;
        for (LayerPlan l : plan.layers()) {
            total += weightBytes(model, l);
        }
        return total;
    }
}
