package dev.quantize.monitor.job;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.quantize.calibration.CalibrationConfig;
import dev.quantize.calibration.CalibrationRunner;
import dev.quantize.calibration.CalibrationStats;
import dev.quantize.calibration.Method;
import dev.quantize.core.data.Dataset;
import dev.quantize.core.data.Datasets;
import dev.quantize.core.graph.Model;
import dev.quantize.core.kernel.Parallelism;
import dev.quantize.monitor.baseline.BaselineBuilder;
import dev.quantize.monitor.baseline.MonitorBaseline;
import dev.quantize.monitor.history.History;
import dev.quantize.monitor.history.WindowRecord;
import dev.quantize.quantizer.artifact.ArtifactWriter;
import dev.quantize.quantizer.job.QuantizeJob;
import dev.quantize.quantizer.plan.ActivationRange;
import dev.quantize.quantizer.plan.LayerPlan;
import dev.quantize.quantizer.plan.QuantPlan;
import dev.quantize.quantizer.search.Budget;
import dev.quantize.quantizer.search.CostModel;
import dev.quantize.quantizer.search.Evaluator;
import dev.quantize.quantizer.search.FormatSearch;
import dev.quantize.quantizer.search.Metric;
import dev.quantize.quantizer.search.SearchReport;
import dev.quantize.quantizer.search.SearchResult;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;

/**
 * {@code quantize monitor recalibrate}: new activation ranges from recent data (same method, same
 * formats); the accuracy budget checked on that data (it needs labels for a labelled metric); the
 * format search re-run when the budget no longer holds; a new artifact with a baseline from the same
 * data; a {@code recalibrated} entry in the history.
 */
public final class RecalibrateJob {
    /** {@code history}, {@code model} and {@code method} may be null. */
    public record Options(Path artifact, Path fp32, Path data, Path output, Path history, String model, String method,
                          int evalRows, boolean search, int batchSize, int threads, String toolVersion) {
    }

    /** {@code budgetMet} null: not checkable on this data (no labels for the budget's metric). */
    public record Result(QuantPlan plan, Boolean budgetMet, boolean searched, String reportJson, WindowRecord record) {
    }

    private RecalibrateJob() {
    }

    public static Result run(Options o, MonitorJob.Listener listener) throws IOException {
        Instant started = Instant.now().truncatedTo(ChronoUnit.MILLIS);
        if (Files.isDirectory(o.output())) {
            throw new IllegalArgumentException(o.output() + " is a folder; -o names the artifact file to write");
        }
        List<String> notes = new ArrayList<>();
        MonitorJob.Loaded a = MonitorJob.load(o.artifact(), o.fp32(), notes);
        byte[] fp32Bytes = Files.readAllBytes(o.fp32());
        Model model = a.reference();
        String reportJson;
        String costModel = "weight-bytes";
        try (var art = dev.quantize.quantizer.artifact.Artifact.open(o.artifact())) {
            reportJson = art.reportJson().orElse(null);
        }
        if (reportJson != null) {
            costModel = MonitorJob.parse(reportJson).path("cost_model").asText("weight-bytes");
        }
        String methodName = o.method() != null ? o.method()
                : a.baselineJson().map(j -> MonitorBaseline.fromJson(j, "baseline").calibrationMethod()).orElse(null);
        Method method = Method.parse(methodName == null ? "percentile" : methodName);
        Parallelism par = Parallelism.of(Math.max(1, o.threads()));
        QuantPlan plan;
        CalibrationStats stats;
        Boolean met;
        boolean searched = false;
        Map<Metric, Double> fp32Metrics;
        Map<Metric, Double> quantMetrics;
        Budget budget;
        try (Dataset data = Datasets.open(o.data())) {
            long total = data.rowCount().orElse(0);
            stats = CalibrationRunner.run(model, data, CalibrationConfig.defaults().withBatchSize(o.batchSize()).withWeights(false),
                    (pass, done, perPass) -> listener.rows("calibration pass " + pass, done, perPass));
            Map<String, ActivationRange> ranges = QuantizeJob.activationRanges(model, stats, method);
            plan = a.plan().map(l -> l.activationFormat().equals(LayerPlan.FP32) || !ranges.containsKey(l.node())
                    ? l : l.withActivationRange(ranges.get(l.node())));
            listener.rows("evaluation", 0, Math.min(total, o.evalRows()));
            Evaluator ev = new Evaluator(model, data, o.evalRows(), o.batchSize(), par);
            budget = a.budget() != null ? a.budget() : Budget.defaultFor(ev.task().primary());
            fp32Metrics = ev.fp32Metrics();
            if (!fp32Metrics.containsKey(budget.metric())) {
                met = null;
                quantMetrics = ev.evaluate(plan);
                notes.add(String.format(Locale.ROOT, "%s has no labels for the budget (%s): the budget is not checked; "
                        + "the formats are kept and only the ranges change (output SQNR against FP32 on this data: %.2f dB)",
                        o.data().getFileName(), budget, quantMetrics.getOrDefault(Metric.SQNR, Double.NaN)));
            } else {
                quantMetrics = ev.evaluate(plan);
                met = budget.met(fp32Metrics.get(budget.metric()), quantMetrics.get(budget.metric()));
                if (!met && o.search()) {
                    notes.add(String.format(Locale.ROOT, "with new ranges the budget %s is not met on this data (%s %.5f, limit %.5f): "
                            + "the format search was re-run", budget, budget.metric().id(), quantMetrics.get(budget.metric()),
                            budget.limit(fp32Metrics.get(budget.metric()))));
                    CostModel cost = CostModel.parse(costModel, model, ev.workPerRow());
                    SearchResult r = new FormatSearch(model, ev, budget, FormatSearch.DEFAULT_FORMATS, ranges, cost,
                            (what, done, n) -> listener.rows("search", done, n)).run();
                    plan = r.plan();
                    quantMetrics = r.metrics();
                    met = r.budgetMet();
                    searched = true;
                    ObjectNode rep = SearchReport.toJson(r, model);
                    rep.put("eval_rows", ev.rows());
                    rep.put("batch_size", o.batchSize());
                    reportJson = MonitorJob.JSON.writeValueAsString(rep);
                } else if (!met) {
                    notes.add("with new ranges the budget " + budget + " is not met on this data and --no-search was given");
                }
            }
            MonitorBaseline baseline = BaselineBuilder.build(model, model, plan, true, data, o.batchSize(), 0, par, method.label(),
                    done -> listener.rows("baseline", done, 2 * total));
            ArtifactWriter.write(o.output(), model, fp32Bytes, a.provenance().sourceModel(), plan, stats.toJson(), reportJson,
                    o.toolVersion(), MonitorJob.extras(baseline));
        }
        return finish(o, a, started, plan, met, searched, budget, fp32Metrics, quantMetrics, method, stats.rows(), notes);
    }

