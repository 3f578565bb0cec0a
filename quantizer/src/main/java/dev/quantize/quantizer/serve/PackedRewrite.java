package dev.quantize.quantizer.serve;

import dev.quantize.core.exec.FusedPatterns;
import dev.quantize.core.exec.ops.SpecialFunctions;
import dev.quantize.core.exec.ops.TensorData;
import dev.quantize.core.format.FormatRegistry;
import dev.quantize.core.format.NumericFormat;
import dev.quantize.core.format.RowwiseFormat;
import dev.quantize.core.graph.Attribute;
import dev.quantize.core.graph.Graph;
import dev.quantize.core.graph.Model;
import dev.quantize.core.graph.ModelSummary;
import dev.quantize.core.graph.Node;
import dev.quantize.core.graph.ValueInfo;
import dev.quantize.core.format.IntFormat;
import dev.quantize.core.kernel.lowp.DecodingGemm;
import dev.quantize.core.kernel.lowp.GeluCodes;
import dev.quantize.core.kernel.lowp.Int8Gemm;
import dev.quantize.core.kernel.lowp.RowwiseEmbeddingBag;
import dev.quantize.core.tensor.Tensor;
import dev.quantize.quantizer.artifact.Artifact;
import dev.quantize.quantizer.artifact.TensorEntry;
import dev.quantize.quantizer.emulate.FakeQuantizer;
import dev.quantize.quantizer.plan.LayerPlan;
import dev.quantize.quantizer.plan.QuantPlan;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.IdentityHashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Turns an artifact's graph into the graph packed execution runs:
 * <ul>
 *   <li>an embedding lookup (Gather of a row-wise packed table, with the ReduceSum/ReduceMean over the
 *   bag axis that follows it, if any) becomes one {@code PackedEmbeddingBag} node that reads the
 *   packed rows from the mapped file;</li>
 *   <li>a layer whose plan has an activation format gets a {@code FakeQuantize} node in front of each
 *   activation input the emulation quantizes (the activation stays float, quantized as
 *   {@code PlanInterceptor} does it);</li>
 *   <li>every other packed weight is decoded once at load into an FP32 initializer.</li>
 * </ul>
 * A rewritten node keeps the name of the layer it replaces, so listeners see the quantized layers by
 * their display names; a fused bag produces the reduction's output under its name.
 */
final class PackedRewrite {
    /** What runs a layer of the plan in the packed model. */
    enum Kernel {
        ROWWISE_EMBEDDING_BAG("row-wise embedding bag (packed, mapped)"),
        ROWWISE_GATHER("row-wise gather (packed, mapped)"),
        INT8_GEMM("int8 GEMM (int32 accumulation, prepacked)"),
        INT8_GEMM_PROLOGUE("int8 GEMM with the LayerNorm/GELU before it fused in, per row block"),
        DECODING_GEMM("weight-only GEMM (panels decoded as consumed)"),
        DECODED_AT_LOAD("weight decoded to FP32 at load"),
        FLOAT("float kernel, activations fake-quantized");

        final String description;

        Kernel(String description) {
            this.description = description;
        }
    }

    record Result(Model model, PackedOps ops, Map<String, Kernel> kernels) {
    }

    private final Artifact artifact;
    private final Graph graph;
    private final Map<String, LayerPlan> layers = new HashMap<>();
    private final Map<String, List<Integer>> consumers = new HashMap<>();
    private final Set<String> graphOutputs = new HashSet<>();
    private final PackedOps ops = new PackedOps();
    private final Map<String, Kernel> kernels = new LinkedHashMap<>();
    /** The executor's LayerNorm and GELU patterns by the value they produce. */
    private final Map<String, FusedPatterns.Pattern> patterns = new HashMap<>();
    private final Map<Node, Integer> index = new IdentityHashMap<>();
    /** Nodes fused into a packed node that sits later in the order (dropped from the output at the end). */
    private final Set<Node> dropped = java.util.Collections.newSetFromMap(new IdentityHashMap<>());

