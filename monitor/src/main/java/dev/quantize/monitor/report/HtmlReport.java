package dev.quantize.monitor.report;

import dev.quantize.core.io.AtomicFiles;
import dev.quantize.monitor.history.WindowRecord;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.function.Function;
import org.knowm.xchart.CategoryChart;
import org.knowm.xchart.XYChart;

/**
 * One self-contained HTML page for a model's monitoring history: the summary metrics over the windows,
 * per-layer SQNR and saturation against their calibration values, input drift, and the latest window's
 * findings and recommendations. Charts are PNGs embedded as base64, so the file can be mailed or
 * archived and opened offline; the page loads nothing from anywhere.
 *
 * <p>Every string from the data (model, window, layer and input names, findings) is HTML-escaped. The
 * markup is also well-formed XML, which the tests check with a strict parser. With many layers or
 * inputs only the worst {@code top} (by their value in the latest window) are plotted, and the page
 * says so.
 */
public final class HtmlReport {
    /** Layers or inputs plotted over time when there are more. */
    public static final int DEFAULT_TOP = 8;
    /** Features in the latest-window PSI bar chart when there are more. */
    public static final int BAR_LIMIT = 25;
    /**
     * PSI levels drawn on the drift charts when the latest window's report has no {@code input_psi}
     * thresholds: the usual reading of the population stability index.
     */
    public static final WindowReport.Level DEFAULT_PSI = new WindowReport.Level(0.1, 0.25);

    /** The summary metrics plotted, with their titles. */
    static final List<String[]> SUMMARY_CHARTS = List.of(
            new String[] {"auc_delta", "AUC delta (quantized - FP32)", "delta"},
            new String[] {"ne_delta_rel", "Normalized entropy, relative change", "relative change"},
            new String[] {"accuracy_delta", "Accuracy delta (quantized - FP32)", "delta"},
            new String[] {"agreement", "Agreement with FP32", "fraction of rows"},
            new String[] {"output_sqnr_db", "Output SQNR", "dB"},
            new String[] {"soft_ce_gap", "Soft cross-entropy gap", "gap"});

    private static final DateTimeFormatter TIME = DateTimeFormatter.ofPattern("yyyy-MM-dd HH:mm 'UTC'", Locale.ROOT)
            .withZone(ZoneOffset.UTC);
    private static final int SMALL_W = 560;
    private static final int SMALL_H = 320;
    private static final int WIDE_W = 1000;
    private static final int WIDE_H = 420;

    private final String model;
    private final List<WindowRecord> windows;
    private final int top;
    private final List<String> names;
    private final List<java.time.Instant> starts;
    private final List<Integer> recalibrations = new ArrayList<>();
    private final StringBuilder html = new StringBuilder();
    private int images;

    private HtmlReport(String model, List<WindowRecord> windows, int top) {
        if (windows.isEmpty()) {
            throw new IllegalArgumentException("no windows for model '" + model + "': nothing to report");
        }
        if (top < 1) {
            throw new IllegalArgumentException("top must be at least 1, got " + top);
        }
        this.model = model;
        this.windows = List.copyOf(windows);
        this.top = top;
        this.names = this.windows.stream().map(WindowRecord::window).toList();
        this.starts = this.windows.stream().map(WindowRecord::startedAt).toList();
        for (int i = 0; i < this.windows.size(); i++) {
            if ("recalibrated".equals(this.windows.get(i).status())) {
                recalibrations.add(i);
            }
        }
    }

    /** The page for the model's windows (oldest first), plotting the worst {@code top} layers and inputs. */
    public static String html(String model, List<WindowRecord> windows, int top) {
        HtmlReport r = new HtmlReport(model, windows, top);
        r.page();
        return r.html.toString();
    }

    /** Writes the page atomically to {@code out}. */
    public static void write(Path out, String model, List<WindowRecord> windows, int top) {
        byte[] bytes = html(model, windows, top).getBytes(StandardCharsets.UTF_8);
        try {
            Path temp = AtomicFiles.createTemp(out, ".tmp");
            try {
                Files.write(temp, bytes);
                AtomicFiles.commit(temp, out);
            } catch (IOException | RuntimeException e) {
                Files.deleteIfExists(temp);
                throw e;
            }
        } catch (IOException e) {
            throw new UncheckedIOException("cannot write report " + out + ": " + e.getMessage(), e);
        }
    }

