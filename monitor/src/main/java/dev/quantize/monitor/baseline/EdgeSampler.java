package dev.quantize.monitor.baseline;

import dev.quantize.core.exec.ExecutionListener;
import dev.quantize.core.exec.NodeContext;
import dev.quantize.core.metrics.BinnedDistribution;
import dev.quantize.core.tensor.DataType;
import dev.quantize.core.tensor.Tensor;
import dev.quantize.monitor.window.InputFeatures;
import dev.quantize.monitor.window.LayerWatch;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.TreeMap;

/**
 * The first pass of a baseline: a uniform sample (reservoir, seeded, at most {@link #CAPACITY}
 * values each) of every input feature and of every watched layer's activation input on the FP32
 * executor, from which the bin edges (deciles) are taken. Memory is bounded by the capacity, not by
 * the data.
 */
final class EdgeSampler implements ExecutionListener {
    static final int CAPACITY = 20_000;
    static final int BINS = 10;

    private final Map<String, LayerWatch> watches = new HashMap<>();
    private final Map<String, Reservoir> inputs = new TreeMap<>();
    private final Map<String, Reservoir> activations = new TreeMap<>();

    EdgeSampler(List<LayerWatch> watched) {
        watched.forEach(w -> watches.put(w.node(), w));
    }

    void addFeed(Map<String, Tensor> feed) {
        InputFeatures.of(feed).forEach((k, v) -> inputs.computeIfAbsent(k, Reservoir::new).addAll(v));
    }

    @Override
    public void afterNode(NodeContext node, List<Tensor> in, List<Tensor> out) {
        LayerWatch w = watches.get(node.name());
        if (w == null) {
            return;
        }
        for (int i : w.activationInputs()) {
            Tensor t = i < in.size() ? in.get(i) : null;
            if (t != null && t.type().storage() == DataType.Storage.FLOAT) {
                activations.computeIfAbsent(w.node(), Reservoir::new).addAll(t.floats());
            }
        }
    }

    Map<String, double[]> inputEdges() {
        return edges(inputs);
    }

    Map<String, double[]> activationEdges() {
        return edges(activations);
    }

    private static Map<String, double[]> edges(Map<String, Reservoir> rs) {
        Map<String, double[]> out = new TreeMap<>();
        rs.forEach((k, r) -> out.put(k, BinnedDistribution.quantileEdges(r.sample(), BINS)));
        return out;
    }

    /** Algorithm R with a generator seeded by the key, so the same data gives the same edges. */
    private static final class Reservoir {
        private final float[] values = new float[CAPACITY];
        private final Random random;
        private long seen;

        Reservoir(String key) {
            random = new Random(0x5eed ^ key.hashCode());
        }

        void addAll(float[] v) {
            for (float x : v) {
                if (seen < CAPACITY) {
                    values[(int) seen] = x;
                } else {
                    long j = (long) (random.nextDouble() * (seen + 1));
                    if (j < CAPACITY) {
                        values[(int) j] = x;
                    }
                }
                seen++;
            }
        }

        float[] sample() {
            return Arrays.copyOf(values, (int) Math.min(seen, CAPACITY));
        }
    }
}