    private PackedRewrite(Artifact artifact) {
        this.artifact = artifact;
        this.graph = artifact.strippedModel().graph();
        QuantPlan plan = artifact.plan();
        for (LayerPlan l : plan.layers()) {
            layers.put(l.node(), l);
        }
        List<Node> nodes = graph.nodes();
        for (int i = 0; i < nodes.size(); i++) {
            for (String in : nodes.get(i).inputs()) {
                consumers.computeIfAbsent(in, k -> new ArrayList<>()).add(i);
            }
        }
        graph.outputs().forEach(o -> graphOutputs.add(o.name()));
        for (int i = 0; i < nodes.size(); i++) {
            index.put(nodes.get(i), i);
        }
        // The patterns need their constants (LayerNorm's gamma and beta): the raw tensors of the file.
        Map<String, Tensor> constants = new LinkedHashMap<>(graph.initializers());
        for (TensorEntry t : artifact.tensors()) {
            if (t.storage() instanceof TensorEntry.Raw) {
                constants.putIfAbsent(t.name(), artifact.value(t.name()));
            }
        }
        Graph withConstants = new Graph(graph.name(), nodes, graph.inputs(), graph.outputs(), constants, graph.valueInfos());
        for (FusedPatterns.Pattern p : FusedPatterns.find(withConstants)) {
            patterns.put(p.fused().outputs().get(0), p);
        }
    }

    static Result rewrite(Artifact artifact) {
        return new PackedRewrite(artifact).run();
    }

    private Result run() {
        List<Node> nodes = graph.nodes();
        List<Node> out = new ArrayList<>();
        Set<Integer> absorbed = new HashSet<>();
        for (int i = 0; i < nodes.size(); i++) {
            if (absorbed.contains(i)) {
                continue;
            }
            Node n = nodes.get(i);
            LayerPlan l = layers.get(n.displayName());
            Node replaced = l == null ? null : embedding(n, l, absorbed);
            if (replaced == null && l != null) {
                replaced = int8Gemm(n, l, absorbed);
            }
            if (replaced != null) {
                out.add(replaced);
                continue;
            }
            Node decoding = l == null ? null : decodingGemm(n, l);
            if (decoding != null) {
                out.add(withQuantizedActivations(decoding, n, l, out));
                continue;
            }
            if (l != null && !l.isFp32()) {
                kernels.put(l.node(), l.weightFormat().equals(LayerPlan.FP32) ? Kernel.FLOAT : Kernel.DECODED_AT_LOAD);
            }
            out.add(withQuantizedActivations(n, n, l, out));
        }
        out.removeIf(dropped::contains);
        // Initializers: the ones the stored graph kept, and every file tensor a remaining node reads
        // (raw ones as stored, packed ones decoded: the placeholder for layers without a packed kernel).
        Set<String> read = new HashSet<>();
        out.forEach(n -> read.addAll(n.inputs()));
        Map<String, Tensor> inits = new LinkedHashMap<>(graph.initializers());
        for (TensorEntry t : artifact.tensors()) {
            if (read.contains(t.name())) {
                inits.put(t.name(), artifact.value(t.name()));
            }
        }
        List<ValueInfo> inputs = graph.inputs().stream()
                .filter(v -> inits.containsKey(v.name()) || !isFileTensor(v.name())).toList();
        Graph g = new Graph(graph.name(), out, inputs, graph.outputs(), inits, graph.valueInfos());
        Model stripped = artifact.strippedModel();
        Map<String, Long> opsets = new LinkedHashMap<>(stripped.opsets());
        opsets.put(PackedOps.DOMAIN, 1L);
        Model m = new Model(stripped.irVersion(), opsets, stripped.producerName(), stripped.producerVersion(), g,
                stripped.metadata());
        return new Result(m, ops, kernels);
    }

    private boolean isFileTensor(String name) {
        return artifact.tensors().stream().anyMatch(t -> t.name().equals(name));
    }

