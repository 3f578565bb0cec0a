package dev.quantize.monitor.window;

import dev.quantize.core.data.Batch;
import dev.quantize.core.data.DatasetBinding;
import dev.quantize.core.exec.ExecutionListener;
import dev.quantize.core.exec.Executor;
import dev.quantize.core.exec.NodeContext;
import dev.quantize.core.graph.Model;
import dev.quantize.core.kernel.Parallelism;
import dev.quantize.core.tensor.DataType;
import dev.quantize.core.tensor.Tensor;
import dev.quantize.quantizer.emulate.PlanInterceptor;
import dev.quantize.quantizer.plan.QuantPlan;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Runs the FP32 reference and the quantized model on the same batches and adds what they show to a
 * {@link WindowStats}, one batch at a time (memory: one batch and its watched layer outputs).
 * Observation goes through the executors' hooks only:
 * <ul>
 * <li>FP32 executor, listener: each watched layer's activation inputs (their distribution) and
 *     output (kept for this batch);</li>
 * <li>quantized executor, interceptor placed before the plan's: the activation inputs as they arrive,
 *     before fake quantization (saturation against the calibrated bounds);</li>
 * <li>quantized executor, listener: each watched layer's output, compared with the FP32 one.</li>
 * </ul>
 * Not thread-safe: a distributed job builds one collector per task.
 */
public final class WindowCollector {
    private final Executor reference;
    private final Executor quantized;
    private final String output;
    private final Map<String, LayerWatch> watches = new LinkedHashMap<>();
    private final Map<String, Tensor> referenceOutputs = new HashMap<>();
    private WindowStats stats;

    /**
     * @param fp32 the FP32 model (or, without it, the artifact's emulation model: then the reference
     *             has quantized weights and only activation quantization is measured)
     * @param quantModel the model the plan runs on (an artifact's emulation model)
     * @param quantizeWeights false when {@code quantModel}'s initializers already hold the quantized weights
     */
    public WindowCollector(Model fp32, Model quantModel, QuantPlan plan, boolean quantizeWeights, Parallelism parallelism) {
        for (LayerWatch w : LayerWatch.of(plan)) {
            watches.put(w.node(), w);
        }
        this.output = fp32.graph().outputs().get(0).name();
        this.reference = Executor.builder(fp32).parallelism(parallelism).listener(new ReferenceHook()).build();
        QuantizedHook q = new QuantizedHook();
        this.quantized = Executor.builder(quantModel).parallelism(parallelism).interceptor(q)
                .interceptor(new PlanInterceptor(quantModel, plan, parallelism, quantizeWeights)).listener(q).build();
    }

    /** The layers watched, in plan order. */
    public List<LayerWatch> watches() {
        return List.copyOf(watches.values());
    }

    /** Runs both models on one batch (inputs already bound to the model) and adds it to {@code into}. */
    public void add(WindowStats into, Map<String, Tensor> feed, Tensor labels, int rows) {
        this.stats = into;
        try {
            InputFeatures.of(feed).forEach(into::addInput);
            Tensor ref = reference.run(feed).get(output);
            Tensor q = quantized.run(feed).get(output);
            into.addOutputs(InputFeatures.values(ref), InputFeatures.values(q), labels == null ? null : InputFeatures.values(labels), rows);
        } finally {
            referenceOutputs.clear();
            this.stats = null;
        }
    }

    /** As {@link #add(WindowStats, Map, Tensor, int)} for a dataset batch, bound with {@code binding}. */
    public void add(WindowStats into, DatasetBinding binding, Batch batch) {
        add(into, binding.feed(batch), batch.labels().orElse(null), batch.rows());
    }

    private static boolean isFloat(Tensor t) {
        return t != null && t.type().storage() == DataType.Storage.FLOAT;
    }

    private final class ReferenceHook implements ExecutionListener {
        @Override
        public void afterNode(NodeContext node, List<Tensor> inputs, List<Tensor> outputs) {
            LayerWatch w = watches.get(node.name());
            if (w == null) {
                return;
            }
            for (int i : w.activationInputs()) {
                if (i < inputs.size() && isFloat(inputs.get(i))) {
                    stats.addActivation(w.node(), inputs.get(i).floats());
                }
            }
            if (isFloat(outputs.get(0))) {
                referenceOutputs.put(w.node(), outputs.get(0));
            }
        }
    }

    private final class QuantizedHook implements ExecutionListener, dev.quantize.core.exec.NodeInterceptor {
        @Override
        public List<Tensor> interceptInputs(NodeContext node, List<Tensor> inputs) {
            LayerWatch w = watches.get(node.name());
            if (w != null && w.hasBounds()) {
                for (int i : w.activationInputs()) {
                    if (i < inputs.size() && isFloat(inputs.get(i))) {
                        stats.addSaturation(w.node(), inputs.get(i).floats(), w.lo(), w.hi());
                    }
                }
            }
            return inputs;
        }

        @Override
        public void afterNode(NodeContext node, List<Tensor> inputs, List<Tensor> outputs) {
            Tensor ref = referenceOutputs.get(node.name());
            if (ref != null && isFloat(outputs.get(0)) && outputs.get(0).size() == ref.size()) {
                stats.addLayerOutput(node.name(), ref.floats(), outputs.get(0).floats());
            }
        }
    }
}
