package dev.quantize.quantizer.export;

import dev.quantize.core.graph.Attribute;
import dev.quantize.core.graph.Graph;
import dev.quantize.core.graph.Model;
import dev.quantize.core.graph.ModelSummary;
import dev.quantize.core.graph.Node;
import dev.quantize.core.graph.ValueInfo;
import dev.quantize.core.tensor.DataType;
import dev.quantize.core.tensor.Tensor;
import dev.quantize.quantizer.artifact.Artifact;
import dev.quantize.quantizer.artifact.TensorEntry;
import dev.quantize.quantizer.emulate.FakeQuantizer;
import dev.quantize.quantizer.plan.LayerPlan;
import dev.quantize.quantizer.plan.QuantPlan;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.function.Function;
import java.util.function.Predicate;
import java.util.stream.Collectors;

/**
 * Exports a quantization plan as a standard ONNX model, as a rewrite of the FP32 graph: each planned
 * weight W becomes (quantized initializer, scale[, zero point]) -> DequantizeLinear -> its consumer
 * (or a FLOAT16/BFLOAT16 initializer -> Cast), and each planned activation input gets a
 * QuantizeLinear -> DequantizeLinear pair with the scale the emulation uses. Original node names stay;
 * the default-domain opset is raised to what the forms need.
 *
 * <p>A weight whose format has no exact ONNX form, or whose form the target runtime cannot run
 * ({@code runnable}), is stored as its exact dequantized FP32 values; an activation without one is
 * left unquantized. Both are listed in the result and in the model's metadata.
 */
public final class QdqExporter {
    /** {@code opset}: the default-domain opset to write (null: the lowest that holds every form). */
    public record Options(Integer opset, Predicate<QdqForm> runnable) {
        public static Options defaults() {
            return new Options(null, f -> true);
        }
    }

    private QdqExporter() {
    }

    /** Exports an artifact: its plan, with the weights' exact values taken from its packed tensors. */
    public static ExportResult export(Artifact artifact, Options options) {
        Model model = artifact.emulationModel();
        return export(model, artifact.plan(), name -> {
            TensorEntry.Packed p = (TensorEntry.Packed) artifact.tensor(name).storage();
            return new FakeQuantizer.Packed(artifact.packed(name), p.scale());
        }, options);
    }

