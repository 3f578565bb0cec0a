package dev.quantize.core.exec;

import dev.quantize.core.exec.ops.OpContext;
import dev.quantize.core.exec.ops.OpRegistry;
import dev.quantize.core.graph.Dim;
import dev.quantize.core.graph.Graph;
import dev.quantize.core.graph.Model;
import dev.quantize.core.graph.Node;
import dev.quantize.core.graph.ValueInfo;
import dev.quantize.core.kernel.Parallelism;
import dev.quantize.core.tensor.Tensor;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collection;
import java.util.Collections;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.function.Consumer;

/**
 * Runs a model's graph on named input tensors.
 *
 * <p>Built once per model: construction validates the graph (see {@link ExecutionPlan}) and picks
 * each node's op implementation for the model's opset, so an unsupported model fails before any
 * data is touched. {@link #run} checks the inputs against the declared graph inputs, then runs the
 * nodes in topological order. Intermediate tensors are released as soon as their last consumer has
 * run (reference counting per run); initializers are read in place, never copied. Hooks: listeners
 * observe every node, interceptors may replace a node's inputs (fake quantization). An executor may
 * run on several threads at once as long as its hooks are thread-safe.
 */
public final class Executor {
    private final Model model;
    private final Graph graph;
    /** The plan runs with hooks use: fused when fusion is on. */
    private final ExecutionPlan plan;
    /** The plan runs without hooks use: also the fusions that hide nodes hooks must see (Gemm, MatMul). */
    private final ExecutionPlan hookFree;
    /** Every node of the model: runs that ask for a value a fused step hides use this one. */
    private final ExecutionPlan unfused;
    private final Parallelism parallelism;
    private final List<ExecutionListener> listeners = new CopyOnWriteArrayList<>();
    private final List<NodeInterceptor> interceptors = new CopyOnWriteArrayList<>();

    /** An executor using every core and the standard ops. */
    public Executor(Model model) {
        this(builder(model));
    }

    private Executor(Builder b) {
        this.model = b.model;
        this.graph = b.model.graph();
        this.parallelism = b.parallelism != null ? b.parallelism : Parallelism.defaultForMachine();
        this.unfused = ExecutionPlan.build(b.model, b.registry);
        this.plan = b.fuse ? unfused.fused(graph, Fusion.Level.VISIBLE) : unfused;
        this.hookFree = b.fuse ? plan.fused(graph, Fusion.Level.HOOK_FREE) : plan;
        listeners.addAll(b.listeners);
        interceptors.addAll(b.interceptors);
    }

    public static Builder builder(Model model) {
        return new Builder(model);
    }

    /** Options for an executor. */
    public static final class Builder {
        private final Model model;
        private Parallelism parallelism;
        private OpRegistry registry = OpRegistry.standard();
        private boolean fuse = true;
        private final List<ExecutionListener> listeners = new ArrayList<>();
        private final List<NodeInterceptor> interceptors = new ArrayList<>();

        private Builder(Model model) {
            this.model = Objects.requireNonNull(model, "model");
        }

        /** Worker threads for the heavy kernels (default: the machine's cores). */
        public Builder threads(int threads) {
            this.parallelism = Parallelism.of(threads);
            return this;
        }

        public Builder parallelism(Parallelism parallelism) {
            this.parallelism = Objects.requireNonNull(parallelism);
            return this;
        }

        /**
         * Whether known multi-node patterns (PyTorch's decomposed LayerNorm and Erf GELU) run as one
         * fused kernel; default on. Fused results are bit-identical to the unfused nodes. Listeners
         * and interceptors see the fused node (op type in domain "dev.quantize") in place of the
         * nodes it replaces; it produces the last replaced node's output under the same name.
         * Runs without interceptors, and whose listeners all accept it
         * ({@link ExecutionListener#acceptsHiddenNodes()}), also fuse Gemm with a following Relu
         * and MatMul with its own operand's transpose (DLRM's interaction).
         */
        public Builder fuse(boolean fuse) {
            this.fuse = fuse;
            return this;
        }

        public Builder registry(OpRegistry registry) {
            this.registry = Objects.requireNonNull(registry);
            return this;
        }

        public Builder listener(ExecutionListener listener) {
            listeners.add(Objects.requireNonNull(listener));
            return this;
        }

        public Builder interceptor(NodeInterceptor interceptor) {
            interceptors.add(Objects.requireNonNull(interceptor));
            return this;
        }

