package dev.quantize.quantizer.search;

import dev.quantize.quantizer.plan.QuantPlan;
import java.util.List;
import java.util.Map;

/**
 * What a search found: the chosen plan with its verified metrics, the FP32 baseline, every layer's
 * sensitivity to every candidate, every plan it verified and the Pareto front (size vs primary
 * metric) among them. {@code bytes} are always the weight bytes; {@code cost} is what the search
 * minimised ({@code costModel}).
 */
public record SearchResult(Task task, Budget budget, QuantPlan plan, Map<Metric, Double> metrics,
                           Map<Metric, Double> fp32Metrics, boolean budgetMet, long bytes, long fp32Bytes,
                           String costModel, long cost, long fp32Cost,
                           List<Sensitivity> sensitivities, List<PlanPoint> tried, List<PlanPoint> pareto) {

    /** The primary metric when one layer alone takes one candidate. {@code degradation} > 0 is worse than FP32. */
    public record Sensitivity(String layer, String candidate, double value, double degradation, long cost) {
    }

    /** A verified plan: its label, weight bytes, cost and metrics, and whether it met the budget. */
    public record PlanPoint(String label, QuantPlan plan, long bytes, long cost, Map<Metric, Double> metrics, boolean withinBudget) {
    }

    /** The sensitivity of a layer to a candidate, or null if it was not measured. */
    public Sensitivity sensitivity(String layer, String candidate) {
        for (Sensitivity s : sensitivities) {
            if (s.layer().equals(layer) && s.candidate().equals(candidate)) {
                return s;
            }
        }
        return null;
    }
}