    /**
     * Exports {@code plan} on {@code model}; {@code packedWeights} gives each planned weight's packed
     * form (an artifact's tensors, or {@link FakeQuantizer#pack} of the FP32 weight).
     */
    public static ExportResult export(Model model, QuantPlan plan, Function<String, FakeQuantizer.Packed> packedWeights,
                                      Options options) {
        plan.validate(model);
        Graph g = model.graph();
        Set<String> names = takenNames(g);
        Map<String, Tensor> inits = new LinkedHashMap<>(g.initializers());
        Map<String, List<Node>> before = new HashMap<>(); // node name -> nodes to insert before it
        Map<String, Map<Integer, String>> rewired = new HashMap<>(); // node name -> input index -> new input
        List<Node> weightNodes = new ArrayList<>();
        Map<String, String> dequantized = new HashMap<>(); // weight + format -> DequantizeLinear output
        Set<QdqForm> forms = new LinkedHashSet<>();
        List<ExportResult.Fallback> fallbacks = new ArrayList<>();
        Map<String, Node> byName = new HashMap<>();
        Map<String, Node> producers = new HashMap<>();
        for (Node n : g.nodes()) {
            byName.put(n.displayName(), n);
            n.outputs().forEach(o -> producers.put(o, n));
        }
        for (LayerPlan l : plan.layers()) {
            if (l.isFp32()) {
                continue;
            }
            Node n = byName.get(l.node());
            if (!l.weightFormat().equals(LayerPlan.FP32)) {
                int index = n.inputs().indexOf(l.weight());
                FakeQuantizer.Packed packed = packedWeights.apply(l.weight());
                var q = QdqWeight.of(packed);
                String why = q.isEmpty() ? "the format has no exact ONNX form"
                        : !options.runnable().test(q.get().form()) ? "the runtime cannot run " + q.get().form() : null;
                if (why != null) {
                    inits.put(l.weight(), new FakeQuantizer(l.weightFormat()).unpack(packed));
                    fallbacks.add(new ExportResult.Fallback(l.node(), l.weight(), l.weightFormat(), true, why));
                } else {
                    String key = l.weight() + "\u0000" + l.weightFormat();
                    String out = dequantized.get(key);
                    if (out == null) {
                        out = addWeight(l.weight(), q.get(), inits, names, weightNodes);
                        dequantized.put(key, out);
                    }
                    forms.add(q.get().form());
                    rewired.computeIfAbsent(l.node(), k -> new HashMap<>()).put(index, out);
                }
            }
            if (!l.activationFormat().equals(LayerPlan.FP32)) {
                List<Integer> indices = l.role() == ModelSummary.Role.ACTIVATIONS_ONLY ? List.of(0, 1) : List.of(0);
                for (int i : indices) {
                    String x = n.input(i);
                    if (x.isEmpty() || (inits.containsKey(x) && inits.get(x).type() != DataType.FLOAT32)) {
                        continue; // the emulation quantizes float32 inputs only
                    }
                    try {
                        QdqActivation a = QdqActivation.of(l.activationFormat(), l.activationRange());
                        if (a.asScaledCast() != null && needsScaledCast(n, x, producers, a.form().type(), options.runnable())) {
                            a = a.asScaledCast();
                        }
                        if (!options.runnable().test(a.form())) {
                            fallbacks.add(new ExportResult.Fallback(l.node(), x, l.activationFormat(), false,
                                    "the runtime cannot run " + a.form()));
                            continue;
                        }
                        forms.add(a.form());
                        String out = addActivation(n, i, x, a, inits, names, before.computeIfAbsent(l.node(), k -> new ArrayList<>()));
                        rewired.computeIfAbsent(l.node(), k -> new HashMap<>()).put(i, out);
                    } catch (QdqActivation.NoForm e) {
                        fallbacks.add(new ExportResult.Fallback(l.node(), x, l.activationFormat(), false, e.getMessage()));
                    }
                }
            }
        }
        List<Node> nodes = new ArrayList<>(weightNodes);
        for (Node n : g.nodes()) {
            nodes.addAll(before.getOrDefault(n.displayName(), List.of()));
            Map<Integer, String> r = rewired.get(n.displayName());
            if (r == null) {
                nodes.add(n);
            } else {
                List<String> inputs = new ArrayList<>(n.inputs());
                r.forEach(inputs::set);
                nodes.add(new Node(n.name(), n.opType(), n.domain(), inputs, n.outputs(), n.attributes()));
            }
        }
        dropUnused(inits, nodes, g);
        long from = model.opset();
        int required = forms.stream().mapToInt(QdqForm::minOpset).max().orElse(13);
        long target = options.opset() != null ? options.opset() : Math.max(from, required);
        if (target < required) {
            String need = forms.stream().filter(f -> f.minOpset() > target).map(QdqForm::toString).collect(Collectors.joining(", "));
            throw new IllegalArgumentException("--opset " + target + " is too low: " + need + " need opset " + required);
        }
        if (target < from) {
            throw new IllegalArgumentException("--opset " + target + " is below the model's opset " + from + "; lowering an opset is not supported");
        }
        if (target > 21) {
            throw new IllegalArgumentException("--opset " + target + ": the exporter knows opsets up to 21");
        }
        if (target > from) {
            nodes = OpsetUpgrade.upgrade(nodes, from, target, inits, names);
        }
        Map<String, Long> opsets = new LinkedHashMap<>(model.opsets());
        opsets.remove("ai.onnx");
        opsets.put("", target);
        long ir = Math.max(model.irVersion(), target >= 21 ? 10 : target >= 19 ? 9 : 7);
        Map<String, String> meta = new LinkedHashMap<>(model.metadata());
        meta.put(ExportResult.FORMS_KEY, forms.stream().map(QdqForm::toString).collect(Collectors.joining("; ")));
        meta.put(ExportResult.FP32_KEY, fallbacks.stream().map(ExportResult.Fallback::toString).collect(Collectors.joining("\n")));
        Graph out = new Graph(g.name(), nodes, g.inputs(), g.outputs(), inits, g.valueInfos());
        Model exported = new Model(ir, opsets, model.producerName(), model.producerVersion(), out, meta);
        return new ExportResult(exported, new ArrayList<>(forms), fallbacks);
    }

