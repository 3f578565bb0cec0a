package dev.quantize.monitor.job;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.quantize.core.data.Batch;
import dev.quantize.core.data.BatchReader;
import dev.quantize.core.data.Dataset;
import dev.quantize.core.data.DatasetBinding;
import dev.quantize.core.data.Datasets;
import dev.quantize.core.graph.Model;
import dev.quantize.core.io.AtomicFiles;
import dev.quantize.core.kernel.Parallelism;
import dev.quantize.core.onnx.OnnxReader;
import dev.quantize.monitor.baseline.BaselineBuilder;
import dev.quantize.monitor.baseline.MonitorBaseline;
import dev.quantize.monitor.history.History;
import dev.quantize.monitor.history.HistoryException;
import dev.quantize.monitor.history.WindowRecord;
import dev.quantize.monitor.thresholds.Finding;
import dev.quantize.monitor.thresholds.Thresholds;
import dev.quantize.monitor.window.LayerWatch;
import dev.quantize.monitor.window.WindowCollector;
import dev.quantize.monitor.window.WindowStats;
import dev.quantize.monitor.window.WindowSummary;
import dev.quantize.quantizer.artifact.Artifact;
import dev.quantize.quantizer.artifact.Provenance;
import dev.quantize.quantizer.plan.LayerPlan;
import dev.quantize.quantizer.plan.QuantPlan;
import dev.quantize.quantizer.search.Budget;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;

/**
 * {@code quantize monitor run}: one monitoring window of a quantized artifact. Streams the window's
 * data through the FP32 reference and the quantized model side by side ({@link WindowCollector}),
 * compares with the artifact's baseline, evaluates the thresholds, recommends actions, appends the
 * window to the history and writes the reports.
 */
