package dev.quantize.monitor.report;

import java.awt.BasicStroke;
import java.awt.Color;
import java.awt.Font;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.ArrayList;
import java.util.Base64;
import java.util.Date;
import java.util.List;
import java.util.TimeZone;
import java.time.Instant;
import org.knowm.xchart.AnnotationLine;
import org.knowm.xchart.AnnotationText;
import org.knowm.xchart.BitmapEncoder;
import org.knowm.xchart.CategoryChart;
import org.knowm.xchart.CategorySeries;
import org.knowm.xchart.XYChart;
import org.knowm.xchart.XYSeries;
import org.knowm.xchart.internal.chartpart.Chart;
import org.knowm.xchart.style.AxesChartStyler;
import org.knowm.xchart.style.Styler;
import org.knowm.xchart.style.lines.SeriesLines;
import org.knowm.xchart.style.markers.SeriesMarkers;

/**
 * The report's charts (XChart, rendered off-screen to PNG). Time charts put the windows at their start
 * times, with a dashed vertical line at each recalibration; values that are not finite are gaps (an
 * infinite SQNR, i.e. no error, cannot be drawn on a linear axis).
 */
final class Charts {
    /** Distinguishable on white and for the common colour-vision deficiencies (Okabe-Ito, then greys). */
    static final Color[] PALETTE = {
            new Color(0x0072B2), new Color(0xD55E00), new Color(0x009E73), new Color(0xCC79A7),
            new Color(0xE69F00), new Color(0x56B4E9), new Color(0x000000), new Color(0x8C6D31),
            new Color(0x7F7F7F), new Color(0x999933)};
    static final Color WARN = new Color(0xE69F00);
    static final Color ALARM = new Color(0xC0392B);
    static final Color OK = new Color(0x4E9A6A);
    static final Color RECALIBRATION = new Color(0x3366CC);

    /** Legend and axis labels longer than this are shortened in the middle. */
    static final int LABEL_CHARS = 34;

    private Charts() {
    }

    /**
     * A chart over the windows, on a time axis (the windows' start times, UTC): XChart's own date ticks
     * stay readable for 1 to hundreds of windows, which a category axis of window names does not.
     * Series are added with {@link #line}; then {@link #finish} fixes the y range and labels.
     */
    static XYChart timeChart(String title, String yTitle, List<Instant> starts, List<Integer> recalibrations,
                             int width, int height) {
        XYChart c = new XYChart(width, height);
        c.setTitle(title);
        c.setXAxisTitle("window start (UTC)");
        c.setYAxisTitle(yTitle);
        style(c.getStyler());
        c.getStyler().setMarkerSize(5);
        c.getStyler().setLegendPosition(Styler.LegendPosition.OutsideE);
        c.getStyler().setTimezone(TimeZone.getTimeZone("UTC"));
        long first = starts.get(0).toEpochMilli();
        long last = starts.get(starts.size() - 1).toEpochMilli();
        double span = Math.max(last - first, 3_600_000L); // at least an hour, so one window has an axis
        c.getStyler().setXAxisMin(first - span * 0.04);
        c.getStyler().setXAxisMax(last + span * 0.04);
        c.getStyler().setDatePattern(last - first >= 3 * 86_400_000L ? "MM-dd" : "MM-dd HH:mm");
        c.getStyler().setXAxisLabelRotation(30);
        c.getStyler().setAnnotationLineColor(RECALIBRATION);
        c.getStyler().setAnnotationLineStroke(new BasicStroke(1.5f, BasicStroke.CAP_BUTT, BasicStroke.JOIN_MITER, 10f,
                new float[] {6f, 4f}, 0f));
        c.getStyler().setAnnotationTextFontColor(RECALIBRATION);
        c.getStyler().setAnnotationTextFont(new Font(Font.SANS_SERIF, Font.PLAIN, 10));
        for (int r : recalibrations) {
            c.addAnnotation(new AnnotationLine(starts.get(r).toEpochMilli(), true, false));
        }
        return c;
    }

