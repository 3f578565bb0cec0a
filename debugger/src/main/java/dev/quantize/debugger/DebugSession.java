package dev.quantize.debugger;

import dev.quantize.core.data.Batch;
import dev.quantize.core.data.BatchReader;
import dev.quantize.core.data.ColumnSpec;
import dev.quantize.core.data.ArrowWriter;
import dev.quantize.core.data.Dataset;
import dev.quantize.core.data.DatasetBinding;
import dev.quantize.core.exec.Executor;
import dev.quantize.core.format.FormatRegistry;
import dev.quantize.core.graph.Graph;
import dev.quantize.core.graph.Model;
import dev.quantize.core.graph.Node;
import dev.quantize.core.graph.ValueInfo;
import dev.quantize.core.io.AtomicFiles;
import dev.quantize.core.kernel.Parallelism;
import dev.quantize.core.tensor.DataType;
import dev.quantize.core.tensor.Tensor;
import dev.quantize.quantizer.artifact.ArtifactWriter;
import dev.quantize.quantizer.emulate.PlanInterceptor;
import dev.quantize.quantizer.plan.LayerPlan;
import dev.quantize.quantizer.plan.QuantPlan;
import dev.quantize.quantizer.search.Budget;
import dev.quantize.quantizer.search.Candidate;
import dev.quantize.quantizer.search.Evaluator;
import dev.quantize.quantizer.search.Metric;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * The numeric debugger's state: the reference model, the plan being edited, a data sample, and the
 * per-layer outputs of the FP32 executor and the quantized executor (the same model with a
 * {@link PlanInterceptor}), both observed through the executor's hooks. Every command of the REPL is
 * one method here returning a record of {@link Results}.
 *
 * <p>{@code weightsBaked} marks a reference whose initializers already hold quantized weights (an
 * artifact opened without its FP32 model): the plan then only adds activation quantization, and
 * edits that need the FP32 weights are refused.
 */
public final class DebugSession {
    /** The FP32 model file, when known: what {@code save} needs to write an artifact. */
    public record Fp32Source(Model model, byte[] bytes, String fileName) {
    }

    private final Model model;
    private final QuantPlan initialPlan;
    private final boolean weightsBaked;
    private final Dataset data;
    private final int batchSize;
    private final int evalRows;
    private final Parallelism parallelism;
    private final Fp32Source fp32Source;
    private final Map<String, Node> nodes = new HashMap<>();
    private final Set<String> initializers;
    private final String output;
    private QuantPlan plan;

    // The last run: its inputs and the FP32 side (independent of the plan).
    private List<Map<String, Tensor>> feeds = List.of();
    private int rows;
    private Capture reference;
    private List<Tensor> referenceOutput;
    // The quantized side, recomputed when the plan changed since.
    private QuantPlan quantizedPlan;
    private Capture quantized;
    private List<Tensor> quantizedOutput;
    private Evaluator evaluator;

    public DebugSession(Model model, QuantPlan plan, boolean weightsBaked, Dataset data, int batchSize, int evalRows,
                        Parallelism parallelism, Fp32Source fp32Source) {
        plan.validate(model);
        if (batchSize < 1 || evalRows < 1) {
            throw new IllegalArgumentException("batch size and evaluation rows must be at least 1");
        }
        this.model = model;
        this.initialPlan = plan;
        this.plan = plan;
        this.weightsBaked = weightsBaked;
        this.data = data;
        this.batchSize = batchSize;
        this.evalRows = evalRows;
        this.parallelism = parallelism;
        this.fp32Source = fp32Source;
        for (Node n : model.graph().nodes()) {
            nodes.put(n.displayName(), n);
        }
        this.initializers = model.graph().initializers().keySet();
        this.output = model.graph().outputs().get(0).name();
    }

    public QuantPlan plan() {
        return plan;
    }

    public Model model() {
        return model;
    }

    /** Layer names in execution order (the plan's order). */
    public List<String> layerNames() {
        return plan.layers().stream().map(LayerPlan::node).toList();
    }

    public List<Results.Layer> layers() {
        List<Results.Layer> out = new ArrayList<>();
        int i = 0;
        for (LayerPlan l : plan.layers()) {
            String range = l.activationRange() == null ? "" : String.format(java.util.Locale.ROOT, "[%.4g, %.4g]",
                    l.activationRange().lo(), l.activationRange().hi());
            out.add(new Results.Layer(i++, l.node(), l.op(), l.role().name().toLowerCase(java.util.Locale.ROOT),
                    l.weightFormat(), l.activationFormat(), range));
        }
        return out;
    }