public final class MonitorJob {
    static final ObjectMapper JSON = new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT);

    /**
     * What to run. {@code fp32} null: the reference is the artifact's own weights with FP32
     * activations (only activation quantization is then measured). {@code history}, {@code window},
     * {@code thresholds}, {@code baselineData}, {@code model} and the report files may be null.
     */
    public record Options(Path artifact, Path fp32, Path data, Path history, String window, Path thresholds,
                          Path baselineData, String model, int batchSize, int threads, long maxRows,
                          Path jsonReport, Path prometheus, Path html) {
        public static Options of(Path artifact, Path fp32, Path data) {
            return new Options(artifact, fp32, data, null, null, null, null, null, 512, 2, 0, null, null, null);
        }

        public Options withHistory(Path h, String w) {
            return new Options(artifact, fp32, data, h, w, thresholds, baselineData, model, batchSize, threads, maxRows, jsonReport, prometheus, html);
        }

        public Options withReports(Path json, Path prom, Path htmlFile) {
            return new Options(artifact, fp32, data, history, window, thresholds, baselineData, model, batchSize, threads, maxRows, json, prom, htmlFile);
        }

        public Options withThresholds(Path t) {
            return new Options(artifact, fp32, data, history, window, t, baselineData, model, batchSize, threads, maxRows, jsonReport, prometheus, html);
        }

        public Options withBaselineData(Path b) {
            return new Options(artifact, fp32, data, history, window, thresholds, b, model, batchSize, threads, maxRows, jsonReport, prometheus, html);
        }

        public Options withData(Path d) {
            return new Options(artifact, fp32, d, history, window, thresholds, baselineData, model, batchSize, threads, maxRows, jsonReport, prometheus, html);
        }

        public Options withModel(String m) {
            return new Options(artifact, fp32, data, history, window, thresholds, baselineData, m, batchSize, threads, maxRows, jsonReport, prometheus, html);
        }
    }

    /** Progress: the stage ({@code baseline} or {@code window}), rows done, rows expected (0 unknown). */
    public interface Listener {
        Listener NONE = (stage, done, total) -> {
        };

        void rows(String stage, long done, long total);
    }

    /** A finished window. {@code notes} say what could not be measured and why. */
    public record Result(WindowRecord record, WindowSummary summary, Thresholds.Evaluation evaluation,
                         List<Recommendation> recommendations, List<String> notes, boolean historyInserted) {
        public String status() {
            return evaluation.status();
        }

        /** 0 healthy or warn, 1 alarm. */
        public int exitCode() {
            return evaluation.status().equals(Finding.ALARM) ? 1 : 0;
        }
    }

    private MonitorJob() {
    }

    public static Result run(Options o, Listener listener) throws IOException {
        return run(o, listener, null);
    }

    /**
     * Where a window's statistics come from when not from {@code Options.data()} in this JVM (the spark
     * module: partitions collect {@link WindowStats} partials over these baseline edges, the driver merges).
     */
    @FunctionalInterface
    public interface WindowSource {
        WindowStats collect(Map<String, double[]> inputEdges, Map<String, double[]> activationEdges) throws IOException;
    }

    /** As {@link #run(Options, Listener)}; {@code source}, when not null, collects the window's rows instead. */
    public static Result run(Options o, Listener listener, WindowSource source) throws IOException {
        Instant started = Instant.now().truncatedTo(ChronoUnit.MILLIS);
        long t0 = System.nanoTime();
        if (o.html() != null && o.history() == null) {
            throw new IllegalArgumentException("the HTML report plots the history: give a history database too");
        }
        Thresholds thresholds = o.thresholds() == null ? Thresholds.defaults() : Thresholds.read(o.thresholds());
        Parallelism par = Parallelism.of(Math.max(1, o.threads()));
        List<String> notes = new ArrayList<>();
        Loaded a = load(o.artifact(), o.fp32(), notes);
        MonitorBaseline baseline = baseline(a, o, par, listener, notes);
        List<LayerWatch> watches = LayerWatch.of(a.plan);
        WindowStats stats;
        if (source != null) {
            stats = source.collect(baseline.inputEdges(), baseline.activationEdges());
            if (stats.rows() == 0) {
                throw new IllegalArgumentException(o.data() + ": no rows to monitor");
            }
        } else {
            stats = new WindowStats(baseline.inputEdges(), baseline.activationEdges());
            try (Dataset data = Datasets.open(o.data())) {
                DatasetBinding binding = DatasetBinding.bind(data, a.reference.graph().runtimeInputs());
                WindowCollector collector = new WindowCollector(a.reference, a.quantized, a.plan, false, par);
                long total = data.rowCount().orElse(0);
                total = o.maxRows() > 0 && (total == 0 || total > o.maxRows()) ? o.maxRows() : total;
                try (BatchReader r = data.batches(o.batchSize())) {
                    while (r.hasNext() && (o.maxRows() <= 0 || stats.rows() < o.maxRows())) {
                        Batch b = r.next();
                        collector.add(stats, binding, b);
                        listener.rows("window", stats.rows(), total);
                    }
                }
                if (stats.rows() == 0) {
                    throw new IllegalArgumentException(data.name() + ": no rows to monitor");
                }
            }
        }
        if (stats.labelledRows() == 0) {
            notes.add("the data has no labels: metric deltas (AUC, NE, accuracy, calibration) are not measured; "
                    + "soft_ce_gap (FP32 predictions as soft labels) estimates the NE change");
        }
        return finish(a, o, stats, watches, baseline, thresholds, notes, started, (System.nanoTime() - t0) / 1e9);
    }

    /** The artifact and both models. */
    record Loaded(String model, String format, QuantPlan plan, Model reference, Model quantized, Budget budget,
                  Optional<String> baselineJson, Provenance provenance) {
    }

    static Loaded load(Path artifactPath, Path fp32Path, List<String> notes) throws IOException {
        if (!Files.isRegularFile(artifactPath)) {
            throw new IllegalArgumentException(artifactPath + ": no such artifact file");
        }
        try (Artifact art = Artifact.open(artifactPath)) {
            Model quantized = art.emulationModel();
            Model reference;
            if (fp32Path != null) {
                reference = readChecked(fp32Path, art.provenance(), artifactPath);
            } else {
                reference = quantized;
                notes.add("no --fp32 model: the reference runs the artifact's quantized weights with FP32 activations, "
                        + "so only activation quantization is measured");
            }
            String source = art.provenance().sourceModel();
            String model = source == null || source.isEmpty() ? artifactPath.getFileName().toString() : source;
            return new Loaded(model, formatLabel(art.plan()), art.plan(), reference, quantized,
                    budget(art.reportJson(), notes), art.extra(MonitorBaseline.EXTRA_NAME), art.provenance());
        }
    }

    /** Reads the FP32 model, refusing one whose SHA-256 is not the one the artifact was made from. */
    static Model readChecked(Path fp32, Provenance p, Path artifact) throws IOException {
        if (!Files.isRegularFile(fp32)) {
            throw new IllegalArgumentException(fp32 + ": no such FP32 model file");
        }
        byte[] bytes = Files.readAllBytes(fp32);
        String sha = sha256(bytes);
        if (p.sourceSha256() != null && !p.sourceSha256().isEmpty() && !p.sourceSha256().equalsIgnoreCase(sha)) {
            throw new IllegalArgumentException(fp32 + " is not the model " + artifact.getFileName() + " was made from (its SHA-256 is "
                    + sha.substring(0, 12) + "..., the artifact's source " + (p.sourceModel().isEmpty() ? "" : p.sourceModel() + " ")
                    + "has " + p.sourceSha256().substring(0, Math.min(12, p.sourceSha256().length())) + "...)");
        }
        return OnnxReader.read(bytes, fp32.getFileName().toString(), fp32.toAbsolutePath().getParent());
    }

    static String sha256(byte[] bytes) {
        try {
            return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(bytes));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }

    /** The artifact's budget from its search report, if it has one. */
    static Budget budget(Optional<String> reportJson, List<String> notes) {
        if (reportJson.isEmpty()) {
            notes.add("the artifact has no search report: no accuracy budget to check against");
            return null;
        }
        try {
            JsonNode r = JSON.readTree(reportJson.get());
            return r.hasNonNull("budget") ? Budget.parse(r.get("budget").asText()) : null;
        } catch (IOException | IllegalArgumentException e) {
            notes.add("the artifact's search report has no readable budget (" + e.getMessage() + ")");
            return null;
        }
    }

    /** The plan in one word for the {@code format} label: the one format every quantized layer uses, else {@code mixed}. */
    static String formatLabel(QuantPlan plan) {
        java.util.Set<String> formats = new java.util.TreeSet<>();
        for (LayerPlan l : plan.layers()) {
            if (!l.isFp32()) {
                formats.add(l.weightFormat().equals(LayerPlan.FP32) ? l.activationFormat() : l.weightFormat());
            }
        }
        return formats.isEmpty() ? LayerPlan.FP32 : formats.size() == 1 ? formats.iterator().next() : "mixed";
    }

    private static MonitorBaseline baseline(Loaded a, Options o, Parallelism par, Listener listener, List<String> notes) {
        if (o.baselineData() != null) {
            try (Dataset calib = Datasets.open(o.baselineData())) {
                if (a.baselineJson.isPresent()) {
                    notes.add("baseline computed from " + o.baselineData() + " (--baseline), not the one stored in the artifact");
                }
                long total = calib.rowCount().orElse(0);
                return BaselineBuilder.build(a.reference, a.quantized, a.plan, false, calib, o.batchSize(), 0, par, null,
                        done -> listener.rows("baseline", done, 2 * total));
            }
        }
        return a.baselineJson.map(j -> MonitorBaseline.fromJson(j, o.artifact() + " (monitor_baseline)"))
                .orElseThrow(() -> new IllegalArgumentException(o.artifact() + " holds no monitor baseline (artifacts "
                        + "written before the monitor existed, or by other tools); give --baseline CALIB_DATA to compute one"));
    }

    private static Result finish(Loaded a, Options o, WindowStats stats, List<LayerWatch> watches, MonitorBaseline baseline,
                                 Thresholds thresholds, List<String> notes, Instant started, double seconds) throws IOException {
        WindowSummary s = WindowSummary.of(stats, baseline, watches);
        Map<String, Double> metrics = new TreeMap<>(s.metrics());
        metrics.put("seconds", seconds);
        metrics.put("budget_used", Thresholds.budgetUsed(metrics, a.budget));
        s = new WindowSummary(s.rows(), metrics, s.layers(), s.inputs());
        Thresholds.Evaluation ev = thresholds.evaluate(s, a.budget);
        List<Recommendation> recs = Recommendations.of(s, ev, a.plan, thresholds);
        boolean inputsDrifted = ev.findings().stream().anyMatch(f -> f.kind().equals("input"));
        boolean quantizationWorse = ev.findings().stream().anyMatch(f -> List.of("layer_sqnr_drop_db", "output_sqnr_drop_db",
                "agreement_drop", "budget_used").contains(f.check()));
        if (inputsDrifted && !quantizationWorse) {
            notes.add("the inputs drifted, but the quantized model still tracks FP32 as closely as at calibration: the drift "
                    + "concerns the model itself (retraining); for the quantization, `quantize monitor recalibrate` on recent "
                    + "data refreshes the ranges and the baseline");
        }
        String model = o.model() != null ? o.model() : a.model;
        String window = o.window() != null ? o.window() : started.toString();
        ObjectNode report = report(model, window, started, a, s, ev, recs, thresholds, notes);
        String reportJson = JSON.writeValueAsString(report);
        WindowRecord record = new WindowRecord(model, window, started, s.rows(), s.metrics(), s.layers(), s.inputs(),
                ev.status(), reportJson);
        // The window's own reports first: a history that cannot be written must not lose the window.
        if (o.jsonReport() != null) {
            writeAtomically(o.jsonReport(), reportJson + "\n");
        }
        ReportOutputs.prometheus(record, o.prometheus());
        boolean inserted = false;
        if (o.history() != null) {
            try (History h = History.open(o.history())) {
                inserted = h.append(record);
                ReportOutputs.html(record, o.html(), h);
            } catch (HistoryException e) {
                throw new HistoryException(e.getMessage() + "; the history was left as it was"
                        + (o.jsonReport() != null ? " and this window's report is in " + o.jsonReport() : ""), e);
            }
        }
        return new Result(record, s, ev, recs, List.copyOf(notes), inserted);
    }

    static ObjectNode report(String model, String window, Instant started, Loaded a, WindowSummary s, Thresholds.Evaluation ev,
                             List<Recommendation> recs, Thresholds thresholds, List<String> notes) {
        ObjectNode root = JSON.createObjectNode();
        root.put("model", model);
        root.put("window", window);
        root.put("started_at", started.toString());
        root.put("rows", s.rows());
        root.put("format", a.format);
        root.put("status", ev.status());
        root.put("budget", a.budget == null ? null : a.budget.toString());
        root.set("thresholds", thresholds.toJson());
        ArrayNode fs = root.putArray("findings");
        for (Finding f : ev.findings()) {
            ObjectNode o = fs.addObject();
            o.put("level", f.level());
            o.put("what", f.what());
            putNumber(o, "value", f.value());
            putNumber(o, "threshold", f.threshold());
        }
        ArrayNode rs = root.putArray("recommendations");
        for (Recommendation r : recs) {
            ObjectNode o = rs.addObject();
            o.put("layer", r.layer());
            o.put("action", r.action());
            o.put("to_format", r.toFormat());
            o.put("why", r.why());
        }
        root.set("drifted_inputs", names(ev, "input", "input_psi", "input_ks"));
        root.set("drifted_layers", names(ev, "layer", "activation_psi"));
        root.set("saturated_layers", names(ev, "layer", "saturation_rise"));
        ArrayNode ns = root.putArray("notes");
        notes.forEach(ns::add);
        ObjectNode m = root.putObject("metrics");
        s.metrics().forEach((k, v) -> putNumber(m, k, v));
        root.set("layers", nested(s.layers()));
        root.set("inputs", nested(s.inputs()));
        return root;
    }

    private static ArrayNode names(Thresholds.Evaluation ev, String kind, String... checks) {
        ArrayNode out = JSON.createArrayNode();
        List<String> seen = new ArrayList<>();
        for (Finding f : ev.findings()) {
            if (f.kind().equals(kind) && List.of(checks).contains(f.check()) && !seen.contains(f.subject())) {
                seen.add(f.subject());
                out.add(f.subject());
            }
        }
        return out;
    }

    private static ObjectNode nested(Map<String, Map<String, Double>> m) {
        ObjectNode o = JSON.createObjectNode();
        m.forEach((k, v) -> {
            ObjectNode x = o.putObject(k);
            v.forEach((kk, vv) -> putNumber(x, kk, vv));
        });
        return o;
    }

    /** JSON has no NaN or infinity: NaN is null, infinities are ±1e308 would lie, so they are the strings "Infinity"/"-Infinity". */
    static void putNumber(ObjectNode o, String field, double v) {
        if (Double.isNaN(v)) {
            o.putNull(field);
        } else if (Double.isInfinite(v)) {
            o.put(field, v > 0 ? "Infinity" : "-Infinity");
        } else {
            o.put(field, v);
        }
    }

    static void writeAtomically(Path target, String text) throws IOException {
        Path abs = target.toAbsolutePath();
        Files.createDirectories(abs.getParent());
        Path tmp = AtomicFiles.createTemp(abs, ".tmp");
        try {
            Files.writeString(tmp, text, StandardCharsets.UTF_8);
            AtomicFiles.commit(tmp, abs);
        } finally {
            Files.deleteIfExists(tmp);
        }
    }

    /** For tests and the recalibrate job: a report's JSON tree. */
    static JsonNode parse(String json) throws IOException {
        return JSON.readTree(json);
    }

    static Map<String, String> extras(MonitorBaseline b) {
        Map<String, String> m = new LinkedHashMap<>();
        m.put(MonitorBaseline.EXTRA_NAME, b.toJson());
        return m;
    }
}