        /** Validates the model and builds the executor; throws {@link UnsupportedOpsException} et al. */
        public Executor build() {
            return new Executor(this);
        }
    }

    public Model model() {
        return model;
    }

    public Parallelism parallelism() {
        return parallelism;
    }

    /**
     * The nodes in the order they run when hooks are present (fused nodes in place of the patterns
     * they replace); hook-free runs may fuse further.
     */
    public List<Node> executionOrder() {
        return plan.steps().stream().map(ExecutionPlan.Step::node).toList();
    }

    public void addListener(ExecutionListener listener) {
        listeners.add(Objects.requireNonNull(listener));
    }

    public void removeListener(ExecutionListener listener) {
        listeners.remove(listener);
    }

    public void addInterceptor(NodeInterceptor interceptor) {
        interceptors.add(Objects.requireNonNull(interceptor));
    }

    public void removeInterceptor(NodeInterceptor interceptor) {
        interceptors.remove(interceptor);
    }

    /** Runs the graph and returns every graph output, in declaration order. */
    public Map<String, Tensor> run(Map<String, Tensor> inputs) {
        List<String> outs = graph.outputs().stream().map(ValueInfo::name).toList();
        return run(inputs, outs);
    }

    /**
     * Runs only the nodes needed for {@code outputs} (graph outputs or any intermediate value name)
     * and returns them in the order asked.
     */
    public Map<String, Tensor> run(Map<String, Tensor> inputs, Collection<String> outputs) {
        return run(inputs, outputs, null);
    }

    /** As {@link #run(Map, Collection)}; {@code liveProbe} (tests) sees the names held after each node. */
    Map<String, Tensor> run(Map<String, Tensor> inputs, Collection<String> outputs, Consumer<Set<String>> liveProbe) {
        checkInputs(inputs);
        ExecutionPlan plan = interceptors.isEmpty() && listeners.stream().allMatch(ExecutionListener::acceptsHiddenNodes)
                ? hookFree : this.plan;
        for (String o : outputs) {
            if (plan.producerOf(o) == null && this.plan.producerOf(o) != null) {
                plan = this.plan; // a value inside a hook-free fusion was asked for
            }
            if (plan.producerOf(o) == null && unfused.producerOf(o) != null) {
                plan = unfused; // an intermediate value inside a fused pattern was asked for
                break;
            }
        }
        List<ExecutionPlan.Step> steps = plan.steps();
        Set<String> wanted = new HashSet<>(outputs);

        // Which steps are needed: walk back from the requested values.
        boolean[] needed = new boolean[steps.size()];
        List<String> work = new ArrayList<>(outputs);
        Set<String> seen = new HashSet<>();
        while (!work.isEmpty()) {
            String v = work.remove(work.size() - 1);
            if (!seen.add(v)) {
                continue;
            }
            Integer p = plan.producerOf(v);
            if (p == null) {
                if (!inputs.containsKey(v) && !graph.initializers().containsKey(v)) {
                    throw new IllegalArgumentException("requested output '" + v + "' is no value of the graph");
                }
                continue;
            }
            if (!needed[p]) {
                needed[p] = true;
                for (String in : steps.get(p).node().inputs()) {
                    if (!in.isEmpty()) {
                        work.add(in);
                    }
                }
            }
        }

        // Reference counts: how many needed nodes still have to read each value.
        Map<String, Integer> remaining = new HashMap<>();
        for (int i = 0; i < steps.size(); i++) {
            if (needed[i]) {
                for (String in : steps.get(i).node().inputs()) {
                    if (!in.isEmpty()) {
                        remaining.merge(in, 1, Integer::sum);
                    }
                }
            }
        }

        Map<String, Tensor> env = new HashMap<>();
        for (Map.Entry<String, Tensor> e : inputs.entrySet()) {
            env.put(e.getKey(), e.getValue());
        }
        for (int i = 0; i < steps.size(); i++) {
            if (!needed[i]) {
                continue;
            }
            ExecutionPlan.Step step = steps.get(i);
            Node node = step.node();
            NodeContext nc = new NodeContext(i, node);
            List<Tensor> in = new ArrayList<>(node.inputs().size());
            for (String name : node.inputs()) {
                in.add(name.isEmpty() ? null : lookup(env, name));
            }
            List<Tensor> nodeInputs = Collections.unmodifiableList(in);
            for (NodeInterceptor ic : interceptors) {
                List<Tensor> replaced = ic.interceptInputs(nc, nodeInputs);
                if (replaced != nodeInputs) {
                    if (replaced == null || replaced.size() != nodeInputs.size()) {
                        throw new IllegalStateException("interceptor " + ic.getClass().getName() + " returned "
                                + (replaced == null ? "null" : replaced.size() + " inputs") + " for node '" + nc.name()
                                + "', which has " + nodeInputs.size());
                    }
                    nodeInputs = Collections.unmodifiableList(new ArrayList<>(replaced));
                }
            }
            for (ExecutionListener l : listeners) {
                l.beforeNode(nc, nodeInputs);
            }
            List<Tensor> out;
            try {
                out = step.op().run(new OpContext(node, step.opset(), parallelism), nodeInputs);
            } catch (RuntimeException e) {
                throw new NodeExecutionException(nc, e);
            }
            List<Tensor> nodeOutputs = new ArrayList<>(node.outputs().size());
            for (int k = 0; k < node.outputs().size(); k++) {
                Tensor t = k < out.size() ? out.get(k) : null;
                if (t == null && !node.outputs().get(k).isEmpty()) {
                    throw new NodeExecutionException(nc, new IllegalStateException("output " + k + " ('"
                            + node.outputs().get(k) + "') was not produced"));
                }
                nodeOutputs.add(t);
            }
            nodeOutputs = Collections.unmodifiableList(nodeOutputs);
            for (ExecutionListener l : listeners) {
                l.afterNode(nc, nodeInputs, nodeOutputs);
            }
            for (int k = 0; k < node.outputs().size(); k++) {
                String name = node.outputs().get(k);
                if (!name.isEmpty() && (remaining.containsKey(name) || wanted.contains(name))) {
                    env.put(name, nodeOutputs.get(k));
                }
            }
            // Release what no later node reads (graph inputs included: the caller still holds them).
            for (String name : node.inputs()) {
                if (!name.isEmpty() && remaining.merge(name, -1, Integer::sum) == 0) {
                    remaining.remove(name);
                    if (!wanted.contains(name)) {
                        env.remove(name);
                    }
                }
            }
            if (liveProbe != null) {
                liveProbe.accept(Collections.unmodifiableSet(env.keySet()));
            }
        }
        Map<String, Tensor> result = new LinkedHashMap<>();
        for (String name : outputs) {
            result.put(name, lookup(env, name));
        }
        return result;
    }

