package dev.quantize.cli;

import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.quantize.calibration.CalibrationConfig;
import dev.quantize.calibration.CalibrationStats;
import dev.quantize.calibration.Method;
import dev.quantize.quantizer.artifact.ArtifactWriter;
import dev.quantize.quantizer.job.QuantizeJob;
import dev.quantize.quantizer.search.Budget;
import dev.quantize.quantizer.search.FormatSearch;
import dev.quantize.quantizer.search.SearchReport;
import dev.quantize.quantizer.search.UniformPlans;
import dev.quantize.core.data.Dataset;
import dev.quantize.core.data.Datasets;
import dev.quantize.core.kernel.Parallelism;
import dev.quantize.monitor.baseline.BaselineBuilder;
import dev.quantize.monitor.baseline.MonitorBaseline;
import java.io.PrintWriter;
import java.util.Map;
import java.nio.file.Files;

/** The main job from the command line: runs {@link QuantizeJob} with progress bars, writes the artifact, reports. */
final class MainJob {
    private final Main args;

    MainJob(Main args) {
        this.args = args;
    }

    int run() throws Exception {
        if (Files.isDirectory(args.output)) {
            throw new IllegalArgumentException(args.output + " is a folder; -o names the artifact file to write");
        }
        QuantizeJob.Options defaults = QuantizeJob.Options.defaults(args.model, args.calib, args.eval);
        QuantizeJob.Options options = new QuantizeJob.Options(args.model, args.calib, args.eval,
                args.budget == null ? null : Budget.parse(args.budget),
                args.formats.isEmpty() ? FormatSearch.DEFAULT_FORMATS : args.formats,
                Method.parse(args.calibrationMethod), args.calibRows == null ? Long.MAX_VALUE : args.calibRows,
                args.evalRows, args.batch, args.threads == null ? defaults.threads() : args.threads, args.compareUniform, args.cost);
        if (options.evalRows() < 1 || options.batchSize() < 1) {
            throw new IllegalArgumentException("--eval-rows and --batch must be at least 1");
        }
        CalibrationStats calibrated = null;
        if (args.spark != null) {
            calibrated = SparkBridge.call("calibrate", new Class<?>[] {String.class, java.nio.file.Path.class,
                    java.nio.file.Path.class, CalibrationConfig.class}, args.spark, args.model, args.calib,
                    QuantizeJob.calibrationConfig(options));
        }
        // With --spark the search's sensitivity trials (step 1) run as Spark tasks too; steps 2-4 run here.
        QuantizeJob.TrialRunners trials = args.spark == null ? null : (budget, ranges) -> t -> {
            try {
                return SparkBridge.call("sensitivities", new Class<?>[] {String.class, java.nio.file.Path.class,
                        java.nio.file.Path.class, int.class, int.class, String.class, java.util.List.class, Map.class,
                        java.util.List.class}, args.spark, args.model, args.eval, options.evalRows(), options.batchSize(),
                        budget.toString(), options.formats(), ranges, t);
            } catch (RuntimeException e) {
                throw e;
            } catch (Exception e) {
                throw new IllegalStateException(e.getMessage(), e);
            }
        };
        QuantizeJob.Result result;
        try (Stages stages = new Stages()) {
            result = QuantizeJob.run(options, stages, calibrated, trials);
        }
        ObjectNode stored = SearchReport.toJson(result.search(), result.model());
        stored.put("eval_rows", result.evalRows());
        stored.put("batch_size", options.batchSize());
        String report = Json.MAPPER.writeValueAsString(stored);
        // The drift monitor's reference, from the calibration data, kept in the artifact (docs/monitor.md).
        MonitorBaseline baseline;
        try (Dataset calib = Datasets.open(args.calib); Progress bar = new Progress("monitor baseline", 2 * calib.rowCount().orElse(0))) {
            long[] shown = {0};
            baseline = BaselineBuilder.build(result.model(), result.model(), result.search().plan(), true, calib, options.batchSize(),
                    args.calibRows == null ? 0 : args.calibRows, Parallelism.of(Math.max(1, options.threads())),
                    options.calibrationMethod().label(), done -> {
                        bar.advance(done - shown[0]);
                        shown[0] = done;
                    });
        }
        ArtifactWriter.write(args.output, result.model(), result.modelBytes(), args.model.getFileName().toString(),
                result.search().plan(), result.calibration().toJson(), report, VersionProvider.version(),
                Map.of(MonitorBaseline.EXTRA_NAME, baseline.toJson()));
        PrintWriter out = args.spec.commandLine().getOut();
        if (args.json) {
            ObjectNode root = SearchReport.toJson(result.search(), result.model());
            root.put("model", args.model.toString());
            root.put("artifact", args.output.toString());
            root.put("artifact_bytes", Files.size(args.output));
            root.put("fp32_model_bytes", result.modelBytes().length);
            var uniform = root.putArray("uniform_plans");
            for (UniformPlans.Row u : result.uniform()) {
                var o = uniform.addObject();
                o.put("format", u.format());
                o.put("weight_bytes", u.bytes());
                u.metrics().forEach((k, v) -> o.put(k.id(), Double.isInfinite(v) ? 1e9 : v));
                o.put("within_budget", u.withinBudget());
            }
            Json.print(out, root);
        } else {
            QuantizeReport.print(out, result.search(), result.model());
            if (!result.uniform().isEmpty()) {
                QuantizeReport.printUniform(out, result.search(), result.uniform());
            }
            out.printf("artifact: %s (%s; the FP32 model is %s)%n", args.output, Bytes.human(Files.size(args.output)),
                    Bytes.human(result.modelBytes().length));
            out.flush();
        }
        return result.search().budgetMet() ? 0 : 1;
    }

    /** One progress bar per stage of the job, on stderr. */
    private static final class Stages implements QuantizeJob.Listener, AutoCloseable {
        private Progress bar;
        private String stage = "";
        private long shown;

        private void stage(String name, long total) {
            if (!name.equals(stage)) {
                close();
                stage = name;
                bar = new Progress(name, total);
                shown = 0;
            }
        }

        @Override
        public void calibration(int pass, long rowsDone, long rowsPerPass) {
            stage("calibration pass " + pass, Math.max(rowsPerPass, 1));
            bar.advance(rowsDone - shown);
            shown = rowsDone;
        }

        @Override
        public void trial(String what, int done, int total) {
            if (what.startsWith("sensitivity")) {
                stage("sensitivity", total);
                bar.advance(done - shown);
                shown = done;
            } else {
                stage("verifying plans", 0);
                bar.step();
            }
        }

        @Override
        public void close() {
            if (bar != null) {
                bar.close();
                bar = null;
            }
        }
    }
}
