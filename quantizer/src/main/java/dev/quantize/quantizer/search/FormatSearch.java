package dev.quantize.quantizer.search;

import dev.quantize.core.graph.Model;
import dev.quantize.quantizer.plan.ActivationRange;
import dev.quantize.quantizer.plan.LayerPlan;
import dev.quantize.quantizer.plan.QuantPlan;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeSet;

/**
 * Chooses a format per layer: the cheapest plan (by its {@link CostModel}: bytes of weights by
 * default, bit-operations, or the estimated packed serving time; ties on cost go to fewer weight
 * bytes) whose VERIFIED end-to-end metric stays inside the budget. Four steps:
 * <ol>
 *   <li>rank: the sensitivity of every layer to every candidate, one layer quantized at a time;</li>
 *   <li>assemble: for a tolerance t, every layer takes its cheapest candidate whose own degradation is
 *       at most t (layers interact, so this is only a guess);</li>
 *   <li>verify: the assembled plan runs end to end; a bisection over t finds the most aggressive
 *       tolerance whose plan meets the budget;</li>
 *   <li>repair: starting from that plan, each layer in turn tries its next cheaper candidate, kept
 *       only when the whole model still meets the budget.</li>
 * </ol>
 * Every verified plan is kept; the report's Pareto front is drawn from them.
 */
public final class FormatSearch {
    /** Formats tried when the user names none. */
    public static final List<String> DEFAULT_FORMATS = List.of("fp16", "bf16", "int8", "fp8_e4m3", "mxint8",
            "mxfp8_e4m3", "mxfp6_e2m3", "mxfp4_e2m1");
    /** Added for embedding tables: FBGEMM's row-wise formats. */
    public static final List<String> DEFAULT_TABLE_FORMATS = List.of("rowwise_8bit", "rowwise_4bit");

    /** Progress of the trials. */
    @FunctionalInterface
    public interface Progress {
        void trial(String what, int done, int total);
    }

    private final Model model;
    private final Evaluator evaluator;
    private final Budget budget;
    private final List<String> formats;
    private final Map<String, ActivationRange> ranges;
    private final Progress progress;
    private final CostModel cost;
    private final List<SearchResult.PlanPoint> tried = new ArrayList<>();
    private int repairTrials = 0;

    public FormatSearch(Model model, Evaluator evaluator, Budget budget, List<String> formats,
                        Map<String, ActivationRange> ranges, Progress progress) {
        this(model, evaluator, budget, formats, ranges, CostModel.weightBytes(model), progress);
    }

    /** With a cost model other than the weight bytes (e.g. {@link CostModel#bitOps}). */
    public FormatSearch(Model model, Evaluator evaluator, Budget budget, List<String> formats,
                        Map<String, ActivationRange> ranges, CostModel cost, Progress progress) {
        if (!evaluator.task().metrics().contains(budget.metric())) {
            throw new IllegalArgumentException("budget '" + budget + "' is in " + budget.metric().id() + ", but this model is "
                    + evaluator.task().name().toLowerCase() + " and is measured by " + evaluator.task().metrics().stream().map(Metric::id).toList());
        }
        this.model = model;
        this.evaluator = evaluator;
        this.budget = budget;
        this.formats = List.copyOf(formats);
        this.ranges = Map.copyOf(ranges);
        this.progress = progress;
        this.cost = cost;
    }

    private double primary(Map<Metric, Double> m) {
        return m.get(budget.metric());
    }

    /** How much worse than FP32 a value is (positive: worse). */
    private double degradation(double value) {
        double fp32 = primary(evaluator.fp32Metrics());
        return budget.metric().higherIsBetter() ? fp32 - value : value - fp32;
    }

    private QuantPlan base() {
        return QuantPlan.fp32(model).map(l -> l.withActivationRange(ranges.get(l.node())));
    }

    private List<Candidate> candidates(LayerPlan layer) {
        List<Candidate> out = new ArrayList<>();
        List<String> names = new ArrayList<>(formats);
        if (layer.role() == dev.quantize.core.graph.ModelSummary.Role.EMBEDDING && formats.equals(DEFAULT_FORMATS)) {
            names.addAll(DEFAULT_TABLE_FORMATS);
        }
        for (String f : names) {
            Candidate c = Candidate.of(f, layer.role());
            if (c != null) {
                out.add(c);
            }
        }
        return out;
    }

    /** The sensitivity trials of step 1, layer by layer (a layer's trials are adjacent), in the order {@link #run} ranks them. */
    public List<SensitivityRunner.Trial> sensitivityTrials() {
        List<SensitivityRunner.Trial> out = new ArrayList<>();
        for (LayerPlan l : base().layers()) {
            for (Candidate c : candidates(l)) {
                out.add(new SensitivityRunner.Trial(l.node(), c.name()));
            }
        }
        return out;
    }

