package dev.quantize.cli;

import com.fasterxml.jackson.databind.JsonNode;
import dev.quantize.monitor.job.MonitorJob;
import dev.quantize.monitor.job.Recommendation;
import dev.quantize.monitor.job.RecalibrateJob;
import dev.quantize.monitor.thresholds.Finding;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;
import picocli.CommandLine.Model.CommandSpec;

/** {@code quantize monitor run|recalibrate}: the drift monitor (docs/monitor.md). */
@Command(name = "monitor", mixinStandardHelpOptions = true,
        description = {"Re-check a quantized artifact against its FP32 model on fresh data (drift, saturation, accuracy), "
                + "keep a history, report on it, and recalibrate.", "See docs/monitor.md."},
        subcommands = {MonitorCommand.Run.class, MonitorCommand.Recalibrate.class, MonitorHistoryCommand.class, MonitorReportCommand.class})
final class MonitorCommand implements Runnable {
    @Spec
    CommandSpec spec;

    @Override
    public void run() {
        spec.commandLine().usage(spec.commandLine().getOut());
    }

    @Command(name = "run", mixinStandardHelpOptions = true,
            description = {"Monitor one window: FP32 and quantized side by side on DATA, compared with the artifact's baseline.",
                    "Exit 0 healthy (or warnings only), 1 alarm, 2 bad input."})
    static final class Run implements Callable<Integer> {
        @Spec
        CommandSpec spec;

        @Parameters(paramLabel = "ARTIFACT", description = "The quantized artifact.")
        Path artifact;

        @Option(names = "--data", required = true, paramLabel = "DATA", description = "The window's data (.npy folder, Arrow IPC, Parquet); labels enable the metric deltas.")
        Path data;

        @Option(names = "--fp32", paramLabel = "MODEL", description = "The FP32 .onnx model the artifact was made from (checked by SHA-256). Without it only activation quantization is measured.")
        Path fp32;

        @Option(names = "--history", paramLabel = "DB", description = "SQLite history to append the window to (created if absent).")
        Path history;

        @Option(names = "--window", paramLabel = "ID", description = "Window id; running the same id again replaces that window (default: the start time, UTC).")
        String window;

        @Option(names = "--model-name", paramLabel = "NAME", description = "The model's name in the history and metrics (default: the artifact's source model file name).")
        String modelName;

        @Option(names = "--thresholds", paramLabel = "FILE", description = "JSON overriding warn/alarm levels, e.g. {\"input_psi\": {\"warn\": 0.1, \"alarm\": 0.25}}.")
        Path thresholds;

        @Option(names = "--baseline", paramLabel = "CALIB_DATA", description = "Compute the baseline from this calibration data (for artifacts without one).")
        Path baseline;

        @Option(names = "--json-report", paramLabel = "FILE", description = "Write the full JSON report here.")
        Path jsonReport;

        @Option(names = "--prometheus", paramLabel = "FILE", description = "Write a Prometheus textfile here (node_exporter textfile collector).")
        Path prometheus;

        @Option(names = "--html", paramLabel = "FILE", description = "Write an HTML report with plots over the history here (needs --history).")
        Path html;

        @Option(names = "--rows", paramLabel = "N", description = "Monitor at most N rows (default: all).")
        long rows;

        @Option(names = "--batch", defaultValue = "512", description = "Rows per batch (default: ${DEFAULT-VALUE}).")
        int batch;

        @Option(names = "--threads", description = "Worker threads (default: every core).")
        Integer threads;

        @Option(names = "--json", description = "Print the report as JSON.")
        boolean json;

        @Option(names = "--spark", paramLabel = "MASTER", description = "Read the window with Spark on MASTER (local[2], "
                + "spark://host:port, or submit under spark-submit); DATA is Parquet, and a --window of the form "
                + "COLUMN=VALUE (e.g. date=2026-11-20) keeps that partition.")
        String spark;

        @Override
        public Integer call() throws Exception {
            if (batch < 1 || rows < 0) {
                throw new IllegalArgumentException("--batch must be at least 1 and --rows non-negative");
            }
            if (html != null && history == null) {
                throw new IllegalArgumentException("--html plots the history: give --history DB too");
            }
            MonitorJob.Options o = new MonitorJob.Options(artifact, fp32, data, history, window, thresholds, baseline, modelName, batch,
                    threads == null ? Runtime.getRuntime().availableProcessors() : threads, rows, jsonReport, prometheus, html);
            MonitorJob.Result r;
            if (spark != null) {
                r = SparkBridge.call("monitor", new Class<?>[] {String.class, MonitorJob.Options.class}, spark, o);
            } else {
                try (Bars bars = new Bars()) {
                    r = MonitorJob.run(o, bars);
                }
            }
            PrintWriter out = spec.commandLine().getOut();
            if (json) {
                out.println(r.record().reportJson());
                out.flush();
            } else {
                print(out, r);
            }
            return r.exitCode();
        }