    /**
     * Whether an FP8 pair in front of input {@code x} of {@code n} must be written as scaled casts:
     * when the runtime's graph optimizer mishandles the QuantizeLinear pattern there (both inputs of
     * a MatMul; right after a Relu).
     */
    private static boolean needsScaledCast(Node n, String x, Map<String, Node> producers, DataType type, Predicate<QdqForm> runnable) {
        if (n.opType().equals("MatMul") && !runnable.test(new QdqForm(QdqForm.QDQ_MATMUL, type, QdqForm.Layout.PER_TENSOR))) {
            return true;
        }
        Node p = producers.get(x);
        return p != null && p.opType().equals("Relu")
                && !runnable.test(new QdqForm(QdqForm.QDQ_AFTER_RELU, type, QdqForm.Layout.PER_TENSOR));
    }

    /** Adds a weight's initializers and its DequantizeLinear (or Cast) node; returns the float output's name. */
    private static String addWeight(String w, QdqWeight q, Map<String, Tensor> inits, Set<String> names, List<Node> nodes) {
        String stored = OpsetUpgrade.uniqueName(w + "_quantized", names);
        inits.put(stored, q.quantized());
        String out = OpsetUpgrade.uniqueName(w + "_dequantized", names);
        if (q.form().layout() == QdqForm.Layout.CAST) {
            nodes.add(new Node(OpsetUpgrade.uniqueName(w + "/Cast", names), "Cast", List.of(stored), List.of(out),
                    List.of(Attribute.of("to", (long) DataType.FLOAT32.onnxCode()))));
            return out;
        }
        String scale = OpsetUpgrade.uniqueName(w + "_scale", names);
        inits.put(scale, q.scale());
        List<String> inputs = new ArrayList<>(List.of(stored, scale));
        if (q.zeroPoint() != null) {
            String zp = OpsetUpgrade.uniqueName(w + "_zero_point", names);
            inits.put(zp, q.zeroPoint());
            inputs.add(zp);
        }
        List<Attribute> attrs = new ArrayList<>();
        if (q.form().layout() != QdqForm.Layout.PER_TENSOR) {
            attrs.add(Attribute.of("axis", (long) q.axis()));
        }
        if (q.form().layout() == QdqForm.Layout.BLOCKED) {
            attrs.add(Attribute.of("block_size", (long) q.blockSize()));
        }
        nodes.add(new Node(OpsetUpgrade.uniqueName(w + "/DequantizeLinear", names), QdqForm.DEQUANTIZE, inputs, List.of(out), attrs));
        return out;
    }

    /** {@link #addActivation} for tests that run one pair in ORT. */
    static String addActivationForTest(Node n, int i, String x, QdqActivation a, Map<String, Tensor> inits, Set<String> names,
                                       List<Node> nodes) {
        return addActivation(n, i, x, a, inits, names, nodes);
    }