    /**
     * A Gather of a row-wise packed table (and the bag reduction after it) as one packed node, or null
     * when the node is not such a lookup.
     */
    private Node embedding(Node gather, LayerPlan l, Set<Integer> absorbed) {
        if (!gather.opType().equals("Gather") || l.role() != ModelSummary.Role.EMBEDDING
                || !l.activationFormat().equals(LayerPlan.FP32) || gather.intAttr("axis", 0) != 0
                || !gather.input(0).equals(l.weight())) {
            return null;
        }
        NumericFormat f = FormatRegistry.parse(l.weightFormat());
        TensorEntry t = artifact.tensor(l.weight());
        if (!(f instanceof RowwiseFormat rf) || !(t.storage() instanceof TensorEntry.Packed p) || p.scale() != 1f
                || t.shape().length != 2) {
            return null;
        }
        RowwiseEmbeddingBag.Table table = new RowwiseEmbeddingBag.Table(artifact.packedTensor(l.weight()),
                t.shape()[0], t.shape()[1], rf.bits());
        String indices = gather.input(1);
        String gathered = gather.outputs().get(0);
        List<Integer> users = consumers.getOrDefault(gathered, List.of());
        if (users.size() == 1 && !graphOutputs.contains(gathered)) {
            int ri = users.get(0);
            Node r = graph.nodes().get(ri);
            if (pooledOverBag(r, gathered, indices)) {
                RowwiseEmbeddingBag.Pooling pooling = r.opType().equals("ReduceMean")
                        ? RowwiseEmbeddingBag.Pooling.MEAN : RowwiseEmbeddingBag.Pooling.SUM;
                absorbed.add(ri);
                ops.addBag(gather.name(), new PackedOps.Bag(table, pooling, true, r.intAttr("keepdims", 1) != 0));
                kernels.put(l.node(), Kernel.ROWWISE_EMBEDDING_BAG);
                return new Node(gather.name(), PackedOps.EMBEDDING_BAG, PackedOps.DOMAIN, List.of(indices), r.outputs(),
                        Map.of("pooling", Attribute.of("pooling", pooling.name().toLowerCase())));
            }
        }
        ops.addBag(gather.name(), new PackedOps.Bag(table, RowwiseEmbeddingBag.Pooling.SUM, false, false));
        kernels.put(l.node(), Kernel.ROWWISE_GATHER);
        return new Node(gather.name(), PackedOps.EMBEDDING_BAG, PackedOps.DOMAIN, List.of(indices), gather.outputs(),
                Map.of("pooling", Attribute.of("pooling", "none")));
    }

    /**
     * A Gemm (x times W^T or W, plus a bias vector) or 2-D-weight MatMul with an int8 weight and an
     * int8 per-tensor activation of static range as one Int8Gemm node (with the Relu that follows it,
     * if it is the only reader), or null when the layer does not fit the kernel.
     */
    private Node int8Gemm(Node n, LayerPlan l, Set<Integer> absorbed) {
        boolean gemm = n.opType().equals("Gemm");
        if (!(gemm || n.opType().equals("MatMul")) || l.role() != ModelSummary.Role.WEIGHTS_AND_ACTIVATIONS
                || !n.input(1).equals(l.weight()) || !KernelRules.staticInt8(l) || !KernelRules.plainGemmAttributes(n)) {
            return null;
        }
        TensorEntry t = artifact.tensor(l.weight());
        if (!(t.storage() instanceof TensorEntry.Packed p) || p.scale() != 1f || t.shape().length != 2) {
            return null;
        }
        boolean transB = gemm && n.intAttr("transB", 0) != 0;
        int outputs = transB ? t.shape()[0] : t.shape()[1];
        float[] bias = gemm ? biasVector(n, outputs) : null;
        if (gemm && !n.input(2).isEmpty() && bias == null) {
            return null;
        }
        Int8Gemm.Weights w = Int8Gemm.prepack(artifact.packed(l.weight()), transB);
        IntFormat af = (IntFormat) FormatRegistry.parse(l.activationFormat()); // staticInt8 checked it is one
        IntFormat.Params params = af.params(l.activationRange().lo(), l.activationRange().hi());
        Int8Gemm.Activation act = Int8Gemm.Activation.of(af, params);
        List<String> outs = n.outputs();
        boolean relu = false;
        List<Integer> users = consumers.getOrDefault(n.outputs().get(0), List.of());
        if (users.size() == 1 && !graphOutputs.contains(n.outputs().get(0))) {
            Node r = graph.nodes().get(users.get(0));
            if (r.opType().equals("Relu")) {
                relu = true;
                absorbed.add(users.get(0));
                outs = r.outputs();
            }
        }
        Chain chain = prologue(n, act, w.k());
        Int8Gemm.Prologue pre = chain == null ? null : chain.prologue();
        String input = chain == null ? n.input(0) : chain.input();
        if (chain != null) {
            dropped.addAll(chain.members());
        }
        ops.addInt8(n.name(), new PackedOps.Int8(w, act, pre, bias, relu));
        kernels.put(l.node(), pre != null ? Kernel.INT8_GEMM_PROLOGUE : Kernel.INT8_GEMM);
        return new Node(n.name(), PackedOps.INT8_GEMM, PackedOps.DOMAIN, List.of(input), outs,
                Map.of("relu", Attribute.of("relu", relu ? 1L : 0L)));
    }