        static void print(PrintWriter out, MonitorJob.Result r) {
            Map<String, Double> m = r.summary().metrics();
            out.printf(Locale.ROOT, "%s, window %s: %d rows, status %s%n", r.record().model(), r.record().window(), r.record().rows(),
                    r.status().toUpperCase(Locale.ROOT));
            out.printf(Locale.ROOT, "agreement %.4f (calibration %.4f), output SQNR %.2f dB (calibration %.2f dB), soft CE gap %.3g nats%n",
                    m.get("agreement"), m.get("agreement_calib"), m.get("output_sqnr_db"), m.get("output_sqnr_db_calib"), m.get("soft_ce_gap"));
            if (!Double.isNaN(m.getOrDefault("auc_fp32", Double.NaN))) {
                out.printf(Locale.ROOT, "AUC %.5f -> %.5f, NE %.5f -> %.5f (%+.3f%%), calibration %.4f -> %.4f%n", m.get("auc_fp32"), m.get("auc_quant"),
                        m.get("ne_fp32"), m.get("ne_quant"), 100 * m.get("ne_delta_rel"), m.get("calibration_fp32"), m.get("calibration_quant"));
            } else if (!Double.isNaN(m.getOrDefault("accuracy_fp32", Double.NaN))) {
                out.printf(Locale.ROOT, "accuracy %.5f -> %.5f (%+.5f)%n", m.get("accuracy_fp32"), m.get("accuracy_quant"), m.get("accuracy_delta"));
            }
            out.printf(Locale.ROOT, "max input PSI %.3f, max activation PSI %.3f, max saturation rise %.4f, budget used %.2f%n",
                    m.get("max_input_psi"), m.get("max_activation_psi"), m.get("max_saturation_rise"), m.get("budget_used"));
            if (!r.evaluation().findings().isEmpty()) {
                out.println();
                Table t = new Table("level", "what", "value", "threshold");
                int shown = 0;
                for (Finding f : r.evaluation().findings()) {
                    if (shown++ == 30) {
                        t.row("...", (r.evaluation().findings().size() - 30) + " more (see --json)", "", "");
                        break;
                    }
                    t.row(f.level(), f.what(), num(f.value()), num(f.threshold()));
                }
                t.print(out);
            }
            if (!r.recommendations().isEmpty()) {
                out.println();
                Table t = new Table("layer", "action", "to format", "why");
                for (Recommendation x : r.recommendations()) {
                    t.row(x.layer(), x.action(), x.toFormat(), x.why());
                }
                t.print(out);
            }
            for (String n : r.notes()) {
                out.println("note: " + n);
            }
            if (r.record() != null) {
                out.printf(Locale.ROOT, "%.1f s%n", m.get("seconds"));
            }
            out.flush();
        }

        private static String num(double v) {
            return String.format(Locale.ROOT, "%.4g", v);
        }
    }

    @Command(name = "recalibrate", mixinStandardHelpOptions = true,
            description = {"Recalibrate an artifact's activation ranges on recent DATA (same method, same formats), check the budget",
                    "there (re-running the search if it is no longer met), write a new artifact with a new baseline from DATA,",
                    "and record the change in the history. Exit 0 written, 1 written but the budget is still not met, 2 bad input."})
    static final class Recalibrate implements Callable<Integer> {
        @Spec
        CommandSpec spec;

        @Parameters(paramLabel = "ARTIFACT", description = "The quantized artifact.")
        Path artifact;

        @Option(names = "--fp32", required = true, paramLabel = "MODEL", description = "The FP32 .onnx model the artifact was made from (checked by SHA-256).")
        Path fp32;

        @Option(names = "--data", required = true, paramLabel = "DATA", description = "Recent data (labels let the budget be checked).")
        Path data;

        @Option(names = {"-o", "--output"}, required = true, paramLabel = "NEW", description = "The new artifact to write.")
        Path output;

        @Option(names = "--history", paramLabel = "DB", description = "Record the recalibration in this history.")
        Path history;

        @Option(names = "--model-name", paramLabel = "NAME", description = "The model's name in the history (default: the artifact's source model file name).")
        String modelName;

        @Option(names = "--calib-method", description = "Range method (default: the one the baseline records, else percentile).")
        String method;

        @Option(names = "--eval-rows", defaultValue = "4096", description = "Rows the budget is checked on (default: ${DEFAULT-VALUE}).")
        int evalRows;

        @Option(names = "--no-search", description = "Never re-run the search, even when the budget is not met.")
        boolean noSearch;

        @Option(names = "--batch", defaultValue = "512", description = "Rows per batch (default: ${DEFAULT-VALUE}).")
        int batch;

        @Option(names = "--threads", description = "Worker threads (default: every core).")
        Integer threads;

        @Option(names = "--json", description = "Print the result as JSON.")
        boolean json;

        @Override
        public Integer call() throws Exception {
            RecalibrateJob.Options o = new RecalibrateJob.Options(artifact, fp32, data, output, history, modelName, method, evalRows, !noSearch,
                    batch, threads == null ? Runtime.getRuntime().availableProcessors() : threads, VersionProvider.version());
            RecalibrateJob.Result r;
            try (Bars bars = new Bars()) {
                r = RecalibrateJob.run(o, bars);
            }
            PrintWriter out = spec.commandLine().getOut();
            if (json) {
                out.println(r.reportJson());
            } else {
                JsonNode j = Json.MAPPER.readTree(r.reportJson());
                out.println(j.path("summary").asText());
                Table t = new Table("layer", "format", "old range", "new range");
                for (JsonNode l : j.path("layers")) {
                    t.row(l.path("node").asText(), l.path("format").asText(), l.path("old_range").asText(), l.path("new_range").asText());
                }
                t.print(out);
                for (JsonNode n : j.path("notes")) {
                    out.println("note: " + n.asText());
                }
                out.println("artifact: " + output);
            }
            out.flush();
            return r.budgetMet() == Boolean.FALSE ? 1 : 0;
        }
    }

    /** One progress bar per stage, on stderr. */
    static final class Bars implements MonitorJob.Listener, AutoCloseable {
        private Progress bar;
        private String stage = "";
        private long shown;

        @Override
        public void rows(String name, long done, long total) {
            if (!name.equals(stage)) {
                close();
                stage = name;
                bar = new Progress(name, total);
                shown = 0;
            }
            bar.advance(done - shown);
            shown = done;
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