    private void page() {
        WindowRecord latest = windows.get(windows.size() - 1);
        WindowReport report = WindowReport.parse(latest.reportJson());
        html.append("<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\"/>\n<title>")
                .append(esc("quantize monitor: " + model)).append("</title>\n<style>\n").append(CSS).append("</style>\n</head>\n<body>\n");
        html.append("<h1>Monitor report: ").append(esc(model)).append("</h1>\n");
        html.append("<p class=\"meta\">").append(windows.size()).append(windows.size() == 1 ? " window" : " windows")
                .append(", ").append(esc(names.get(0))).append(" (").append(TIME.format(windows.get(0).startedAt())).append(")")
                .append(" to ").append(esc(latest.window())).append(" (").append(TIME.format(latest.startedAt())).append(")")
                .append(". Latest status: ").append(badge(latest.status()))
                .append(". Plan: <code>").append(esc(report.format())).append("</code>.</p>\n");

        section("Latest window: " + latest.window());
        findings(report);
        recommendations(report);

        section("Status per window");
        statusTable();

        section("Model quality over the windows");
        if (!recalibrations.isEmpty()) {
            html.append("<p>A dashed blue vertical line marks a recalibration.</p>\n");
        }
        html.append("<div class=\"grid\">\n");
        for (String[] m : SUMMARY_CHARTS) {
            double[] y = series(w -> w.metrics().get(m[0]));
            XYChart c = Charts.timeChart(m[1] + " [" + m[0] + "]", m[2], starts, recalibrations, SMALL_W, SMALL_H);
            c.getStyler().setLegendVisible(false);
            if (Charts.line(c, m[0], starts, y, Charts.PALETTE[0], false)) {
                Charts.finish(c, starts, recalibrations, y);
                image(c, m[1] + " over the windows");
            } else {
                empty(m[1] + ": no value in any window.");
            }
        }
        html.append("</div>\n");

        section("Layers");
        layerChart(latest, "sqnr_db", "sqnr_db_calib", "Per-layer SQNR (dashed or +: calibration)", "dB", true,
                "lowest SQNR");
        layerChart(latest, "saturation", "saturation_calib", "Per-layer saturation (dashed or +: calibration)",
                "fraction clipped", false, "highest saturation");

        section("Input drift");
        inputCharts(latest, report.threshold("input_psi", DEFAULT_PSI));
        html.append("</body>\n</html>\n");
    }

    private void findings(WindowReport report) {
        html.append("<h3>Findings</h3>\n");
        if (report.findings().isEmpty()) {
            html.append("<p>None.</p>\n");
            return;
        }
        html.append("<table>\n<tr><th>level</th><th>what</th><th>value</th><th>threshold</th></tr>\n");
        for (WindowReport.Finding f : report.findings()) {
            html.append("<tr><td>").append(badge(f.level())).append("</td><td><code>").append(esc(f.what()))
                    .append("</code></td><td class=\"num\">").append(num(f.value())).append("</td><td class=\"num\">")
                    .append(num(f.threshold())).append("</td></tr>\n");
        }
        html.append("</table>\n");
    }

    private void recommendations(WindowReport report) {
        html.append("<h3>Recommendations</h3>\n");
        if (report.recommendations().isEmpty()) {
            html.append("<p>None.</p>\n");
            return;
        }
        html.append("<table>\n<tr><th>layer</th><th>action</th><th>to format</th><th>why</th></tr>\n");
        for (WindowReport.Recommendation r : report.recommendations()) {
            html.append("<tr><td><code>").append(esc(r.layer())).append("</code></td><td>").append(esc(r.action()))
                    .append("</td><td><code>").append(esc(r.toFormat())).append("</code></td><td>").append(esc(r.why()))
                    .append("</td></tr>\n");
        }
        html.append("</table>\n");
    }

    private void statusTable() {
        String[] keys = {"agreement", "auc_delta", "ne_delta_rel", "accuracy_delta", "output_sqnr_db", "max_input_psi",
                "min_layer_sqnr_db"};
        html.append("<table>\n<tr><th>window</th><th>started</th><th>rows</th><th>status</th>");
        for (String k : keys) {
            html.append("<th>").append(k).append("</th>");
        }
        html.append("</tr>\n");
        for (int i = windows.size() - 1; i >= 0; i--) { // newest first: the row one reads first
            WindowRecord w = windows.get(i);
            html.append("<tr><td>").append(esc(w.window())).append("</td><td>").append(TIME.format(w.startedAt()))
                    .append("</td><td class=\"num\">").append(w.rows()).append("</td><td>").append(badge(w.status())).append("</td>");
            for (String k : keys) {
                Double v = w.metrics().get(k);
                html.append("<td class=\"num\">").append(v == null ? "-" : num(v)).append("</td>");
            }
            html.append("</tr>\n");
        }
        html.append("</table>\n");
    }