    /**
     * The primary metric of each trial, evaluated in this JVM: adjacent trials of one layer share one
     * {@link Evaluator#evaluateFrom} call (the FP32 prefix before the layer is computed once).
     */
    public double[] measure(List<SensitivityRunner.Trial> trials) {
        QuantPlan base = base();
        double[] out = new double[trials.size()];
        int i = 0;
        while (i < trials.size()) {
            String node = trials.get(i).layer();
            LayerPlan l = base.layer(node);
            if (l == null) {
                throw new IllegalArgumentException("no quantizable layer '" + node + "' in the model");
            }
            List<Candidate> all = candidates(l);
            int j = i;
            List<QuantPlan> plans = new ArrayList<>();
            while (j < trials.size() && trials.get(j).layer().equals(node)) {
                String name = trials.get(j).candidate();
                Candidate c = all.stream().filter(x -> x.name().equals(name)).findFirst()
                        .orElseThrow(() -> new IllegalArgumentException("'" + name + "' is not a candidate of layer '" + node + "'"));
                plans.add(base.with(c.applyTo(l)));
                j++;
            }
            List<Map<Metric, Double>> results = evaluator.evaluateFrom(node, plans);
            for (int k = 0; k < plans.size(); k++) {
                out[i + k] = primary(results.get(k));
            }
            i = j;
            progress.trial("sensitivity " + node, i, trials.size());
        }
        return out;
    }

    /** The search, with the sensitivity trials evaluated in this JVM. */
    public SearchResult run() {
        return run(this::measure);
    }

    /** The search, with the sensitivity trials (step 1) evaluated by {@code runner}; steps 2-4 run here. */
    public SearchResult run(SensitivityRunner runner) {
        QuantPlan base = base();
        double fp32 = primary(evaluator.fp32Metrics());
        long fp32Bytes = LayerCost.weightBytes(model, base);

        // 1. Rank: every layer alone with every candidate.
        Map<String, List<Candidate>> options = new LinkedHashMap<>();
        for (LayerPlan l : base.layers()) {
            options.put(l.node(), candidates(l));
        }
        List<SensitivityRunner.Trial> trials = sensitivityTrials();
        double[] values = runner.run(trials);
        if (values.length != trials.size()) {
            throw new IllegalStateException("the sensitivity runner returned " + values.length + " values for " + trials.size() + " trials");
        }
        List<SearchResult.Sensitivity> sens = new ArrayList<>();
        for (int i = 0; i < trials.size(); i++) {
            SensitivityRunner.Trial t = trials.get(i);
            LayerPlan l = base.layer(t.layer());
            Candidate c = options.get(t.layer()).stream().filter(x -> x.name().equals(t.candidate())).findFirst().orElseThrow();
            sens.add(new SearchResult.Sensitivity(t.layer(), t.candidate(), values[i], degradation(values[i]), cost.of(c.applyTo(l))));
        }

        // 2-3. Assemble for a tolerance and verify; bisect over the measured degradations.
        TreeSet<Double> tolerances = new TreeSet<>();
        tolerances.add(0.0);
        for (SearchResult.Sensitivity s : sens) {
            if (s.degradation() > 0) {
                tolerances.add(s.degradation());
            }
        }
        List<Double> ts = new ArrayList<>(tolerances);
        QuantPlan best = base;
        Map<Metric, Double> bestMetrics = evaluator.fp32Metrics();
        record("fp32", base, bestMetrics);
        int lo = 0;
        int hi = ts.size() - 1;
        while (lo <= hi) {
            int mid = (lo + hi) >>> 1;
            QuantPlan p = assemble(base, sens, options, ts.get(mid));
            Map<Metric, Double> m = verify("tolerance " + String.format("%.3g", ts.get(mid)), p);
            if (budget.met(fp32, primary(m))) {
                if (compare(p, best) <= 0) {
                    best = p;
                    bestMetrics = m;
                }
                lo = mid + 1;
            } else {
                hi = mid - 1;
            }
        }

        // 4. Repair: try each layer's next cheaper candidate, keep what still meets the budget. No move
        // is tried twice (one that failed would only fail again as later moves add error), which
        // bounds the trials by layers x candidates.
        java.util.Set<List<String>> moves = new java.util.HashSet<>();
        boolean improved = true;
        while (improved) {
            improved = false;
            for (LayerPlan l : best.layers()) {
                Candidate next = nextCheaper(l, options.get(l.node()), sens);
                if (next == null || !moves.add(List.of(l.node(), next.name()))) {
                    continue;
                }
                QuantPlan p = best.with(next.applyTo(best.layer(l.node())));
                Map<Metric, Double> m = verify("repair " + l.node() + " -> " + next.name(), p);
                if (budget.met(fp32, primary(m))) {
                    best = p;
                    bestMetrics = m;
                    improved = true;
                }
            }
        }
        boolean met = budget.met(fp32, primary(bestMetrics));
        return new SearchResult(evaluator.task(), budget, best, bestMetrics, evaluator.fp32Metrics(), met,
                LayerCost.weightBytes(model, best), fp32Bytes, cost.name(), cost.of(best), cost.of(base), sens,
                List.copyOf(tried), pareto());
    }