    /** A prologue, the value its first step reads, and the nodes it replaces. */
    private record Chain(Int8Gemm.Prologue prologue, String input, List<Node> members) {
    }

    /**
     * The row-wise chain in front of an INT8 layer, as a prologue: walking back from the layer's input,
     * up to {@value #MAX_STEPS} of the executor's LayerNorm and Erf-form GELU patterns ((x * (erf(x / d)
     * + 1)) * 0.5), each read only by the next (or the layer) and no layer of the plan. When the last is a
     * GELU, it goes straight to int8 codes ({@link GeluCodes}). Null when there is no such chain.
     */
    private Chain prologue(Node gemm, Int8Gemm.Activation act, int k) {
        List<Node> members = new ArrayList<>();
        List<Int8Gemm.Step> steps = new ArrayList<>();
        String value = gemm.input(0);
        List<Node> readers = List.of(gemm);
        while (steps.size() < MAX_STEPS) {
            FusedPatterns.Pattern p = patterns.get(value);
            if (p == null) {
                p = onnxLayerNorm(value);
            }
            if (p == null || !onlyReadBy(value, readers) || !unquantized(p)) {
                break;
            }
            Node f = p.fused();
            Int8Gemm.Step step = null;
            if (f.opType().equals(FusedPatterns.GELU) && f.floatAttr("offset", 0f) == 1f && f.floatAttr("scale", 0f) == 0.5f) {
                // A GELU with a LayerNorm after it (a later step) is only normalised and quantized: the
                // cheap GELU (within 2e-6) is enough there; see docs/serving.md for the bound.
                step = new Int8Gemm.GeluStep(f.floatAttr("divisor", 0f), !steps.isEmpty());
            } else if (f.opType().equals("LayerNormalization")) {
                Tensor gamma = tensorValue(f.input(1));
                Tensor beta = f.inputs().size() > 2 && !f.input(2).isEmpty() ? tensorValue(f.input(2)) : null;
                boolean noBeta = f.inputs().size() < 3 || f.input(2).isEmpty();
                if (isVector(gamma, k) && (noBeta || isVector(beta, k))) {
                    step = new Int8Gemm.OnnxLayerNormStep(gamma.floats(), noBeta ? null : beta.floats(),
                            f.floatAttr("epsilon", 1e-5f));
                }
            } else if (f.opType().equals(FusedPatterns.LAYER_NORM)) {
                Tensor gamma = tensorValue(f.input(1));
                Tensor beta = tensorValue(f.input(2));
                if (isVector(gamma, k) && isVector(beta, k)) {
                    step = new Int8Gemm.LayerNormStep(gamma.floats(), beta.floats(), f.floatAttr("epsilon", 1e-5f));
                }
            }
            if (step == null) {
                break;
            }
            steps.add(0, step);
            members.addAll(p.members());
            readers = p.members();
            value = f.input(0);
        }
        if (steps.isEmpty()) {
            return null;
        }
        GeluCodes codes = null;
        if (steps.get(steps.size() - 1) instanceof Int8Gemm.GeluStep g) {
            try {
                SpecialFunctions.erfFloat(0f); // fits Erf, which the codes' exact path uses
                codes = GeluCodes.of(g.divisor(), act);
                steps.remove(steps.size() - 1);
            } catch (IllegalArgumentException e) {
                // a scale too small for the fast codes: the GELU stays a float step
            }
        }
        return new Chain(new Int8Gemm.Prologue(steps, codes), value, members);
    }

