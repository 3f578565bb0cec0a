package dev.quantize.monitor.report;

import dev.quantize.core.io.AtomicFiles;
import dev.quantize.monitor.history.WindowRecord;
import io.prometheus.metrics.config.EscapingScheme;
import io.prometheus.metrics.expositionformats.PrometheusTextFormatWriter;
import io.prometheus.metrics.model.snapshots.GaugeSnapshot;
import io.prometheus.metrics.model.snapshots.GaugeSnapshot.GaugeDataPointSnapshot;
import io.prometheus.metrics.model.snapshots.Labels;
import io.prometheus.metrics.model.snapshots.MetricSnapshot;
import io.prometheus.metrics.model.snapshots.MetricSnapshots;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * One monitoring window as a file for node_exporter's textfile collector (the Prometheus text
 * exposition format 0.0.4), so the monitor's state can be scraped and alerted on.
 *
 * <p>Every series is a gauge named {@code quantize_monitor_*} in base units, labelled {@code model} and
 * {@code format} (the plan summary from the window report), plus {@code layer} or {@code input} for the
 * per-layer and per-input series. A metric absent from the record is left out (Prometheus convention:
 * no series rather than a made-up value); a NaN in the record is written as {@code NaN}. The Prometheus
 * Java client's text writer does the formatting and the escaping of label values and help text.
 *
 * <p>The file is written to a temporary file in the same folder and renamed over the target, so the
 * collector never reads half a file; the temporary name starts with a dot and does not end in
 * {@code .prom}, so the collector ignores it even while it exists.
 */
public final class PrometheusTextfile {

    /** The prefix of every metric name. */
    public static final String PREFIX = "quantize_monitor_";

    /** One exported gauge: the record's key, its Prometheus name and help. */
    public record Family(String key, String name, String help) {
    }

    /** Window summary series: key in {@link WindowRecord#metrics()} to gauge. */
    public static final List<Family> SUMMARY = List.of(
            new Family("agreement", PREFIX + "agreement_ratio", "Fraction of rows where the quantized model's decision equals FP32's."),
            new Family("output_sqnr_db", PREFIX + "output_sqnr_decibels", "SQNR of the quantized outputs against FP32, in dB."),
            new Family("auc_fp32", PREFIX + "auc_fp32", "ROC AUC of the FP32 model on the window's labels."),
            new Family("auc_quant", PREFIX + "auc_quantized", "ROC AUC of the quantized model on the window's labels."),
            new Family("auc_delta", PREFIX + "auc_delta", "ROC AUC of the quantized model minus FP32's."),
            new Family("ne_fp32", PREFIX + "normalized_entropy_fp32", "Normalized entropy of the FP32 model."),
            new Family("ne_quant", PREFIX + "normalized_entropy_quantized", "Normalized entropy of the quantized model."),
            new Family("ne_delta_rel", PREFIX + "normalized_entropy_delta_ratio", "Relative change of normalized entropy, quantized against FP32 (0.01 = 1%)."),
            new Family("accuracy_delta", PREFIX + "accuracy_delta_ratio", "Accuracy of the quantized model minus FP32's (0.01 = 1 point)."),
            new Family("calibration_ratio_delta", PREFIX + "calibration_ratio_delta", "Calibration ratio (mean prediction / mean label) of the quantized model minus FP32's."),
            new Family("soft_ce_gap", PREFIX + "soft_cross_entropy_gap", "Cross-entropy of the quantized outputs against FP32's soft outputs, minus FP32's own entropy."),
            new Family("max_input_psi", PREFIX + "max_input_psi", "Largest population stability index of any input against calibration."),
            new Family("max_activation_psi", PREFIX + "max_activation_psi", "Largest population stability index of any layer's activations against calibration."),
            new Family("max_saturation_rise", PREFIX + "max_saturation_rise_ratio", "Largest rise of any layer's saturated fraction over calibration."),
            new Family("min_layer_sqnr_db", PREFIX + "min_layer_sqnr_decibels", "Lowest per-layer SQNR in the window, in dB."),
            new Family("seconds", PREFIX + "run_duration_seconds", "Wall time the monitor took for the window."));

    /** Per-layer series (label {@code layer}): key in {@link WindowRecord#layers()} to gauge. */
    public static final List<Family> LAYER = List.of(
            new Family("sqnr_db", PREFIX + "layer_sqnr_decibels", "SQNR of the layer's quantized output against FP32 on the window, in dB."),
            new Family("sqnr_db_calib", PREFIX + "layer_calibration_sqnr_decibels", "The layer's SQNR on the calibration data, in dB."),
            new Family("saturation", PREFIX + "layer_saturation_ratio", "Fraction of the layer's activations clipped at the calibrated range on the window."),
            new Family("saturation_calib", PREFIX + "layer_calibration_saturation_ratio", "Fraction of the layer's activations clipped on the calibration data."),
            new Family("psi", PREFIX + "layer_psi", "Population stability index of the layer's activations against calibration."),
            new Family("ks", PREFIX + "layer_ks", "Kolmogorov-Smirnov distance of the layer's activations against calibration."));