    private void layerChart(WindowRecord latest, String key, String calibKey, String title, String yTitle,
                            boolean lowIsWorse, String worstBy) {
        Set<String> all = keys(WindowRecord::layers);
        if (all.isEmpty()) {
            empty("No per-layer metrics in this history.");
            return;
        }
        List<String> shown = worst(all, name -> value(latest.layers(), name, key), lowIsWorse);
        html.append("<p>").append(shownNote(shown.size(), all.size(), "layers", worstBy, latest.window())).append("</p>\n");
        XYChart c = Charts.timeChart(title, yTitle, starts, recalibrations, WIDE_W, WIDE_H);
        boolean any = false;
        double[] everything = new double[0];
        for (int i = 0; i < shown.size(); i++) {
            String layer = shown.get(i);
            java.awt.Color color = Charts.PALETTE[i % Charts.PALETTE.length];
            double[] y = series(w -> value(w.layers(), layer, key));
            double[] calib = series(w -> value(w.layers(), layer, calibKey));
            any |= Charts.line(c, layer, starts, y, color, false);
            any |= Charts.line(c, layer, starts, calib, color, true);
            everything = concat(everything, y, calib);
        }
        if (any) {
            Charts.finish(c, starts, recalibrations, everything);
            image(c, title);
        } else {
            empty(title + ": no value in any window.");
        }
    }

    private void inputCharts(WindowRecord latest, WindowReport.Level psiLevel) {
        double psiWarn = psiLevel.warn();
        double psiAlarm = psiLevel.alarm();
        Set<String> all = keys(WindowRecord::inputs);
        if (all.isEmpty()) {
            empty("No per-input drift metrics in this history.");
            return;
        }
        List<String> shown = worst(all, name -> value(latest.inputs(), name, "psi"), false);
        html.append("<p>PSI (population stability index) of each input against the calibration data, with the ")
                .append("monitor's warn (").append(Charts.number(psiWarn)).append(") and alarm (")
                .append(Charts.number(psiAlarm)).append(") levels. ")
                .append(shownNote(shown.size(), all.size(), "inputs", "highest PSI", latest.window())).append("</p>\n");
        XYChart c = Charts.timeChart("Input PSI over the windows", "PSI", starts, recalibrations, WIDE_W, WIDE_H);
        boolean any = false;
        double[] everything = {psiAlarm};
        for (int i = 0; i < shown.size(); i++) {
            String input = shown.get(i);
            double[] y = series(w -> value(w.inputs(), input, "psi"));
            any |= Charts.line(c, input, starts, y, Charts.PALETTE[i % Charts.PALETTE.length], false);
            everything = concat(everything, y);
        }
        if (any) {
            Charts.threshold(c, "warn " + Charts.number(psiWarn), psiWarn, Charts.WARN);
            Charts.threshold(c, "alarm " + Charts.number(psiAlarm), psiAlarm, Charts.ALARM);
            Charts.finish(c, starts, recalibrations, concat(everything, new double[] {0}));
            image(c, "Input PSI over the windows");
        } else {
            empty("Input PSI: no value in any window.");
        }

        List<String> bars = worst(all, name -> value(latest.inputs(), name, "psi"), false, BAR_LIMIT);
        double[] psi = bars.stream().mapToDouble(name -> value(latest.inputs(), name, "psi")).toArray();
        if (java.util.Arrays.stream(psi).noneMatch(Double::isFinite)) {
            empty("Latest window: no input PSI.");
            return;
        }
        html.append("<p>").append(shownNote(bars.size(), all.size(), "inputs", "highest PSI", latest.window())).append("</p>\n");
        CategoryChart bar = Charts.levelBars("Input PSI in window " + Charts.shorten(latest.window(), 30), "PSI", bars, psi,
                psiWarn, psiAlarm, WIDE_W, WIDE_H + 60);
        image(bar, "Input PSI per feature in the latest window");
    }

    /** The note saying whether everything is plotted or only the worst few. */
    private String shownNote(int shown, int all, String what, String worstBy, String window) {
        if (shown == all) {
            return "All " + all + " " + what + ".";
        }
        return "Showing the " + shown + " of " + all + " " + what + " with the " + worstBy + " in window " + esc(window) + ".";
    }

    private List<String> worst(Set<String> all, Function<String, Double> latestValue, boolean lowIsWorse) {
        return worst(all, latestValue, lowIsWorse, top);
    }