    /** Cost, then weight bytes: negative when {@code a} is the cheaper layer. */
    private int compare(LayerPlan a, LayerPlan b) {
        int c = Long.compare(cost.of(a), cost.of(b));
        return c != 0 ? c : Long.compare(LayerCost.weightBytes(model, a), LayerCost.weightBytes(model, b));
    }

    /** Cost, then weight bytes: negative when {@code a} is the cheaper plan. */
    private int compare(QuantPlan a, QuantPlan b) {
        int c = Long.compare(cost.of(a), cost.of(b));
        return c != 0 ? c : Long.compare(LayerCost.weightBytes(model, a), LayerCost.weightBytes(model, b));
    }

    /** The layer with the named candidate's formats. */
    private static LayerPlan applied(LayerPlan l, List<Candidate> options, String candidate) {
        for (Candidate c : options) {
            if (c.name().equals(candidate)) {
                return c.applyTo(l);
            }
        }
        throw new IllegalStateException("'" + candidate + "' is not a candidate of layer '" + l.node() + "'");
    }

    /** Every layer takes its cheapest candidate whose own degradation is within the tolerance (ties: fewer bytes, then the more accurate). */
    private QuantPlan assemble(QuantPlan base, List<SearchResult.Sensitivity> sens, Map<String, List<Candidate>> options, double tolerance) {
        Map<String, SearchResult.Sensitivity> choice = new HashMap<>();
        for (SearchResult.Sensitivity s : sens) {
            if (s.degradation() > tolerance) {
                continue;
            }
            SearchResult.Sensitivity cur = choice.get(s.layer());
            if (cur == null) {
                choice.put(s.layer(), s);
                continue;
            }
            LayerPlan l = base.layer(s.layer());
            int c = compare(applied(l, options.get(s.layer()), s.candidate()), applied(l, options.get(s.layer()), cur.candidate()));
            if (c < 0 || (c == 0 && s.degradation() < cur.degradation())) {
                choice.put(s.layer(), s);
            }
        }
        return base.map(l -> {
            SearchResult.Sensitivity s = choice.get(l.node());
            if (s == null) {
                return l;
            }
            LayerPlan chosen = applied(l, options.get(l.node()), s.candidate());
            return compare(chosen, l) < 0 ? chosen : l; // no saving: keep the exact FP32 layer
        });
    }

    /** The candidate just cheaper than the layer as it is (cost, then bytes) with the least degradation, or null. */
    private Candidate nextCheaper(LayerPlan current, List<Candidate> options, List<SearchResult.Sensitivity> sens) {
        Candidate best = null;
        LayerPlan bestLayer = null;
        double bestDeg = Double.POSITIVE_INFINITY;
        for (Candidate c : options) {
            LayerPlan l = c.applyTo(current);
            SearchResult.Sensitivity s = sensitivityOf(sens, current.node(), c.name());
            if (compare(l, current) >= 0 || s == null) {
                continue;
            }
            int vs = bestLayer == null ? 1 : compare(l, bestLayer);
            if (vs > 0 || (vs == 0 && s.degradation() < bestDeg)) {
                best = c;
                bestLayer = l;
                bestDeg = s.degradation();
            }
        }
        return best;
    }

    private static SearchResult.Sensitivity sensitivityOf(List<SearchResult.Sensitivity> sens, String layer, String candidate) {
        for (SearchResult.Sensitivity s : sens) {
            if (s.layer().equals(layer) && s.candidate().equals(candidate)) {
                return s;
            }
        }
        return null;
    }

    private Map<Metric, Double> verify(String label, QuantPlan plan) {
        for (SearchResult.PlanPoint p : tried) {
            if (p.plan().equals(plan)) {
                return p.metrics();
            }
        }
        Map<Metric, Double> m = evaluator.evaluate(plan);
        record(label, plan, m);
        progress.trial("verify " + label, ++repairTrials, repairTrials);
        return m;
    }

    private void record(String label, QuantPlan plan, Map<Metric, Double> m) {
        double fp32 = primary(evaluator.fp32Metrics());
        tried.add(new SearchResult.PlanPoint(label, plan, LayerCost.weightBytes(model, plan), cost.of(plan), m,
                budget.met(fp32, primary(m))));
    }

    /** Verified plans not beaten on both size and primary metric by another. */
    private List<SearchResult.PlanPoint> pareto() {
        List<SearchResult.PlanPoint> sorted = new ArrayList<>(tried);
        boolean higher = budget.metric().higherIsBetter();
        sorted.sort(Comparator.comparingLong(SearchResult.PlanPoint::cost)
                .thenComparing(p -> higher ? -primary(p.metrics()) : primary(p.metrics())));
        List<SearchResult.PlanPoint> front = new ArrayList<>();
        double bestSoFar = higher ? Double.NEGATIVE_INFINITY : Double.POSITIVE_INFINITY;
        for (SearchResult.PlanPoint p : sorted) {
            double v = primary(p.metrics());
            if (higher ? v > bestSoFar : v < bestSoFar) {
                front.add(p);
                bestSoFar = v;
            }
        }
        return front;
    }
}
