package dev.quantize.cli;

import dev.quantize.core.graph.Model;
import dev.quantize.quantizer.plan.LayerPlan;
import dev.quantize.quantizer.search.LayerCost;
import dev.quantize.quantizer.search.Metric;
import dev.quantize.quantizer.search.SearchReport;
import dev.quantize.quantizer.search.SearchResult;
import java.io.PrintWriter;
import java.util.Locale;
import java.util.Map;

/** The human report of the main job: the per-layer table, the totals, the metrics and the Pareto front. */
final class QuantizeReport {
    private QuantizeReport() {
    }

    static void print(PrintWriter out, SearchResult r, Model model) {
        Table t = new Table("layer", "op", "format", "weights", "activations", "sensitivity", "bytes", "fp32 bytes");
        for (LayerPlan l : r.plan().layers()) {
            SearchResult.Sensitivity s = r.sensitivity(l.node(), SearchReport.candidateOf(l));
            t.row(l.node(), l.op(), SearchReport.candidateOf(l), l.weight().isEmpty() ? "-" : l.weightFormat(),
                    l.activationFormat(), s == null ? "-" : String.format(Locale.ROOT, "%+.5f", s.degradation()),
                    Bytes.human(LayerCost.weightBytes(model, l)), Bytes.human(LayerCost.weightBytes(model, l.withWeightFormat(LayerPlan.FP32))));
        }
        t.print(out);
        out.println();
        out.printf(Locale.ROOT, "weights: %s quantized vs %s FP32 (%.1f%%)%n", Bytes.human(r.bytes()), Bytes.human(r.fp32Bytes()),
                100.0 * r.bytes() / Math.max(1, r.fp32Bytes()));
        Table m = new Table("metric", "fp32", "quantized");
        for (Map.Entry<Metric, Double> e : r.fp32Metrics().entrySet()) {
            m.row(e.getKey().label(), value(e.getValue()), value(r.metrics().get(e.getKey())));
        }
        m.print(out);
        double limit = r.budget().limit(r.fp32Metrics().get(r.budget().metric()));
        out.printf(Locale.ROOT, "budget %s (limit %s): %s%n", r.budget(), value(limit), r.budgetMet() ? "met" : "NOT met");
        out.println();
        out.println("Pareto front of the " + r.tried().size() + " verified plans (size vs " + r.budget().metric().id() + "):");
        Table p = new Table("plan", "bytes", r.budget().metric().id(), "within budget");
        for (SearchResult.PlanPoint pt : r.pareto()) {
            p.row(pt.label(), Bytes.human(pt.bytes()), value(pt.metrics().get(r.budget().metric())), pt.withinBudget() ? "yes" : "no");
        }
        p.print(out);
        out.flush();
    }

    /** The searched plan next to the uniform plans, on the same evaluation rows. */
    static void printUniform(PrintWriter out, SearchResult r, java.util.List<dev.quantize.quantizer.search.UniformPlans.Row> rows) {
        out.println();
        Metric primary = r.budget().metric();
        Table t = new Table("plan", "weight bytes", "% of fp32", primary.id(), "within budget");
        t.row("fp32", Bytes.human(r.fp32Bytes()), "100.0", value(r.fp32Metrics().get(primary)), "yes");
        for (var u : rows) {
            t.row("uniform " + u.format(), Bytes.human(u.bytes()), String.format(Locale.ROOT, "%.1f", 100.0 * u.bytes() / r.fp32Bytes()),
                    value(u.metrics().get(primary)), u.withinBudget() ? "yes" : "no");
        }
        t.row("searched", Bytes.human(r.bytes()), String.format(Locale.ROOT, "%.1f", 100.0 * r.bytes() / r.fp32Bytes()),
                value(r.metrics().get(primary)), r.budgetMet() ? "yes" : "no");
        t.print(out);
        out.flush();
    }

    private static String value(Double v) {
        if (v == null) {
            return "-";
        }
        return Double.isInfinite(v) ? "exact" : String.format(Locale.ROOT, "%.5f", v);
    }
}