    /**
     * Adds a series over the windows; returns false (adding nothing) when no value is finite. Non-finite
     * values become gaps. Dashed series are reference lines (e.g. the calibration value) and stay out of
     * the legend.
     */
    static boolean line(XYChart c, String name, List<Instant> starts, double[] y, Color color, boolean dashed) {
        List<Date> x = new ArrayList<>();
        List<Double> v = new ArrayList<>();
        boolean any = false;
        for (int i = 0; i < y.length; i++) {
            x.add(Date.from(starts.get(i)));
            v.add(Double.isFinite(y[i]) ? y[i] : Double.NaN);
            any |= Double.isFinite(y[i]);
        }
        if (!any) {
            return false;
        }
        XYSeries s = c.addSeries(uniqueName(c, shorten(name, LABEL_CHARS), dashed), x, v);
        s.setLineColor(color);
        s.setMarkerColor(color);
        if (dashed) {
            s.setLineStyle(new BasicStroke(1.5f, BasicStroke.CAP_BUTT, BasicStroke.JOIN_MITER, 10f, new float[] {5f, 4f}, 0f));
            // a reference value with no finite neighbour draws no line: mark it, or it would be invisible
            s.setMarker(hasSegment(y) ? SeriesMarkers.NONE : SeriesMarkers.PLUS);
            s.setShowInLegend(false);
        } else {
            s.setLineStyle(new BasicStroke(2f)); // solid: XChart would otherwise cycle dash patterns after a few series
            s.setMarker(SeriesMarkers.CIRCLE);
        }
        return true;
    }

    private static boolean hasSegment(double[] y) {
        for (int i = 1; i < y.length; i++) {
            if (Double.isFinite(y[i - 1]) && Double.isFinite(y[i])) {
                return true;
            }
        }
        return false;
    }

    /** A horizontal threshold across the plot, in the legend as e.g. "alarm 0.25". */
    static void threshold(XYChart c, String label, double value, Color color) {
        double lo = c.getStyler().getXAxisMin();
        double hi = c.getStyler().getXAxisMax();
        XYSeries s = c.addSeries(label, List.of(new Date((long) lo), new Date((long) hi)), List.of(value, value));
        s.setLineColor(color);
        s.setLineStyle(new BasicStroke(1.5f, BasicStroke.CAP_BUTT, BasicStroke.JOIN_MITER, 10f, new float[] {2f, 3f}, 0f));
        s.setMarker(SeriesMarkers.NONE);
    }

    /**
     * Fixes the y range to the plotted values (plus headroom) and writes "recalibrated" above each
     * recalibration line, in the headroom so it never sits on a data line.
     */
    static void finish(XYChart c, List<Instant> starts, List<Integer> recalibrations, double[] values) {
        double lo = Double.POSITIVE_INFINITY;
        double hi = Double.NEGATIVE_INFINITY;
        for (double v : values) {
            if (Double.isFinite(v)) {
                lo = Math.min(lo, v);
                hi = Math.max(hi, v);
            }
        }
        if (lo > hi) {
            return;
        }
        double range = hi - lo;
        if (range == 0) {
            range = Math.max(Math.abs(hi) * 0.1, 1e-6);
            lo -= range / 2;
        }
        double headroom = recalibrations.isEmpty() ? 0.05 : 0.14;
        c.getStyler().setYAxisMin(lo - range * 0.05);
        c.getStyler().setYAxisMax(hi + range * headroom);
        // AnnotationText centres on x: move it left by about half its width so the line does not cross it
        double axis = c.getStyler().getXAxisMax() - c.getStyler().getXAxisMin();
        double shift = axis * 36.0 / (c.getWidth() * 0.72);
        for (int r : recalibrations) {
            c.addAnnotation(new AnnotationText("recalibrated", starts.get(r).toEpochMilli() - shift, hi + range * 0.08, false));
        }
    }

