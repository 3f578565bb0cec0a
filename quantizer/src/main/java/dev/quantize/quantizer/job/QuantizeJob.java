package dev.quantize.quantizer.job;

import dev.quantize.calibration.CalibrationConfig;
import dev.quantize.calibration.CalibrationRunner;
import dev.quantize.calibration.CalibrationStats;
import dev.quantize.calibration.Method;
import dev.quantize.calibration.Range;
import dev.quantize.core.data.Dataset;
import dev.quantize.core.data.Datasets;
import dev.quantize.core.graph.Model;
import dev.quantize.core.graph.ModelSummary;
import dev.quantize.core.graph.Node;
import dev.quantize.core.kernel.Parallelism;
import dev.quantize.core.onnx.OnnxReader;
import dev.quantize.quantizer.plan.ActivationRange;
import dev.quantize.quantizer.search.Budget;
import dev.quantize.quantizer.search.CostModel;
import dev.quantize.quantizer.search.Evaluator;
import dev.quantize.quantizer.search.FormatSearch;
import dev.quantize.quantizer.search.SearchResult;
import dev.quantize.quantizer.search.UniformPlans;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * The main job, as one call: read the FP32 model, calibrate activation ranges on the calibration
 * data, search a format per layer under the budget on the evaluation data, and return everything
 * the artifact and the report need. {@code quantize MODEL --calib DATA --eval DATA -o OUT} is this
 * plus writing the artifact and printing the report.
 */
public final class QuantizeJob {
    /** What the job is asked to do. {@code budget} null: the task's default. */
    public record Options(Path model, Path calibData, Path evalData, Budget budget, List<String> formats,
                          Method calibrationMethod, long calibrationRows, int evalRows, int batchSize, int threads,
                          boolean compareUniform, String cost) {
        public static Options defaults(Path model, Path calib, Path eval) {
            return new Options(model, calib, eval, null, FormatSearch.DEFAULT_FORMATS, Method.PERCENTILE, Long.MAX_VALUE,
                    4096, 512, Runtime.getRuntime().availableProcessors(), false, "weight-bytes");
        }
    }

    /** Stages, for progress bars. */
    public interface Listener {
        Listener NONE = new Listener() {
        };

        default void calibration(int pass, long rowsDone, long rowsPerPass) {
        }

        default void evaluationReady(int rows) {
        }

        default void trial(String what, int done, int total) {
        }
    }

    /** Makes the runner of the search's sensitivity trials once the budget and ranges are known (e.g. Spark tasks). */
    @FunctionalInterface
    public interface TrialRunners {
        dev.quantize.quantizer.search.SensitivityRunner create(Budget budget, Map<String, ActivationRange> ranges);
    }

    /** The job's results. */
    public record Result(Model model, byte[] modelBytes, CalibrationStats calibration, Map<String, ActivationRange> ranges,
                         SearchResult search, List<UniformPlans.Row> uniform, int evalRows) {
    }

    private QuantizeJob() {
    }

    public static Result run(Options o, Listener listener) throws IOException {
        return run(o, listener, null);
    }

    /** What the job calibrates with: activations only (weight ranges come from the weights when they are packed). */
    public static CalibrationConfig calibrationConfig(Options o) {
        return CalibrationConfig.defaults().withBatchSize(o.batchSize())
                .withMaxRows(o.calibrationRows() == Long.MAX_VALUE ? 0 : o.calibrationRows()).withWeights(false);
    }

    /**
     * As {@link #run(Options, Listener)}; {@code calibrated}, when not null, are statistics computed
     * elsewhere with {@link #calibrationConfig} (e.g. on a Spark cluster) and replace the calibration pass.
     */
    public static Result run(Options o, Listener listener, CalibrationStats calibrated) throws IOException {
        return run(o, listener, calibrated, null);
    }

    /** As {@link #run(Options, Listener, CalibrationStats)}; {@code trials}, when not null, runs the search's step 1 elsewhere. */
    public static Result run(Options o, Listener listener, CalibrationStats calibrated, TrialRunners trials) throws IOException {
        byte[] bytes = Files.readAllBytes(o.model());
        Model model = OnnxReader.read(bytes, o.model().getFileName().toString(), o.model().toAbsolutePath().getParent());
        Parallelism par = Parallelism.of(Math.max(1, o.threads()));
        CalibrationStats stats = calibrated;
        if (stats == null) {
            try (Dataset calib = Datasets.open(o.calibData())) {
                stats = CalibrationRunner.run(model, calib, calibrationConfig(o), listener::calibration);
            }
        }
        Map<String, ActivationRange> ranges = activationRanges(model, stats, o.calibrationMethod());
        SearchResult search;
        List<UniformPlans.Row> uniform;
        int evalRows;
        try (Dataset eval = Datasets.open(o.evalData())) {
            Evaluator evaluator = new Evaluator(model, eval, o.evalRows(), o.batchSize(), par);
            evalRows = evaluator.rows();
            listener.evaluationReady(evalRows);
            Budget budget = o.budget() != null ? o.budget() : Budget.defaultFor(evaluator.task().primary());
            CostModel cost = CostModel.parse(o.cost(), model, evaluator.workPerRow());
            FormatSearch fs = new FormatSearch(model, evaluator, budget, o.formats(), ranges, cost, listener::trial);
            search = trials == null ? fs.run() : fs.run(trials.create(budget, ranges));
            uniform = o.compareUniform()
                    ? UniformPlans.evaluate(model, evaluator, budget, UniformPlans.STANDARD, ranges) : List.of();
        }
        return new Result(model, bytes, stats, ranges, search, uniform, evalRows);
    }

    /**
     * The calibrated range of every quantizable node's input activations (for a matmul of two
     * activations, the union of both inputs' ranges, since one plan entry covers both).
     */
    public static Map<String, ActivationRange> activationRanges(Model model, CalibrationStats stats, Method method) {
        Map<String, Node> nodes = model.graph().nodesByDisplayName();
        Map<String, ActivationRange> out = new HashMap<>();
        for (ModelSummary.QuantizableNode q : ModelSummary.of(model).quantizable()) {
            if (q.role() == ModelSummary.Role.EMBEDDING) {
                continue;
            }
            Node n = nodes.get(q.node());
            int inputs = q.role() == ModelSummary.Role.ACTIVATIONS_ONLY ? 2 : 1;
            double lo = Double.POSITIVE_INFINITY;
            double hi = Double.NEGATIVE_INFINITY;
            for (int i = 0; i < inputs; i++) {
                String value = n.input(i);
                if (!stats.tensors().containsKey(value)) {
                    continue;
                }
                Range r = stats.range(value, method);
                lo = Math.min(lo, r.lo());
                hi = Math.max(hi, r.hi());
            }
            if (lo <= hi) {
                out.put(q.node(), new ActivationRange((float) lo, (float) hi));
            }
        }
        return out;
    }
}