    private Tensor lookup(Map<String, Tensor> env, String name) {
        Tensor t = env.get(name);
        if (t == null) {
            t = graph.initializers().get(name);
        }
        if (t == null) {
            throw new IllegalStateException("value '" + name + "' is not available (released too early?)");
        }
        return t;
    }

    /** Names, element types, ranks and fixed dims of the inputs against the graph's declared inputs. */
    private void checkInputs(Map<String, Tensor> inputs) {
        Map<String, ValueInfo> declared = new LinkedHashMap<>();
        for (ValueInfo v : graph.inputs()) {
            declared.put(v.name(), v);
        }
        for (String name : inputs.keySet()) {
            if (!declared.containsKey(name)) {
                throw new IllegalArgumentException("unknown input '" + name + "'; the model's inputs are "
                        + graph.runtimeInputs().stream().map(ValueInfo::name).toList());
            }
        }
        for (ValueInfo v : graph.inputs()) {
            Tensor t = inputs.get(v.name());
            if (t == null) {
                if (graph.initializers().containsKey(v.name())) {
                    continue;
                }
                throw new IllegalArgumentException("missing input '" + v.name() + "' (expected " + v + ")");
            }
            if (v.type() != null && t.type() != v.type()) {
                throw new IllegalArgumentException("input '" + v.name() + "': expected element type "
                        + v.type() + ", got " + t.type());
            }
            List<Dim> dims = v.shape();
            if (dims == null) {
                continue;
            }
            int[] shape = t.shape();
            if (shape.length != dims.size()) {
                throw new IllegalArgumentException("input '" + v.name() + "': expected rank " + dims.size() + " "
                        + dims + ", got shape " + Arrays.toString(shape));
            }
            for (int d = 0; d < shape.length; d++) {
                Dim dim = dims.get(d);
                if (dim.isFixed() && dim.value() != shape[d]) {
                    throw new IllegalArgumentException("input '" + v.name() + "': expected shape " + dims
                            + ", got " + Arrays.toString(shape) + " (dimension " + d + " must be " + dim.value() + ")");
                }
            }
        }
    }
}