    /** Per-input series (label {@code input}): key in {@link WindowRecord#inputs()} to gauge. */
    public static final List<Family> INPUT = List.of(
            new Family("psi", PREFIX + "input_psi", "Population stability index of the input feature against calibration."),
            new Family("ks", PREFIX + "input_ks", "Kolmogorov-Smirnov distance of the input feature against calibration."));

    public static final String STATUS = PREFIX + "status";
    public static final String RECALIBRATED = PREFIX + "recalibrated";
    public static final String LAST_RUN = PREFIX + "last_run_timestamp_seconds";
    public static final String WINDOW_START = PREFIX + "window_start_timestamp_seconds";
    public static final String ROWS = PREFIX + "window_rows";

    private PrometheusTextfile() {
    }

    /**
     * The status as a number for alerting: healthy 0, warn 1, alarm 2; a recalibration window counts
     * as healthy (the plan was just refitted), flagged by its own gauge.
     */
    public static int statusCode(String status) {
        return switch (status) {
            case "healthy", "recalibrated" -> 0;
            case "warn" -> 1;
            case "alarm" -> 2;
            default -> throw new IllegalArgumentException("window status must be healthy, warn, alarm or recalibrated, got '"
                    + status + "'");
        };
    }

    /** Writes the window's file atomically; the last-run timestamp is now. */
    public static void write(WindowRecord r, Path file) {
        write(r, file, Instant.now());
    }

    /** Writes the window's file atomically with {@code ranAt} as the last-run timestamp. */
    public static void write(WindowRecord r, Path file, Instant ranAt) {
        byte[] bytes = text(r, ranAt).getBytes(StandardCharsets.UTF_8);
        try {
            Path temp = AtomicFiles.createTemp(file, ".tmp");
            try {
                try (OutputStream out = Files.newOutputStream(temp)) {
                    out.write(bytes);
                }
                AtomicFiles.commit(temp, file);
            } catch (IOException | RuntimeException e) {
                Files.deleteIfExists(temp);
                throw e;
            }
        } catch (IOException e) {
            throw new UncheckedIOException("cannot write Prometheus textfile " + file + ": " + e.getMessage(), e);
        }
    }

    /** The file's content. */
    public static String text(WindowRecord r, Instant ranAt) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        try {
            PrometheusTextFormatWriter.create().write(out, snapshots(r, ranAt), EscapingScheme.ALLOW_UTF8);
        } catch (IOException e) {
            throw new UncheckedIOException(e); // a byte array does not fail
        }
        return out.toString(StandardCharsets.UTF_8);
    }

    /** The window as gauges (families without a value in the record are left out). */
    public static MetricSnapshots snapshots(WindowRecord r, Instant ranAt) {
        Labels base = Labels.of("model", r.model(), "format", WindowReport.parse(r.reportJson()).format());
        List<MetricSnapshot> out = new ArrayList<>();
        out.add(gauge(STATUS, "Window status: 0 healthy (or just recalibrated), 1 warn, 2 alarm.", base, statusCode(r.status())));
        out.add(gauge(RECALIBRATED, "1 if the window is a recalibration, else 0.", base, "recalibrated".equals(r.status()) ? 1 : 0));
        out.add(gauge(LAST_RUN, "Unix time the monitor last wrote this file.", base, seconds(ranAt)));
        out.add(gauge(WINDOW_START, "Unix time the window started.", base, seconds(r.startedAt())));
        out.add(gauge(ROWS, "Rows the window was checked on.", base, r.rows()));
        for (Family f : SUMMARY) {
            Double v = r.metrics().get(f.key());
            if (v != null) {
                out.add(gauge(f.name(), f.help(), base, v));
            }
        }
        addNested(out, LAYER, "layer", r.layers(), base);
        addNested(out, INPUT, "input", r.inputs(), base);
        return new MetricSnapshots(out);
    }

    /** Every metric name this class can write, for documentation and tests. */
    public static List<String> metricNames() {
        List<String> names = new ArrayList<>(List.of(STATUS, RECALIBRATED, LAST_RUN, WINDOW_START, ROWS));
        for (List<Family> fs : List.of(SUMMARY, LAYER, INPUT)) {
            fs.forEach(f -> names.add(f.name()));
        }
        return names;
    }

    private static void addNested(List<MetricSnapshot> out, List<Family> families, String label,
                                  Map<String, Map<String, Double>> values, Labels base) {
        for (Family f : families) {
            GaugeSnapshot.Builder g = GaugeSnapshot.builder().name(f.name()).help(f.help());
            boolean any = false;
            for (Map.Entry<String, Map<String, Double>> e : values.entrySet()) {
                Double v = e.getValue().get(f.key());
                if (v != null) {
                    g.dataPoint(GaugeDataPointSnapshot.builder().labels(base.add(label, e.getKey())).value(v).build());
                    any = true;
                }
            }
            if (any) {
                out.add(g.build());
            }
        }
    }

    private static GaugeSnapshot gauge(String name, String help, Labels labels, double value) {
        return GaugeSnapshot.builder().name(name).help(help)
                .dataPoint(GaugeDataPointSnapshot.builder().labels(labels).value(value).build()).build();
    }

    private static double seconds(Instant t) {
        return t.getEpochSecond() + t.getNano() / 1e9;
    }
}