    /**
     * Bars of one value per name, coloured by level against the warn and alarm thresholds, with the two
     * thresholds drawn as lines.
     */
    static CategoryChart levelBars(String title, String yTitle, List<String> names, double[] values,
                                   double warn, double alarm, int width, int height) {
        CategoryChart c = new CategoryChart(width, height);
        c.setTitle(title);
        c.setYAxisTitle(yTitle);
        style(c.getStyler());
        c.getStyler().setOverlapped(true); // one level series per colour, each bar in exactly one of them
        c.getStyler().setLegendPosition(Styler.LegendPosition.OutsideE);
        c.getStyler().setXAxisLabelRotation(names.size() > 6 ? 90 : 0); // 90: one label per bar fits
        if (names.size() > 1) {
            c.getStyler().setXAxisMaxLabelCount(names.size()); // else XChart shows only every few (and refuses 1)
        }
        c.getStyler().setYAxisMin(0.0);
        List<String> labels = new ArrayList<>();
        for (String n : names) {
            labels.add(uniqueLabel(labels, shorten(n, 22)));
        }
        List<Double> ok = new ArrayList<>();
        List<Double> w = new ArrayList<>();
        List<Double> a = new ArrayList<>();
        List<Double> warnLine = new ArrayList<>();
        List<Double> alarmLine = new ArrayList<>();
        for (double v : values) {
            double shown = Double.isFinite(v) ? v : 0.0; // a missing value shows as no bar
            ok.add(shown < warn ? shown : 0.0);
            w.add(shown >= warn && shown < alarm ? shown : 0.0);
            a.add(shown >= alarm ? shown : 0.0);
            warnLine.add(warn);
            alarmLine.add(alarm);
        }
        c.addSeries("below warn", labels, ok).setFillColor(OK);
        c.addSeries("warn", labels, w).setFillColor(WARN);
        c.addSeries("alarm", labels, a).setFillColor(ALARM);
        CategorySeries wl = c.addSeries("warn " + number(warn), labels, warnLine);
        wl.setChartCategorySeriesRenderStyle(CategorySeries.CategorySeriesRenderStyle.Line);
        wl.setLineColor(WARN);
        wl.setLineStyle(SeriesLines.DASH_DASH);
        wl.setMarker(SeriesMarkers.NONE);
        CategorySeries al = c.addSeries("alarm " + number(alarm), labels, alarmLine);
        al.setChartCategorySeriesRenderStyle(CategorySeries.CategorySeriesRenderStyle.Line);
        al.setLineColor(ALARM);
        al.setLineStyle(SeriesLines.DASH_DASH);
        al.setMarker(SeriesMarkers.NONE);
        return c;
    }

    /** The chart as a base64 PNG. */
    static String png(Chart<?, ?> c) {
        try {
            return Base64.getEncoder().encodeToString(BitmapEncoder.getBitmapBytes(c, BitmapEncoder.BitmapFormat.PNG));
        } catch (IOException e) {
            throw new UncheckedIOException("cannot render chart '" + c.getTitle() + "': " + e.getMessage(), e);
        }
    }

    /** "abcdefgh" to "abc...fgh" when longer than max characters. */
    static String shorten(String s, int max) {
        if (s.length() <= max) {
            return s;
        }
        int keep = max - 3;
        return s.substring(0, keep - keep / 2) + "..." + s.substring(s.length() - keep / 2);
    }

    /** A tick value with at most 6 significant digits and no float noise: 0.30000000000000004 to "0.3". */
    static String tick(double v) {
        if (!Double.isFinite(v)) {
            return String.valueOf(v);
        }
        return new java.math.BigDecimal(v).round(new java.math.MathContext(6)).stripTrailingZeros().toPlainString();
    }

    static String number(double v) {
        return String.format(java.util.Locale.ROOT, "%.3g", v).replaceAll("\\.?0+$", "");
    }

    private static void style(AxesChartStyler s) {
        s.setChartBackgroundColor(Color.WHITE);
        s.setPlotBackgroundColor(Color.WHITE);
        s.setPlotBorderColor(new Color(0xBBBBBB));
        s.setPlotGridLinesColor(new Color(0xE3E3E3));
        s.setLegendBorderColor(new Color(0xDDDDDD));
        s.setChartTitleBoxVisible(false);
        s.setChartTitleFont(new Font(Font.SANS_SERIF, Font.BOLD, 14));
        s.setAxisTitleFont(new Font(Font.SANS_SERIF, Font.PLAIN, 12));
        s.setAxisTickLabelsFont(new Font(Font.SANS_SERIF, Font.PLAIN, 11));
        s.setLegendFont(new Font(Font.SANS_SERIF, Font.PLAIN, 11));
        s.setLocale(java.util.Locale.ROOT);
        s.setYAxisTickLabelsFormattingFunction(Charts::tick); // XChart's own pattern drops the leading 0 of ".05"
        s.setAntiAlias(true);
    }

    /** XChart needs unique series names; two long names may shorten to the same text. */
    private static String uniqueName(XYChart c, String name, boolean hidden) {
        String base = hidden ? name + " (calibration)" : name;
        String n = base;
        for (int i = 2; c.getSeries(n) != null; i++) {
            n = base + " #" + i;
        }
        return n;
    }

    private static String uniqueLabel(List<String> taken, String label) {
        String n = label;
        for (int i = 2; taken.contains(n); i++) {
            n = label + " #" + i;
        }
        return n;
    }
}