    /** The n worst names by their latest value; names without a finite latest value come last, by name. */
    static List<String> worst(Set<String> all, Function<String, Double> latestValue, boolean lowIsWorse, int n) {
        Comparator<String> byValue = Comparator.comparingDouble(name -> {
            double v = latestValue.apply(name);
            if (Double.isNaN(v)) {
                return Double.POSITIVE_INFINITY;
            }
            return lowIsWorse ? v : -v;
        });
        return all.stream().sorted(byValue.thenComparing(Comparator.naturalOrder())).limit(n).toList();
    }

    private Set<String> keys(Function<WindowRecord, Map<String, Map<String, Double>>> f) {
        Set<String> out = new LinkedHashSet<>();
        windows.forEach(w -> out.addAll(f.apply(w).keySet()));
        return out;
    }

    private static double value(Map<String, Map<String, Double>> m, String name, String key) {
        Map<String, Double> inner = m.get(name);
        Double v = inner == null ? null : inner.get(key);
        return v == null ? Double.NaN : v;
    }

    private double[] series(Function<WindowRecord, Double> f) {
        double[] y = new double[windows.size()];
        for (int i = 0; i < y.length; i++) {
            Double v = f.apply(windows.get(i));
            y[i] = v == null ? Double.NaN : v;
        }
        return y;
    }

    private static double[] concat(double[]... parts) {
        return java.util.Arrays.stream(parts).flatMapToDouble(java.util.Arrays::stream).toArray();
    }

    private void image(org.knowm.xchart.internal.chartpart.Chart<?, ?> c, String alt) {
        html.append("<figure><img alt=\"").append(esc(alt)).append("\" width=\"").append(c.getWidth()).append("\" height=\"")
                .append(c.getHeight()).append("\" src=\"data:image/png;base64,").append(Charts.png(c)).append("\"/></figure>\n");
        images++;
    }

    private void empty(String text) {
        html.append("<p class=\"empty\">").append(esc(text)).append("</p>\n");
    }

    private void section(String title) {
        html.append("<h2>").append(esc(title)).append("</h2>\n");
    }

    /** A coloured status or level; the class comes from a fixed set, never from the data. */
    static String badge(String status) {
        String cls = switch (status) {
            case "healthy" -> "healthy";
            case "warn" -> "warn";
            case "alarm" -> "alarm";
            case "recalibrated" -> "recalibrated";
            default -> "other";
        };
        return "<span class=\"badge " + cls + "\">" + esc(status) + "</span>";
    }

    static String num(double v) {
        if (Double.isNaN(v)) {
            return "NaN";
        }
        if (Double.isInfinite(v)) {
            return v > 0 ? "+inf" : "-inf";
        }
        double a = Math.abs(v);
        if (a != 0 && (a < 1e-4 || a >= 1e9)) {
            return String.format(Locale.ROOT, "%.3e", v);
        }
        // 4 significant digits without trailing zeros: 0.25, 0.1235, 200000
        return new java.math.BigDecimal(v).round(new java.math.MathContext(a >= 1e4 ? 10 : 4)).stripTrailingZeros().toPlainString();
    }

    /** HTML-escapes text for element content and quoted attributes; control characters become U+FFFD. */
    static String esc(String s) {
        StringBuilder out = new StringBuilder(s.length() + 16);
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            switch (c) {
                case '&' -> out.append("&amp;");
                case '<' -> out.append("&lt;");
                case '>' -> out.append("&gt;");
                case '"' -> out.append("&quot;");
                case '\'' -> out.append("&#39;");
                default -> out.append(c < 0x20 && c != '\n' && c != '\t' ? '\uFFFD' : c);
            }
        }
        return out.toString();
    }

    int images() {
        return images;
    }

    private static final String CSS = """
            body { font-family: sans-serif; margin: 24px; color: #222; max-width: 1200px; }
            h1 { font-size: 22px; } h2 { font-size: 18px; margin-top: 28px; border-bottom: 1px solid #ddd; } h3 { font-size: 15px; }
            .meta { color: #444; }
            table { border-collapse: collapse; font-size: 13px; }
            th, td { border: 1px solid #ddd; padding: 3px 8px; text-align: left; }
            td.num { text-align: right; font-variant-numeric: tabular-nums; }
            .badge { padding: 1px 6px; border-radius: 3px; color: #fff; font-size: 12px; }
            .healthy { background: #4e9a6a; } .warn { background: #b7791f; } .alarm { background: #c0392b; }
            .recalibrated { background: #3366cc; } .other { background: #777; }
            .grid { display: flex; flex-wrap: wrap; gap: 8px; }
            figure { margin: 4px; } img { max-width: 100%; height: auto; }
            .empty { color: #777; font-style: italic; }
            """;
}