    /** Adds the QuantizeLinear -> DequantizeLinear (or Cast -> Cast) pair in front of input {@code i} of {@code n}. */
    private static String addActivation(Node n, int i, String x, QdqActivation a, Map<String, Tensor> inits, Set<String> names,
                                        List<Node> nodes) {
        String base = n.displayName() + "/input" + i;
        String low = OpsetUpgrade.uniqueName(x + "_" + n.displayName() + "_quantized", names);
        String out = OpsetUpgrade.uniqueName(x + "_" + n.displayName() + "_dequantized", names);
        if (a.form().layout() == QdqForm.Layout.CAST) {
            nodes.add(new Node(OpsetUpgrade.uniqueName(base + "/Cast", names), "Cast", List.of(x), List.of(low),
                    List.of(Attribute.of("to", (long) a.form().type().onnxCode()))));
            nodes.add(new Node(OpsetUpgrade.uniqueName(base + "/CastBack", names), "Cast", List.of(low), List.of(out),
                    List.of(Attribute.of("to", (long) DataType.FLOAT32.onnxCode()))));
            return out;
        }
        String scale = OpsetUpgrade.uniqueName(base + "_scale", names);
        inits.put(scale, a.scale());
        if (a.form().layout() == QdqForm.Layout.SCALED_CAST) {
            String scaled = OpsetUpgrade.uniqueName(x + "_" + n.displayName() + "_scaled", names);
            String back = OpsetUpgrade.uniqueName(x + "_" + n.displayName() + "_unscaled", names);
            nodes.add(new Node(OpsetUpgrade.uniqueName(base + "/Div", names), "Div", List.of(x, scale), List.of(scaled), List.of()));
            nodes.add(new Node(OpsetUpgrade.uniqueName(base + "/Cast", names), "Cast", List.of(scaled), List.of(low),
                    List.of(Attribute.of("to", (long) a.form().type().onnxCode()), Attribute.of("saturate", 1L))));
            nodes.add(new Node(OpsetUpgrade.uniqueName(base + "/CastBack", names), "Cast", List.of(low), List.of(back),
                    List.of(Attribute.of("to", (long) DataType.FLOAT32.onnxCode()))));
            nodes.add(new Node(OpsetUpgrade.uniqueName(base + "/Mul", names), "Mul", List.of(back, scale), List.of(out), List.of()));
            return out;
        }
        String zp = OpsetUpgrade.uniqueName(base + "_zero_point", names);
        inits.put(zp, a.zeroPoint());
        nodes.add(new Node(OpsetUpgrade.uniqueName(base + "/QuantizeLinear", names), QdqForm.QUANTIZE,
                List.of(x, scale, zp), List.of(low), List.of()));
        nodes.add(new Node(OpsetUpgrade.uniqueName(base + "/DequantizeLinear", names), QdqForm.DEQUANTIZE,
                List.of(low, scale, zp), List.of(out), List.of()));
        return out;
    }

    /** Every value and node name of the graph, so new names never collide. */
    private static Set<String> takenNames(Graph g) {
        Set<String> names = new HashSet<>(g.initializers().keySet());
        g.inputs().forEach(v -> names.add(v.name()));
        g.outputs().forEach(v -> names.add(v.name()));
        g.valueInfos().forEach(v -> names.add(v.name()));
        for (Node n : g.nodes()) {
            names.add(n.name());
            names.addAll(n.inputs());
            names.addAll(n.outputs());
        }
        return names;
    }

    /** Removes initializers no node reads any more (replaced weights), unless they are graph inputs or outputs. */
    private static void dropUnused(Map<String, Tensor> inits, List<Node> nodes, Graph g) {
        Set<String> used = new TreeSet<>();
        for (Node n : nodes) {
            used.addAll(n.inputs());
            subgraphInputs(n, used);
        }
        g.inputs().stream().map(ValueInfo::name).forEach(used::add);
        g.outputs().stream().map(ValueInfo::name).forEach(used::add);
        inits.keySet().removeIf(k -> !used.contains(k));
    }

    /** Names read inside subgraphs (If/Loop bodies may read outer initializers). */
    private static void subgraphInputs(Node n, Set<String> used) {
        for (Attribute a : n.attributes().values()) {
            if (a.kind() == Attribute.Kind.GRAPH) {
                for (Node inner : ((Graph) a.value()).nodes()) {
                    used.addAll(inner.inputs());
                    subgraphInputs(inner, used);
                }
            }
        }
    }
}
