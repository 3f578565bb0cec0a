package dev.quantize.quantizer.search;

import dev.quantize.core.data.Batch;
import dev.quantize.core.data.BatchReader;
import dev.quantize.core.data.Dataset;
import dev.quantize.core.data.DatasetBinding;
import dev.quantize.core.exec.Executor;
import dev.quantize.core.graph.Model;
import dev.quantize.core.kernel.Parallelism;
import dev.quantize.core.tensor.Tensor;
import dev.quantize.quantizer.emulate.PlanInterceptor;
import dev.quantize.quantizer.plan.QuantPlan;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * Evaluates plans on a fixed evaluation sample: the sample (up to {@code maxRows} rows) and the FP32
 * outputs are computed once and kept, then every plan runs the same rows, so metric differences
 * come from quantization alone. The task is read from the model's output and the labels.
 */
public final class Evaluator {
    private final Model model;
    private final Parallelism parallelism;
    private final List<Map<String, Tensor>> inputs = new ArrayList<>();
    private final String output;
    private final float[] labels; // null without labels
    private final float[] reference;
    private final int rows;
    private final int classes;
    private final Task task;
    private final Map<Metric, Double> fp32;
    private final Map<String, LayerWork> workPerRow;

    public Evaluator(Model model, Dataset data, int maxRows, int batchSize, Parallelism parallelism) {
        this.model = model;
        this.parallelism = parallelism;
        this.output = model.graph().outputs().get(0).name();
        DatasetBinding binding = DatasetBinding.bind(data, model.graph().runtimeInputs());
        List<Tensor> labelParts = new ArrayList<>();
        int n = 0;
        try (BatchReader r = data.batches(batchSize)) {
            while (r.hasNext() && n < maxRows) {
                Batch b = r.next();
                inputs.add(binding.feed(b));
                b.labels().ifPresent(labelParts::add);
                n += b.rows();
            }
        }
        if (n == 0) {
            throw new IllegalArgumentException(data.name() + ": no rows to evaluate on");
        }
        this.rows = n;
        this.labels = labelParts.isEmpty() ? null : concat(labelParts);
        WorkCounter work = new WorkCounter(model);
        this.reference = runAll(Executor.builder(model).parallelism(parallelism).listener(work).build());
        this.workPerRow = work.perRow();
        this.classes = reference.length / rows;
        this.task = TaskMetrics.taskOf(labels, classes);
        this.fp32 = metrics(reference);
    }

    private static float[] concat(List<Tensor> parts) {
        int total = 0;
        for (Tensor t : parts) {
            total += t.size();
        }
        float[] out = new float[total];
        int pos = 0;
        for (Tensor t : parts) {
            for (int i = 0; i < t.size(); i++) {
                out[pos++] = (float) t.getDouble(i);
            }
        }
        return out;
    }

    private float[] runAll(Executor executor) {
        return runAll(executor, inputs);
    }

    /** The evaluated output of every feed, concatenated in order. */
    private float[] runAll(Executor executor, List<Map<String, Tensor>> feeds) {
        List<float[]> parts = new ArrayList<>();
        int total = 0;
        for (Map<String, Tensor> in : feeds) {
            float[] o = executor.run(in).get(output).floats();
            parts.add(o);
            total += o.length;
        }
        float[] out = new float[total];
        int pos = 0;
        for (float[] p : parts) {
            System.arraycopy(p, 0, out, pos, p.length);
            pos += p.length;
        }
        return out;
    }

    public Task task() {
        return task;
    }

    public int rows() {
        return rows;
    }

    public Map<Metric, Double> fp32Metrics() {
        return fp32;
    }

    /** The work per row of every quantizable node (multiply-adds or gathered elements, inputs, outputs), from the FP32 run. */
    public Map<String, LayerWork> workPerRow() {
        return workPerRow;
    }

    /** The metrics of a plan on the evaluation sample. */
    public Map<Metric, Double> evaluate(QuantPlan plan) {
        Executor q = Executor.builder(model).parallelism(parallelism)
                .interceptor(new PlanInterceptor(model, plan, parallelism)).build();
        return metrics(runAll(q));
    }

    /**
     * The metrics of plans that each quantize only layers at or after {@code node}: the FP32 values
     * entering that part of the model are computed once, and each plan re-runs only the part from
     * {@code node} on (bit-identical to a full run, since everything before it is FP32).
     */
    public List<Map<Metric, Double>> evaluateFrom(String node, List<QuantPlan> plans) {
        Suffix suffix = Suffix.from(model, node);
        if (suffix.model().graph().outputs().stream().noneMatch(o -> o.name().equals(output))) {
            return plans.stream().map(p -> fp32).toList(); // the node does not reach the evaluated output
        }
        Executor prefix = Executor.builder(model).parallelism(parallelism).build();
        List<Map<String, Tensor>> boundary = new ArrayList<>();
        for (Map<String, Tensor> in : inputs) {
            boundary.add(prefix.run(in, suffix.boundary()));
        }
        java.util.Set<String> inSuffix = new java.util.HashSet<>();
        suffix.model().graph().nodes().forEach(n -> inSuffix.add(n.displayName()));
        List<Map<Metric, Double>> out = new ArrayList<>();
        for (QuantPlan plan : plans) {
            for (var l : plan.layers()) {
                if (!l.isFp32() && !inSuffix.contains(l.node())) {
                    throw new IllegalArgumentException("plan quantizes '" + l.node() + "', which is before '" + node + "'");
                }
            }
            QuantPlan local = new QuantPlan(plan.layers().stream().filter(l -> inSuffix.contains(l.node())).toList());
            Executor q = Executor.builder(suffix.model()).parallelism(parallelism)
                    .interceptor(new PlanInterceptor(suffix.model(), local, parallelism)).build();
            out.add(metrics(runAll(q, boundary)));
        }
        return out;
    }

    private Map<Metric, Double> metrics(float[] out) {
        return TaskMetrics.compute(task, out, labels, classes, reference);
    }
}
