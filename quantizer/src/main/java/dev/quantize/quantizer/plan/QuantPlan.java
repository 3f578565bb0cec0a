package dev.quantize.quantizer.plan;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import dev.quantize.core.format.FormatRegistry;
import dev.quantize.core.format.RowwiseFormat;
import dev.quantize.core.graph.Model;
import dev.quantize.core.graph.ModelSummary;
import dev.quantize.core.graph.Node;
import java.io.IOException;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.UnaryOperator;

/**
 * Which format every quantizable node takes, for its weight and for its input activations. Layers
 * are listed in the model's node order; a node the plan does not list stays FP32. Saved as JSON.
 */
public record QuantPlan(List<LayerPlan> layers) {
    public static final int VERSION = 1;
    private static final ObjectMapper JSON = new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT);

    public QuantPlan {
        layers = List.copyOf(layers);
    }

    /** Every quantizable node of the model at FP32: the starting point of a search. */
    public static QuantPlan fp32(Model model) {
        List<LayerPlan> out = new ArrayList<>();
        for (ModelSummary.QuantizableNode q : ModelSummary.of(model).quantizable()) {
            out.add(new LayerPlan(q.node(), q.opType(), q.role(), q.weight(), LayerPlan.FP32, LayerPlan.FP32, null));
        }
        return new QuantPlan(out);
    }

    /**
     * One format everywhere it applies: weights of matmul-like nodes and embedding tables take
     * {@code weightFormat} (tables of row-wise formats only as embeddings), input activations of
     * matmul-like nodes take {@code activationFormat}.
     */
    public static QuantPlan uniform(Model model, String weightFormat, String activationFormat,
                                    Map<String, ActivationRange> ranges) {
        FormatRegistry.parse(weightFormat);
        FormatRegistry.parse(activationFormat);
        boolean rowwise = FormatRegistry.parse(weightFormat) instanceof RowwiseFormat;
        return fp32(model).map(l -> switch (l.role()) {
            case EMBEDDING -> l.withWeightFormat(weightFormat);
            case WEIGHTS_AND_ACTIVATIONS -> (rowwise ? l : l.withWeightFormat(weightFormat))
                    .withActivationFormat(activationFormat).withActivationRange(ranges.get(l.node()));
            case ACTIVATIONS_ONLY -> l.withActivationFormat(activationFormat).withActivationRange(ranges.get(l.node()));
        });
    }

    /** A plan with every layer transformed. */
    public QuantPlan map(UnaryOperator<LayerPlan> f) {
        return new QuantPlan(layers.stream().map(f).toList());
    }

    public LayerPlan layer(String node) {
        for (LayerPlan l : layers) {
            if (l.node().equals(node)) {
                return l;
            }
        }
        return null;
    }

    /** The same plan with one layer replaced (matched by node name). */
    public QuantPlan with(LayerPlan layer) {
        if (layer(layer.node()) == null) {
            throw new IllegalArgumentException("the plan has no layer '" + layer.node() + "'");
        }
        return map(l -> l.node().equals(layer.node()) ? layer : l);
    }

    /** Checks the plan against a model: every node exists, every weight is its initializer, every format parses. */
    public void validate(Model model) {
        Map<String, Node> byName = model.graph().nodesByDisplayName();
        List<String> problems = new ArrayList<>();
        for (LayerPlan l : layers) {
            Node n = byName.get(l.node());
            if (n == null) {
                problems.add("layer '" + l.node() + "' is no node of the model");
                continue;
            }
            if (!l.weight().isEmpty() && (!model.graph().initializers().containsKey(l.weight()) || !n.inputs().contains(l.weight()))) {
                problems.add("layer '" + l.node() + "': weight '" + l.weight() + "' is not an initializer input of the node");
            }
            for (String f : List.of(l.weightFormat(), l.activationFormat())) {
                try {
                    FormatRegistry.parse(f);
                } catch (IllegalArgumentException e) {
                    problems.add("layer '" + l.node() + "': " + e.getMessage());
                }
            }
            if (l.weight().isEmpty() && !l.weightFormat().equals(LayerPlan.FP32)) {
                problems.add("layer '" + l.node() + "' has no weight but a weight format " + l.weightFormat());
            }
        }
        if (!problems.isEmpty()) {
            throw new IllegalArgumentException("plan does not fit the model: " + String.join("; ", problems));
        }
    }

    public String toJson() {
        try {
            Map<String, Object> root = new LinkedHashMap<>();
            root.put("version", VERSION);
            root.put("layers", layers);
            return JSON.writeValueAsString(root);
        } catch (IOException e) {
            throw new IllegalStateException(e);
        }
    }

    public static QuantPlan fromJson(String json) {
        try {
            var root = JSON.readTree(json);
            if (root == null || !root.has("layers")) {
                throw new IllegalArgumentException("not a quantization plan: no \"layers\"");
            }
            int version = root.path("version").asInt(-1);
            if (version != VERSION) {
                throw new IllegalArgumentException("plan version " + version + " is not supported (expected " + VERSION + ")");
            }
            List<LayerPlan> layers = new ArrayList<>();
            for (var n : root.get("layers")) {
                layers.add(JSON.treeToValue(n, LayerPlan.class));
            }
            return new QuantPlan(layers);
        } catch (IOException e) {
            throw new IllegalArgumentException("not a valid quantization plan: " + e.getMessage(), e);
        }
    }
}