    /** Runs the first {@code n} rows of the data through both executors, keeping every layer's output. */
    public Results.RunSummary run(int n) {
        if (n < 1) {
            throw new IllegalArgumentException("run: the number of rows must be at least 1, got " + n);
        }
        List<Map<String, Tensor>> in = new ArrayList<>();
        DatasetBinding binding = DatasetBinding.bind(data, model.graph().runtimeInputs());
        int got = 0;
        try (BatchReader r = data.batches(Math.min(batchSize, n))) {
            while (r.hasNext() && got < n) {
                Batch b = r.next();
                int take = Math.min(b.rows(), n - got);
                Map<String, Tensor> feed = binding.feed(b);
                if (take < b.rows()) {
                    Map<String, Tensor> cut = new LinkedHashMap<>();
                    feed.forEach((k, v) -> cut.put(k, firstRows(v, take)));
                    feed = cut;
                }
                in.add(feed);
                got += take;
            }
        }
        if (got == 0) {
            throw new IllegalArgumentException(data.name() + ": no rows to run");
        }
        Capture ref = new Capture(watched(), initializers);
        Executor e = Executor.builder(model).parallelism(parallelism).interceptor(ref).listener(ref).build();
        List<Tensor> outs = new ArrayList<>();
        for (Map<String, Tensor> f : in) {
            outs.add(e.run(f).get(output));
        }
        this.feeds = in;
        this.rows = got;
        this.reference = ref;
        this.referenceOutput = outs;
        this.quantizedPlan = null;
        return new Results.RunSummary(got, in.size(), plan.layers().size());
    }

    private Set<String> watched() {
        return new HashSet<>(layerNames());
    }

    private void ensureRun() {
        if (reference == null) {
            run(Math.min(evalRows, 256));
        }
        if (quantizedPlan != plan) {
            Capture q = new Capture(watched(), initializers);
            Executor e = Executor.builder(model).parallelism(parallelism).interceptor(q)
                    .interceptor(new PlanInterceptor(model, plan, parallelism, !weightsBaked)).listener(q).build();
            List<Tensor> outs = new ArrayList<>();
            for (Map<String, Tensor> f : feeds) {
                outs.add(e.run(f).get(output));
            }
            quantized = q;
            quantizedOutput = outs;
            quantizedPlan = plan;
        }
    }

    /** Per layer in execution order: local and cumulative error; and the model output's error. */
    public Results.Comparison compare() {
        ensureRun();
        List<Results.CompareRow> out = new ArrayList<>();
        for (LayerPlan l : plan.layers()) {
            out.add(new Results.CompareRow(l.node(), formatOf(l), localError(l), cumulativeError(l)));
        }
        return new Results.Comparison(rows, out, LayerError.of(concat(referenceOutput), concat(quantizedOutput), 0));
    }

    /** The first layer whose cumulative SQNR falls below {@code thresholdDb}. */
    public Results.Divergence diverge(double thresholdDb) {
        ensureRun();
        for (LayerPlan l : plan.layers()) {
            LayerError c = cumulativeError(l);
            if (c.sqnrDb() < thresholdDb || Double.isNaN(c.sqnrDb())) {
                LayerError local = localError(l);
                return new Results.Divergence(thresholdDb, l.node(), local, c, !(local.sqnrDb() >= thresholdDb));
            }
        }
        return new Results.Divergence(thresholdDb, null, null, null, false);
    }

    /** Statistics, histograms and the {@code top} worst elements of one layer's output, FP32 vs quantized. */
    public Results.LayerDetail show(String node, int top, int bins) {
        LayerPlan l = layer(node);
        ensureRun();
        float[] ref = concat(reference.outputs.get(node));
        float[] q = concat(quantized.outputs.get(node));
        int[] rowShape = rowShape(reference.outputs.get(node).get(0));
        int rowSize = Math.max(1, Arrays.stream(rowShape).reduce(1, (a, b) -> a * b));
        Integer[] order = new Integer[ref.length];
        for (int i = 0; i < order.length; i++) {
            order[i] = i;
        }
        Arrays.sort(order, Comparator.comparingDouble((Integer i) -> -absError(ref[i], q[i])).thenComparingInt(i -> i));
        List<Results.Element> worst = new ArrayList<>();
        for (int k = 0; k < Math.min(top, order.length); k++) {
            int i = order[k];
            worst.add(new Results.Element(i / rowSize, unravel(i % rowSize, rowShape), ref[i], q[i], (float) absError(ref[i], q[i])));
        }
        return new Results.LayerDetail(node, formatOf(l), rowShape, stats(ref), stats(q),
                LayerError.of(ref, q, Clipping.share(l, concatInput(quantized, l))), Histogram.of(ref, q, bins), worst);
    }