    private static final int MAX_STEPS = 2;

    /**
     * The ONNX LayerNormalization node (last axis, only its first output used) producing a value, as a
     * one-node pattern whose fused node is itself; else null.
     */
    private FusedPatterns.Pattern onnxLayerNorm(String value) {
        for (Node n : graph.nodes()) {
            if (n.opType().equals("LayerNormalization") && n.domain().isEmpty() && !n.outputs().isEmpty()
                    && n.outputs().get(0).equals(value)) {
                boolean extraOutputs = n.outputs().stream().skip(1).anyMatch(o -> !o.isEmpty());
                return n.intAttr("axis", -1) == -1 && !extraOutputs ? new FusedPatterns.Pattern(List.of(n), n) : null;
            }
        }
        return null;
    }

    /** Whether a value is no graph output and every node reading it is one of {@code readers}. */
    private boolean onlyReadBy(String value, List<Node> readers) {
        if (graphOutputs.contains(value)) {
            return false;
        }
        for (int i : consumers.getOrDefault(value, List.of())) {
            if (readers.stream().noneMatch(r -> r == graph.nodes().get(i))) {
                return false;
            }
        }
        return true;
    }

    /** Whether none of a pattern's nodes is a layer the plan quantizes (its emulation would then differ). */
    private boolean unquantized(FusedPatterns.Pattern p) {
        return p.members().stream().allMatch(m -> layers.get(m.displayName()) == null || layers.get(m.displayName()).isFp32());
    }

    private static boolean isVector(Tensor t, int k) {
        return t != null && t.type() == dev.quantize.core.tensor.DataType.FLOAT32 && t.rank() == 1 && t.size() == k;
    }

    /**
     * A Gemm (no transA, alpha 1, beta 1, bias vector or none) or a MatMul by a 2-D weight whose weight
     * is packed in a weight-only format, as one PackedGemm node that decodes the weight a panel at a
     * time; null when the layer does not fit. Its activation formats, if any, stay FakeQuantize nodes.
     */
    private Node decodingGemm(Node n, LayerPlan l) {
        boolean gemm = n.opType().equals("Gemm");
        if (!(gemm || n.opType().equals("MatMul")) || l.role() != ModelSummary.Role.WEIGHTS_AND_ACTIVATIONS
                || !n.input(1).equals(l.weight()) || l.weightFormat().equals(LayerPlan.FP32)
                || !KernelRules.plainGemmAttributes(n)) {
            return null;
        }
        TensorEntry t = artifact.tensor(l.weight());
        if (!(t.storage() instanceof TensorEntry.Packed p) || t.shape().length != 2) {
            return null;
        }
        boolean transB = gemm && n.intAttr("transB", 0) != 0;
        float[] bias = gemm ? biasVector(n, transB ? t.shape()[0] : t.shape()[1]) : null;
        if (gemm && !n.input(2).isEmpty() && bias == null) {
            return null;
        }
        DecodingGemm.Weights w;
        try {
            w = DecodingGemm.prepare(artifact.packed(l.weight()), p.scale(), transB);
        } catch (IllegalArgumentException e) {
            return null; // a format or layout the kernel does not take: decoded at load instead
        }
        ops.addDecoding(n.name(), new PackedOps.Decoding(w, bias));
        kernels.put(l.node(), Kernel.DECODING_GEMM);
        return new Node(n.name(), PackedOps.DECODING_GEMM, PackedOps.DOMAIN, List.of(n.input(0)), n.outputs(), Map.of());
    }

