package dev.quantize.core.exec;

import dev.quantize.core.exec.ops.FusedOps;
import dev.quantize.core.exec.ops.Op;
import dev.quantize.core.exec.ops.OpContext;
import dev.quantize.core.graph.Attribute;
import dev.quantize.core.graph.Graph;
import dev.quantize.core.graph.Node;
import dev.quantize.core.graph.ValueInfo;
import dev.quantize.core.tensor.DataType;
import dev.quantize.core.tensor.Tensor;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Replaces known node patterns in an execution order by one fused step (see {@link FusedOps}): the
 * LayerNorm PyTorch exports as ReduceMean, Sub, Pow(2), ReduceMean, Add(eps), Sqrt, Div, Mul(gamma),
 * Add(beta), the Erf-form GELU Div(x, c), Erf, Add(k), Mul(x, .), Mul(h), Gemm then Relu, and
 * MatMul(x, Transpose(x)) over the last two axes, optionally followed by Flatten and a Gather of
 * constant indices (DLRM's pairwise interaction). The last two hide a Gemm or MatMul node, which
 * quantization hooks must see, so the executor uses them only in runs without hooks (level HOOK_FREE).
 * A pattern is fused only
 * when its intermediate values are read by nothing outside it and are no graph outputs; the fused
 * node produces the last node's output under the same name. Its step keeps the original steps and
 * runs them instead whenever the fused kernel declines (inputs that are not float32).
 */
final class Fusion {
    private final List<ExecutionPlan.Step> steps;
    private final Map<String, Integer> producer = new HashMap<>();
    private final Map<String, List<Integer>> consumers = new HashMap<>();
    private final Set<String> graphOutputs = new HashSet<>();
    private final Map<String, Tensor> constants = new HashMap<>();
    private final Graph graph;

    /** Which patterns: the hook-visible ones (LayerNorm, GELU) or the hook-free ones (Gemm+Relu, pairwise dots). */
    enum Level { VISIBLE, HOOK_FREE }

    private final Level level;

    private Fusion(Graph graph, List<ExecutionPlan.Step> steps, Level level) {
        this.graph = graph;
        this.steps = steps;
        this.level = level;
        for (int i = 0; i < steps.size(); i++) {
            Node n = steps.get(i).node();
            for (String out : n.outputs()) {
                producer.put(out, i);
            }
            for (String in : n.inputs()) {
                consumers.computeIfAbsent(in, k -> new ArrayList<>()).add(i);
            }
            if (n.opType().equals("Constant") && n.domain().isEmpty() && n.attribute("value") != null) {
                constants.put(n.outputs().get(0), n.attribute("value").asTensor());
            }
        }
        constants.putAll(graph.initializers());
        for (ValueInfo v : graph.outputs()) {
            graphOutputs.add(v.name());
        }
    }

    /**
     * The hook-visible patterns (LayerNorm, GELU) of a graph whose nodes are in execution order: per
     * pattern its member nodes and the fused node that stands for them (see {@link FusedPatterns}).
     */
    static List<FusedPatterns.Pattern> visiblePatterns(Graph graph) {
        List<ExecutionPlan.Step> steps = new ArrayList<>();
        graph.nodes().forEach(n -> steps.add(new ExecutionPlan.Step(n, null, 0)));
        Fusion f = new Fusion(graph, steps, Level.VISIBLE);
        List<FusedPatterns.Pattern> out = new ArrayList<>();
        Set<Integer> taken = new HashSet<>();
        for (int i = 0; i < steps.size(); i++) {
            Match m = f.layerNorm(i);
            if (m == null) {
                m = f.gelu(i);
            }
            if (m == null || m.members.stream().anyMatch(taken::contains)) {
                continue;
            }
            taken.addAll(m.members);
            out.add(new FusedPatterns.Pattern(m.members.stream().sorted().map(f::node).toList(), m.step.node()));
        }
        return out;
    }

    /** The steps with every fusable pattern replaced by one step (at the position of its last node). */
    static List<ExecutionPlan.Step> apply(Graph graph, List<ExecutionPlan.Step> steps, Level level) {
        return new Fusion(graph, steps, level).run();
    }

    private List<ExecutionPlan.Step> run() {
        Map<Integer, ExecutionPlan.Step> replaceAt = new HashMap<>();
        Set<Integer> removed = new HashSet<>();
        for (int i = 0; i < steps.size(); i++) {
            if (removed.contains(i)) {
                continue;
            }
            Match m;
            if (level == Level.VISIBLE) {
                m = layerNorm(i);
                if (m == null) {
                    m = gelu(i);
                }
            } else {
                m = gemmRelu(i);
                if (m == null) {
                    m = pairwiseDots(i);
                }
            }
            if (m == null || m.members.stream().anyMatch(removed::contains)) {
                continue;
            }
            int last = m.members.stream().mapToInt(Integer::intValue).max().getAsInt();
            removed.addAll(m.members);
            replaceAt.put(last, m.step);
        }
        List<ExecutionPlan.Step> out = new ArrayList<>();
        for (int i = 0; i < steps.size(); i++) {
            if (replaceAt.containsKey(i)) {
                out.add(replaceAt.get(i));
            } else if (!removed.contains(i)) {
                out.add(steps.get(i));
            }
        }
        return out;
    }

    private record Match(List<Integer> members, ExecutionPlan.Step step) {
    }

    private Node node(int i) {
        return steps.get(i).node();
    }

    private boolean is(int i, String opType) {
        return node(i).opType().equals(opType) && node(i).domain().isEmpty();
    }

    /** The only consumer of a node's single output, if it has exactly one and the value is internal. */
    private Integer soleConsumer(int i, String opType) {
        Node n = node(i);
        if (n.outputs().size() != 1 || graphOutputs.contains(n.outputs().get(0))) {
            return null;
        }
        List<Integer> c = consumers.getOrDefault(n.outputs().get(0), List.of());
        return c.size() == 1 && is(c.get(0), opType) ? c.get(0) : null;
    }

    private String out(int i) {
        return node(i).outputs().get(0);
    }

    /** A float32 scalar constant (Constant node or initializer of one element), or null. */
    private Float scalar(String value) {
        Tensor t = constants.get(value);
        return t != null && t.type() == DataType.FLOAT32 && t.size() == 1 && t.rank() <= 1 ? t.floats()[0] : null;
    }

    /** The operand of a two-input node that is not {@code value}, or null when neither/both are. */
    private String other(int i, String value) {
        List<String> in = node(i).inputs();
        if (in.size() != 2) {
            return null;
        }
        if (in.get(0).equals(value) && !in.get(1).equals(value)) {
            return in.get(1);
        }
        if (in.get(1).equals(value) && !in.get(0).equals(value)) {
            return in.get(0);
        }
        return null;
    }

    private boolean lastAxisMean(int i) {
        Node n = node(i);
        long[] axes = n.intsAttr("axes", null);
        return n.inputs().size() == 1 && axes != null && axes.length == 1 && axes[0] == -1
                && n.intAttr("keepdims", 1) == 1;
    }

    private Match layerNorm(int iMean) {
        if (!is(iMean, "ReduceMean") || !lastAxisMean(iMean)) {
            return null;
        }
        String x = node(iMean).inputs().get(0);
        Integer iSub = soleConsumer(iMean, "Sub");
        if (iSub == null || !node(iSub).inputs().equals(List.of(x, out(iMean)))) {
            return null;
        }
        String d = out(iSub);
        List<Integer> dUsers = consumers.getOrDefault(d, List.of());
        if (graphOutputs.contains(d) || dUsers.size() != 2) {
            return null;
        }
        int iPow = is(dUsers.get(0), "Pow") ? dUsers.get(0) : dUsers.get(1);
        int iDiv = iPow == dUsers.get(0) ? dUsers.get(1) : dUsers.get(0);
        if (!is(iPow, "Pow") || !is(iDiv, "Div") || !node(iPow).inputs().get(0).equals(d)
                || !Float.valueOf(2f).equals(scalar(node(iPow).inputs().get(1)))) {
            return null;
        }
        Integer iVar = soleConsumer(iPow, "ReduceMean");
        if (iVar == null || !lastAxisMean(iVar)) {
            return null;
        }
        Integer iEps = soleConsumer(iVar, "Add");
        Float eps = iEps == null ? null : scalar(other(iEps, out(iVar)));
        if (eps == null) {
            return null;
        }
        Integer iSqrt = soleConsumer(iEps, "Sqrt");
        if (iSqrt == null || soleConsumer(iSqrt, "Div") == null || soleConsumer(iSqrt, "Div") != iDiv
                || !node(iDiv).inputs().equals(List.of(d, out(iSqrt)))) {
            return null;
        }
        Integer iMul = soleConsumer(iDiv, "Mul");
        String gamma = iMul == null ? null : other(iMul, out(iDiv));
        Integer iAdd = iMul == null ? null : soleConsumer(iMul, "Add");
        String beta = iAdd == null ? null : other(iAdd, out(iMul));
        if (gamma == null || beta == null || !graph.initializers().containsKey(gamma)
                || !graph.initializers().containsKey(beta)) {
            return null;
        }
        List<Integer> members = List.of(iMean, iSub, iPow, iVar, iEps, iSqrt, iDiv, iMul, iAdd);
        Node fused = new Node(fusedName(iMean, "LayerNorm"), FusedOps.LAYER_NORM,
                FusedOps.DOMAIN, List.of(x, gamma, beta), List.of(out(iAdd)), Map.of("epsilon", Attribute.of("epsilon", eps)));
        return new Match(members, step(fused, FusedOps::layerNorm, members));
    }

    private Match gelu(int iDiv) {
        if (!is(iDiv, "Div") || node(iDiv).inputs().size() != 2) {
            return null;
        }
        String x = node(iDiv).inputs().get(0);
        Float divisor = scalar(node(iDiv).inputs().get(1));
        Integer iErf = soleConsumer(iDiv, "Erf");
        if (divisor == null || iErf == null) {
            return null;
        }
        Integer iAdd = soleConsumer(iErf, "Add");
        Float offset = iAdd == null ? null : scalar(other(iAdd, out(iErf)));
        Integer iMul = offset == null ? null : soleConsumer(iAdd, "Mul");
        if (iMul == null || !x.equals(other(iMul, out(iAdd)))) {
            return null;
        }
        Integer iHalf = soleConsumer(iMul, "Mul");
        Float scale = iHalf == null ? null : scalar(other(iHalf, out(iMul)));
        if (scale == null) {
            return null;
        }
        List<Integer> members = List.of(iDiv, iErf, iAdd, iMul, iHalf);
        Node fused = new Node(fusedName(iDiv, "Gelu"), FusedOps.GELU, FusedOps.DOMAIN, List.of(x),
                List.of(out(iHalf)), Map.of("divisor", Attribute.of("divisor", divisor),
                        "offset", Attribute.of("offset", offset), "scale", Attribute.of("scale", scale)));
        return new Match(members, step(fused, FusedOps::gelu, members));
    }

    private Match gemmRelu(int iGemm) {
        if (!is(iGemm, "Gemm")) {
            return null;
        }
        Integer iRelu = soleConsumer(iGemm, "Relu");
        if (iRelu == null) {
            return null;
        }
        List<Integer> members = List.of(iGemm, iRelu);
        Node gemm = node(iGemm);
        Node fused = new Node(fusedName(iGemm, "GemmRelu"), FusedOps.GEMM_RELU, FusedOps.DOMAIN,
                gemm.inputs(), List.of(out(iRelu)), gemm.attributes());
        return new Match(members, step(fused, FusedOps::gemmRelu, members));
    }

    private Match pairwiseDots(int iTr) {
        if (!is(iTr, "Transpose") || !java.util.Arrays.equals(node(iTr).intsAttr("perm", null), new long[] {0, 2, 1})) {
            return null;
        }
        String x = node(iTr).inputs().get(0);
        Integer iMm = soleConsumer(iTr, "MatMul");
        if (iMm == null || !node(iMm).inputs().equals(List.of(x, out(iTr)))) {
            return null;
        }
        Integer iFlat = soleConsumer(iMm, "Flatten");
        Integer iGather = iFlat == null || node(iFlat).intAttr("axis", 1) != 1 ? null : soleConsumer(iFlat, "Gather");
        Tensor idx = iGather == null ? null : constants.get(node(iGather).inputs().get(1));
        if (iGather != null && node(iGather).intAttr("axis", 0) == 1 && node(iGather).inputs().get(0).equals(out(iFlat))
                && idx != null && idx.type() == DataType.INT64 && idx.rank() == 1) {
            List<Integer> members = List.of(iTr, iMm, iFlat, iGather);
            Node fused = new Node(fusedName(iMm, "PairwiseDots"), FusedOps.PAIRWISE_DOTS, FusedOps.DOMAIN,
                    List.of(x, node(iGather).inputs().get(1)), List.of(out(iGather)), Map.of());
            return new Match(members, step(fused, FusedOps::pairwiseDots, members));
        }
        List<Integer> members = List.of(iTr, iMm);
        Node fused = new Node(fusedName(iMm, "PairwiseDots"), FusedOps.PAIRWISE_DOTS, FusedOps.DOMAIN,
                List.of(x), List.of(out(iMm)), Map.of());
        return new Match(members, step(fused, FusedOps::pairwiseDots, members));
    }

    /** "/act1/Gelu (fused)" for a first node named "/act1/Div": the pattern's scope and what it computes. */
    private String fusedName(int first, String what) {
        String name = node(first).displayName();
        int slash = name.lastIndexOf('/');
        return (slash >= 0 ? name.substring(0, slash + 1) : name + "/") + what + " (fused)";
    }

    /** The fused step: the fused kernel, or the original steps in order when it declines. */
    private ExecutionPlan.Step step(Node fused, Op fast, List<Integer> members) {
        List<ExecutionPlan.Step> originals = new ArrayList<>();
        members.stream().sorted().forEach(i -> originals.add(steps.get(i)));
        Op op = (ctx, in) -> {
            List<Tensor> out = fast.run(ctx, in);
            return out != null ? out : runOriginals(ctx, fused, in, originals);
        };
        return new ExecutionPlan.Step(fused, op, 1);
    }

    private List<Tensor> runOriginals(OpContext ctx, Node fused, List<Tensor> in, List<ExecutionPlan.Step> originals) {
        Map<String, Tensor> env = new HashMap<>(constants);
        for (int k = 0; k < in.size(); k++) {
            env.put(fused.inputs().get(k), in.get(k));
        }
        for (ExecutionPlan.Step s : originals) {
            List<Tensor> args = new ArrayList<>();
            for (String name : s.node().inputs()) {
                args.add(name.isEmpty() ? null : env.get(name));
            }
            List<Tensor> res = s.op().run(new OpContext(s.node(), s.opset(), ctx.parallelism()), args);
            for (int k = 0; k < s.node().outputs().size() && k < res.size(); k++) {
                env.put(s.node().outputs().get(k), res.get(k));
            }
        }
        return List.of(env.get(fused.outputs().get(0)));
    }
}