    /** Sets a layer to a format (weights and activations as the search would: {@code int8} is per-channel weights, per-tensor activations). */
    public Results.Edited set(String node, String format) {
        LayerPlan l = layer(node);
        FormatRegistry.parse(format);
        requireFp32Weights("set");
        Candidate c = Candidate.of(format, l.role());
        if (c == null) {
            throw new IllegalArgumentException("set: format " + format + " does not apply to layer '" + node + "' (" + l.role() + ")");
        }
        LayerPlan edited = c.applyTo(l);
        plan = plan.with(edited);
        return new Results.Edited(node, edited.weightFormat(), edited.activationFormat(), "set " + node + " to " + format);
    }

    /** Keeps a layer in FP32. */
    public Results.Edited fp32(String node) {
        LayerPlan l = layer(node);
        requireFp32Weights("fp32");
        plan = plan.with(l.withWeightFormat(LayerPlan.FP32).withActivationFormat(LayerPlan.FP32));
        return new Results.Edited(node, LayerPlan.FP32, LayerPlan.FP32, node + " kept in fp32");
    }

    /** Back to the plan the session started with. */
    public Results.Edited reset() {
        plan = initialPlan;
        return new Results.Edited(null, null, null, "plan reset to the starting plan");
    }

    /**
     * The smallest set of layers to keep in FP32 so the end-to-end metric meets the budget: each
     * quantized layer's gain from being kept FP32 alone is measured, layers are added to the FP32
     * set by gain until the budget holds, then each is dropped again (smallest gain first) while the
     * budget still holds. Any set can result, not only a prefix. The session's plan becomes the result.
     */
    public Results.Bisection bisect(Budget budget) {
        requireFp32Weights("bisect");
        Evaluator ev = evaluator();
        Metric m = budget == null ? ev.task().primary() : budget.metric();
        Budget b = budget == null ? Budget.defaultFor(m) : budget;
        if (!ev.fp32Metrics().containsKey(m)) {
            throw new IllegalArgumentException("bisect: metric " + m.id() + " is not measured for a " + ev.task()
                    + " task (available: " + ev.task().metrics().stream().map(Metric::id).toList() + ")");
        }
        double fp32 = ev.fp32Metrics().get(m);
        int evaluations = 1;
        double before = ev.evaluate(plan).get(m);
        List<LayerPlan> quantizedLayers = plan.layers().stream().filter(l -> !l.isFp32()).toList();
        Map<String, Double> gain = new LinkedHashMap<>();
        if (!b.met(fp32, before)) {
            for (LayerPlan l : quantizedLayers) {
                double v = ev.evaluate(withFp32(plan, List.of(l.node()))).get(m);
                evaluations++;
                gain.put(l.node(), m.higherIsBetter() ? v - before : before - v);
            }
        }
        List<String> byGain = new ArrayList<>(gain.keySet());
        byGain.sort(Comparator.comparingDouble((String s) -> -gain.get(s)));
        List<String> kept = new ArrayList<>();
        double value = before;
        for (String s : byGain) {
            if (b.met(fp32, value)) {
                break;
            }
            kept.add(s);
            value = ev.evaluate(withFp32(plan, kept)).get(m);
            evaluations++;
        }
        for (int i = kept.size() - 1; i >= 0 && b.met(fp32, value); i--) {
            List<String> fewer = new ArrayList<>(kept);
            fewer.remove(i);
            double v = ev.evaluate(withFp32(plan, fewer)).get(m);
            evaluations++;
            if (b.met(fp32, v)) {
                kept = fewer;
                value = v;
            }
        }
        plan = withFp32(plan, kept);
        List<String> inOrder = layerNames().stream().filter(kept::contains).toList();
        return new Results.Bisection(b.toString(), m, fp32, before, value, b.met(fp32, value), inOrder, gain, evaluations);
    }

    private static QuantPlan withFp32(QuantPlan p, List<String> keep) {
        return p.map(l -> keep.contains(l.node()) ? l.withWeightFormat(LayerPlan.FP32).withActivationFormat(LayerPlan.FP32) : l);
    }

