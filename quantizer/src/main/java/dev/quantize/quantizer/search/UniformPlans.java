package dev.quantize.quantizer.search;

import dev.quantize.core.graph.Model;
import dev.quantize.quantizer.plan.ActivationRange;
import dev.quantize.quantizer.plan.QuantPlan;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * The yardstick for a search: one format everywhere it applies (the same candidate for every layer,
 * with the same calibrated activation ranges the search uses), evaluated on the same sample.
 */
public final class UniformPlans {
    /** The uniform plans the reports compare against. */
    public static final List<String> STANDARD = List.of("fp16", "int8", "mxfp8_e4m3", "mxfp6_e2m3", "mxfp4_e2m1");

    /** One uniform plan's size and metrics. */
    public record Row(String format, QuantPlan plan, long bytes, Map<Metric, Double> metrics, boolean withinBudget) {
    }

    private UniformPlans() {
    }

    public static QuantPlan plan(Model model, String format, Map<String, ActivationRange> ranges) {
        return QuantPlan.fp32(model).map(l -> {
            Candidate c = Candidate.of(format, l.role());
            return (c == null ? l : c.applyTo(l)).withActivationRange(ranges.get(l.node()));
        });
    }

    public static List<Row> evaluate(Model model, Evaluator evaluator, Budget budget, List<String> formats,
                                     Map<String, ActivationRange> ranges) {
        double fp32 = evaluator.fp32Metrics().get(budget.metric());
        List<Row> rows = new ArrayList<>();
        for (String f : formats) {
            QuantPlan p = plan(model, f, ranges);
            Map<Metric, Double> m = evaluator.evaluate(p);
            rows.add(new Row(f, p, LayerCost.weightBytes(model, p), m, budget.met(fp32, m.get(budget.metric()))));
        }
        return rows;
    }
}
