package dev.quantize.quantizer.search;

import dev.quantize.core.format.FormatRegistry;
import dev.quantize.core.graph.Model;
import dev.quantize.quantizer.plan.LayerPlan;
import dev.quantize.quantizer.plan.QuantPlan;
import java.util.Locale;
import java.util.Map;

/**
 * What a plan costs, which the search minimises: the bytes of its weights as packed (the default:
 * model size, what embedding-heavy CTR models are bound by), bit-operations per row (multiply-adds
 * x weight bits x activation bits, the compute a low-precision accelerator spends; a table lookup
 * counts its gathered elements x weight bits), or the estimated time per row of the plan served
 * packed on this project's kernels ({@link #serveTime}). The search breaks ties on cost by weight bytes.
 */
public interface CostModel {
    String name();

    long of(LayerPlan layer);

    default long of(QuantPlan plan) {
        long total = 0;
        for (LayerPlan l : plan.layers()) {
            total += of(l);
        }
        return total;
    }

    static CostModel weightBytes(Model model) {
        return new CostModel() {
            public String name() {
                return "weight-bytes";
            }

            public long of(LayerPlan layer) {
                return LayerCost.weightBytes(model, layer);
            }
        };
    }

    /** Bit-operations per evaluated row; {@code workPerRow} is each layer's multiply-adds (or gathered elements) per row. */
    static CostModel bitOps(Map<String, Long> workPerRow) {
        return new CostModel() {
            public String name() {
                return "bit-ops";
            }

            public long of(LayerPlan layer) {
                long work = workPerRow.getOrDefault(layer.node(), 0L);
                double w = layer.weight().isEmpty() ? 1 : bits(layer.weightFormat());
                double a = layer.role() == dev.quantize.core.graph.ModelSummary.Role.EMBEDDING ? 1 : bits(layer.activationFormat());
                return Math.round(work * w * a);
            }
        };
    }

    /**
     * Estimated time per row served packed ({@code PackedModel}), in FP32 multiply-add units: each
     * layer priced by the kernel it will run as (see {@link ServeKernel} and the measured rates in
     * {@code ServeTime}); {@code workPerRow} from {@link Evaluator#workPerRow()}.
     */
    static CostModel serveTime(Model model, Map<String, LayerWork> workPerRow) {
        return new ServeTime(model, workPerRow);
    }

    /** The cost model named {@code name} (weight-bytes, bit-ops or serve-time). */
    static CostModel parse(String name, Model model, Map<String, LayerWork> workPerRow) {
        return switch (name.toLowerCase(Locale.ROOT)) {
            case "weight-bytes", "bytes" -> weightBytes(model);
            case "bit-ops", "bitops" -> bitOps(macs(workPerRow));
            case "serve-time" -> serveTime(model, workPerRow);
            default -> throw new IllegalArgumentException("unknown cost '" + name + "' (expected weight-bytes, bit-ops or serve-time)");
        };
    }

    private static Map<String, Long> macs(Map<String, LayerWork> work) {
        Map<String, Long> out = new java.util.HashMap<>();
        work.forEach((k, v) -> out.put(k, v.macs()));
        return out;
    }

    private static double bits(String format) {
        return FormatRegistry.parse(format).bitsPerElement();
    }
}