    /** The Gemm's bias input as a vector of {@code outputs} floats, or null when it has none or another shape. */
    private float[] biasVector(Node n, int outputs) {
        if (n.input(2).isEmpty()) {
            return null;
        }
        Tensor b = tensorValue(n.input(2));
        if (b == null || b.type() != dev.quantize.core.tensor.DataType.FLOAT32 || b.size() != outputs
                || !(b.rank() == 1 || (b.rank() == 2 && b.shape()[0] == 1))) {
            return null;
        }
        return b.floats();
    }

    /** A constant's value: an initializer of the stored graph or a tensor of the file, else null. */
    private Tensor tensorValue(String name) {
        Tensor t = graph.initializers().get(name);
        if (t != null) {
            return t;
        }
        return isFileTensor(name) ? artifact.value(name) : null;
    }

    /**
     * Whether {@code r} sums or averages the gathered rows over the last index axis (the bag), the
     * only axis it reduces: axes -2, or the indices' last axis when their rank is declared.
     */
    private boolean pooledOverBag(Node r, String gathered, String indices) {
        if (!(r.opType().equals("ReduceSum") || r.opType().equals("ReduceMean")) || !r.input(0).equals(gathered)) {
            return false;
        }
        long[] axes = r.intsAttr("axes", null);
        if (!r.input(1).isEmpty()) {
            Tensor a = constant(r.input(1));
            axes = a == null ? null : TensorData.toLongs(a);
        }
        if (axes == null || axes.length != 1) {
            return false;
        }
        if (axes[0] == -2) {
            return true;
        }
        int rank = declaredRank(indices);
        return rank >= 1 && axes[0] == rank - 1;
    }

    /** A constant's value: an initializer (in the stored graph or the file) or a Constant node's, else null. */
    private Tensor constant(String name) {
        Tensor t = tensorValue(name);
        if (t != null) {
            return t;
        }
        for (Node n : graph.nodes()) {
            if (n.opType().equals("Constant") && n.outputs().contains(name) && n.attribute("value") != null) {
                return n.attribute("value").asTensor();
            }
        }
        return null;
    }

    private int declaredRank(String value) {
        for (List<ValueInfo> list : List.of(graph.inputs(), graph.valueInfos())) {
            for (ValueInfo v : list) {
                if (v.name().equals(value) && v.shape() != null) {
                    return v.shape().size();
                }
            }
        }
        return -1;
    }

    /**
     * The node with a FakeQuantize node in front of each input the emulation quantizes (input 0, and
     * input 1 of activations-only layers); the FakeQuantize nodes are appended to {@code out} first.
     */
    private Node withQuantizedActivations(Node n, Node original, LayerPlan l, List<Node> out) {
        if (l == null || l.activationFormat().equals(LayerPlan.FP32)) {
            return n;
        }
        List<String> inputs = new ArrayList<>(n.inputs());
        int count = l.role() == ModelSummary.Role.ACTIVATIONS_ONLY ? 2 : 1;
        for (int i = 0; i < Math.min(count, inputs.size()); i++) {
            if (inputs.get(i).isEmpty()) {
                continue;
            }
            String name = n.displayName() + "/FakeQuantize_" + i;
            String value = name + "_output_0";
            ops.addQuantize(name, new PackedOps.Quantize(new FakeQuantizer(l.activationFormat()), original, i, l.activationRange()));
            out.add(new Node(name, PackedOps.FAKE_QUANTIZE, PackedOps.DOMAIN, List.of(inputs.get(i)), List.of(value), Map.of()));
            inputs.set(i, value);
        }
        return new Node(n.name(), n.opType(), n.domain(), inputs, n.outputs(), n.attributes());
    }
}