    private static Result finish(Options o, MonitorJob.Loaded a, Instant started, QuantPlan plan, Boolean met, boolean searched,
                                 Budget budget, Map<Metric, Double> fp32, Map<Metric, Double> quant, Method method, long rows,
                                 List<String> notes) throws IOException {
        ObjectNode root = MonitorJob.JSON.createObjectNode();
        String model = o.model() != null ? o.model() : a.model();
        root.put("model", model);
        root.put("action", "recalibrate");
        root.put("from_artifact", o.artifact().toString());
        root.put("to_artifact", o.output().toString());
        root.put("data", o.data().toString());
        root.put("format", MonitorJob.formatLabel(plan));
        root.put("calibration_method", method.label());
        root.put("budget", budget.toString());
        if (met == null) {
            root.putNull("budget_met");
        } else {
            root.put("budget_met", met);
        }
        root.put("searched", searched);
        String summary = searched
                ? "recalibrated and re-searched: " + (met ? "the new plan meets " : "no plan meets ") + budget + " on this data"
                : "recalibrated, formats kept: " + (met == null ? "budget not checked (no labels)" : met ? budget + " met on this data" : budget + " NOT met on this data");
        root.put("summary", summary);
        ObjectNode ms = root.putObject("metrics");
        Map<String, Double> metrics = new TreeMap<>();
        fp32.forEach((k, v) -> metrics.put(k.id() + "_fp32", v));
        quant.forEach((k, v) -> metrics.put(k.id() + "_quant", v));
        metrics.put("budget_met", met == null ? Double.NaN : met ? 1.0 : 0.0);
        metrics.put("searched", searched ? 1.0 : 0.0);
        metrics.forEach((k, v) -> MonitorJob.putNumber(ms, k, v));
        ArrayNode ls = root.putArray("layers");
        Map<String, Map<String, Double>> layers = new TreeMap<>();
        for (LayerPlan l : plan.layers()) {
            if (l.isFp32()) {
                continue;
            }
            LayerPlan old = a.plan().layer(l.node());
            ObjectNode x = ls.addObject();
            x.put("node", l.node());
            x.put("format", SearchReport.candidateOf(l));
            x.put("old_format", old == null ? "" : SearchReport.candidateOf(old));
            x.put("old_range", range(old == null ? null : old.activationRange()));
            x.put("new_range", range(l.activationRange()));
            Map<String, Double> v = new TreeMap<>();
            if (l.activationRange() != null) {
                v.put("range_lo", (double) l.activationRange().lo());
                v.put("range_hi", (double) l.activationRange().hi());
            }
            if (old != null && old.activationRange() != null) {
                v.put("range_lo_before", (double) old.activationRange().lo());
                v.put("range_hi_before", (double) old.activationRange().hi());
            }
            layers.put(l.node(), v);
        }
        ArrayNode ns = root.putArray("notes");
        notes.forEach(ns::add);
        String json = MonitorJob.JSON.writeValueAsString(root);
        WindowRecord record = new WindowRecord(model, "recalibrate " + started, started, rows, metrics, layers, Map.of(),
                "recalibrated", json);
        if (o.history() != null) {
            try (History h = History.open(o.history())) {
                h.append(record);
            }
        }
        return new Result(plan, met, searched, json, record);
    }

    private static String range(ActivationRange r) {
        return r == null ? "-" : String.format(Locale.ROOT, "[%.4g, %.4g]", r.lo(), r.hi());
    }

}
