package dev.quantize.quantizer.search;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.quantize.core.graph.Model;
import dev.quantize.quantizer.plan.LayerPlan;
import java.util.Map;

/**
 * The machine-readable report of a search: what `quantize --json` prints and what the artifact
 * stores. Per layer: the chosen formats, their bytes, and the layer's sensitivity to its chosen
 * candidate; totals; the FP32 and quantized metrics; the budget; the Pareto front.
 */
public final class SearchReport {
    private static final ObjectMapper JSON = new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT);

    private SearchReport() {
    }

    /** The candidate name a layer's formats came from ("fp32" when untouched). */
    public static String candidateOf(LayerPlan l) {
        if (l.isFp32()) {
            return "fp32";
        }
        if (l.weightFormat().equals("int8_per_channel") || l.activationFormat().equals("int8_per_tensor")) {
            return "int8";
        }
        return l.weight().isEmpty() ? l.activationFormat() : l.weightFormat();
    }

    public static ObjectNode toJson(SearchResult r, Model model) {
        ObjectNode root = JsonNodeFactory.instance.objectNode();
        root.put("task", r.task().name().toLowerCase());
        root.put("budget", r.budget().toString());
        root.put("budget_met", r.budgetMet());
        root.put("primary_metric", r.budget().metric().id());
        root.put("budget_limit", finite(r.budget().limit(r.fp32Metrics().get(r.budget().metric()))));
        root.set("fp32", metrics(r.fp32Metrics()));
        root.set("quantized", metrics(r.metrics()));
        root.put("weight_bytes", r.bytes());
        root.put("fp32_weight_bytes", r.fp32Bytes());
        root.put("size_ratio", (double) r.bytes() / Math.max(1, r.fp32Bytes()));
        root.put("cost_model", r.costModel());
        root.put("cost", r.cost());
        root.put("fp32_cost", r.fp32Cost());
        ArrayNode layers = root.putArray("layers");
        for (LayerPlan l : r.plan().layers()) {
            ObjectNode o = layers.addObject();
            o.put("node", l.node());
            o.put("op", l.op());
            o.put("role", l.role().name().toLowerCase());
            o.put("candidate", candidateOf(l));
            o.put("weight_format", l.weightFormat());
            o.put("activation_format", l.activationFormat());
            o.put("weight_bytes", LayerCost.weightBytes(model, l));
            SearchResult.Sensitivity s = r.sensitivity(l.node(), candidateOf(l));
            if (s != null) {
                o.put("sensitivity", finite(s.degradation()));
            }
        }
        ArrayNode front = root.putArray("pareto");
        for (SearchResult.PlanPoint p : r.pareto()) {
            ObjectNode o = front.addObject();
            o.put("label", p.label());
            o.put("weight_bytes", p.bytes());
            o.put("cost", p.cost());
            o.set("metrics", metrics(p.metrics()));
            o.put("within_budget", p.withinBudget());
        }
        root.put("plans_verified", r.tried().size());
        root.put("sensitivity_trials", r.sensitivities().size());
        return root;
    }

    public static String toJsonString(SearchResult r, Model model) {
        try {
            return JSON.writeValueAsString(toJson(r, model));
        } catch (com.fasterxml.jackson.core.JsonProcessingException e) {
            throw new IllegalStateException(e);
        }
    }

    private static ObjectNode metrics(Map<Metric, Double> m) {
        ObjectNode o = JsonNodeFactory.instance.objectNode();
        m.forEach((k, v) -> o.put(k.id(), finite(v)));
        return o;
    }

    /** JSON has no infinities: an exact SQNR is reported as 1e9 dB. */
    private static double finite(double v) {
        return Double.isInfinite(v) ? Math.copySign(1e9, v) : v;
    }
}