    /** The evaluator behind {@code bisect}: the first {@code evalRows} rows of the data, FP32 outputs cached. */
    public Evaluator evaluator() {
        if (evaluator == null) {
            evaluator = new Evaluator(model, data, evalRows, batchSize, parallelism);
        }
        return evaluator;
    }

    /**
     * Writes the edited plan, and an artifact when the FP32 model is known. A target ending in
     * {@code .json} gets the plan only; any other target is the artifact, with the plan next to it as
     * {@code TARGET.plan.json}.
     */
    public Results.Saved save(Path target, String toolVersion) throws IOException {
        String name = target.getFileName().toString();
        if (name.endsWith(".json")) {
            writeAtomically(target, plan.toJson());
            return new Results.Saved(target.toString(), null, "plan written");
        }
        Path planFile = target.resolveSibling(name + ".plan.json");
        writeAtomically(planFile, plan.toJson());
        if (fp32Source == null) {
            return new Results.Saved(planFile.toString(), null, "no artifact written: the FP32 model is unknown "
                    + "(start the debugger on the .onnx model, or give --fp32 MODEL.onnx); the plan is in " + planFile);
        }
        ArtifactWriter.write(target, fp32Source.model(), fp32Source.bytes(), fp32Source.fileName(), plan, null, null, toolVersion);
        return new Results.Saved(planFile.toString(), target.toString(), "artifact and plan written");
    }

    /**
     * Writes one layer's outputs on the run rows as Arrow IPC: columns {@code reference} (FP32),
     * {@code quantized} (the quantized model's own output: cumulative) and {@code local} (the layer
     * alone, quantized, on FP32 input); one record batch per run batch.
     */
    public Results.Dumped dump(String node, Path file) {
        LayerPlan l = layer(node);
        ensureRun();
        List<Tensor> ref = reference.outputs.get(node);
        List<Tensor> q = quantized.outputs.get(node);
        List<Tensor> local = localOutputs(l);
        int[] rowShape = rowShape(ref.get(0));
        List<ColumnSpec> cols = List.of(new ColumnSpec("reference", DataType.FLOAT32, rowShape),
                new ColumnSpec("quantized", DataType.FLOAT32, rowShape), new ColumnSpec("local", DataType.FLOAT32, rowShape));
        try (ArrowWriter w = ArrowWriter.create(file, cols)) {
            for (int i = 0; i < ref.size(); i++) {
                Map<String, Tensor> c = new LinkedHashMap<>();
                c.put("reference", ref.get(i));
                c.put("quantized", q.get(i));
                c.put("local", local.get(i));
                w.write(new Batch(c, ref.get(i).shape()[0]));
            }
            w.commit();
        }
        return new Results.Dumped(file.toString(), node, rows, cols.stream().map(ColumnSpec::name).toList());
    }

    // --- internals ---

    private LayerPlan layer(String node) {
        LayerPlan l = plan.layer(node);
        if (l == null) {
            throw new IllegalArgumentException("unknown layer '" + node + "' (layers: " + String.join(", ", layerNames()) + ")");
        }
        return l;
    }

    private void requireFp32Weights(String command) {
        if (weightsBaked) {
            throw new IllegalArgumentException(command + ": the artifact holds quantized weights only; "
                    + "start the debugger with --fp32 MODEL.onnx to change weight formats");
        }
    }

    static String formatOf(LayerPlan l) {
        if (l.isFp32()) {
            return LayerPlan.FP32;
        }
        return l.weightFormat().equals(l.activationFormat()) ? l.weightFormat() : "w:" + l.weightFormat() + " a:" + l.activationFormat();
    }

    private LayerError cumulativeError(LayerPlan l) {
        return LayerError.of(concat(reference.outputs.get(l.node())), concat(quantized.outputs.get(l.node())),
                Clipping.share(l, concatInput(quantized, l)));
    }

    private LayerError localError(LayerPlan l) {
        if (l.isFp32()) {
            return LayerError.EXACT;
        }
        return LayerError.of(concat(reference.outputs.get(l.node())), concat(localOutputs(l)),
                Clipping.share(l, concatInput(reference, l)));
    }

    /** The layer alone, as a one-node model with the layer's plan, run on the FP32 inputs it saw. */
    private List<Tensor> localOutputs(LayerPlan l) {
        if (l.isFp32()) {
            return reference.outputs.get(l.node());
        }
        Node n = nodes.get(l.node());
        Graph g = model.graph();
        List<ValueInfo> inputs = new ArrayList<>();
        for (String in : n.inputs()) {
            if (!in.isEmpty() && !initializers.contains(in)) {
                inputs.add(new ValueInfo(in, null, null));
            }
        }
        Map<String, Tensor> inits = new LinkedHashMap<>();
        for (String in : n.inputs()) {
            if (initializers.contains(in)) {
                inits.put(in, g.initializers().get(in));
            }
        }
        Graph one = new Graph(g.name() + " / " + l.node(), List.of(n), inputs, List.of(new ValueInfo(n.outputs().get(0), null, null)),
                inits, List.of());
        Model m = new Model(model.irVersion(), model.opsets(), model.producerName(), model.producerVersion(), one, model.metadata());
        Executor e = Executor.builder(m).parallelism(parallelism).fuse(false)
                .interceptor(new PlanInterceptor(m, new QuantPlan(List.of(l)), parallelism, !weightsBaked)).build();
        List<Tensor> out = new ArrayList<>();
        for (Map<String, Tensor> in : reference.inputs.get(l.node())) {
            out.add(e.run(in).get(n.outputs().get(0)));
        }
        return out;
    }

    /** The first activation input of a layer over all batches, before fake quantization. */
    private float[] concatInput(Capture c, LayerPlan l) {
        Node n = nodes.get(l.node());
        List<Tensor> parts = new ArrayList<>();
        for (Map<String, Tensor> in : c.inputs.get(l.node())) {
            for (String name : n.inputs()) {
                Tensor t = in.get(name);
                if (t != null && t.type() == DataType.FLOAT32) {
                    parts.add(t);
                    break;
                }
            }
        }
        return concat(parts);
    }

    private static float[] concat(List<Tensor> parts) {
        int total = 0;
        for (Tensor t : parts) {
            total += t.size();
        }
        float[] out = new float[total];
        int pos = 0;
        for (Tensor t : parts) {
            float[] f = t.floats();
            System.arraycopy(f, 0, out, pos, f.length);
            pos += f.length;
        }
        return out;
    }

    /** The first {@code k} rows (along axis 0) of a tensor. */
    private static Tensor firstRows(Tensor t, int k) {
        int[] shape = t.shape().clone();
        int per = shape[0] == 0 ? 0 : t.size() / shape[0];
        shape[0] = k;
        int len = k * per;
        return switch (t.type().storage()) {
            case FLOAT -> Tensor.ofFloats(t.type(), shape, Arrays.copyOf(t.floats(), len));
            case DOUBLE -> Tensor.ofDoubles(shape, Arrays.copyOf(t.doubles(), len));
            case LONG -> Tensor.ofLongs(t.type(), shape, Arrays.copyOf(t.longs(), len));
            case STRING -> Tensor.ofStrings(shape, Arrays.copyOf(t.strings(), len));
        };
    }

    private static int[] rowShape(Tensor t) {
        int[] s = t.shape();
        return s.length == 0 ? new int[0] : Arrays.copyOfRange(s, 1, s.length);
    }

    private static int[] unravel(int i, int[] shape) {
        int[] idx = new int[shape.length];
        for (int d = shape.length - 1; d >= 0; d--) {
            idx[d] = i % shape[d];
            i /= shape[d];
        }
        return idx;
    }

    private static double absError(float a, float b) {
        double e = Math.abs((double) a - b);
        return Double.isNaN(e) ? Double.POSITIVE_INFINITY : e;
    }

    private static Results.Stats stats(float[] x) {
        double min = Double.POSITIVE_INFINITY;
        double max = Double.NEGATIVE_INFINITY;
        double sum = 0;
        double sq = 0;
        for (float v : x) {
            min = Math.min(min, v);
            max = Math.max(max, v);
            sum += v;
            sq += (double) v * v;
        }
        double mean = x.length == 0 ? Double.NaN : sum / x.length;
        double var = x.length == 0 ? Double.NaN : Math.max(0, sq / x.length - mean * mean);
        return new Results.Stats(x.length, min, max, mean, Math.sqrt(var));
    }

    private static void writeAtomically(Path target, String text) throws IOException {
        Path abs = target.toAbsolutePath();
        Path tmp = AtomicFiles.createTemp(abs, ".tmp");
        try {
            Files.writeString(tmp, text, StandardCharsets.UTF_8);
            AtomicFiles.commit(tmp, abs);
        } finally {
            Files.deleteIfExists(tmp);
        }
    }
}
