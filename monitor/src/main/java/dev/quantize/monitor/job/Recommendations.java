package dev.quantize.monitor.job;

import dev.quantize.core.format.FormatRegistry;
import dev.quantize.core.graph.ModelSummary;
import dev.quantize.monitor.thresholds.Finding;
import dev.quantize.monitor.thresholds.Thresholds;
import dev.quantize.monitor.window.WindowSummary;
import dev.quantize.quantizer.plan.LayerPlan;
import dev.quantize.quantizer.plan.QuantPlan;
import dev.quantize.quantizer.search.FormatSearch;
import dev.quantize.quantizer.search.SearchReport;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * Turns a window's findings into actions per layer:
 * <ul>
 * <li>saturation rose (at or above the warn level) on a format that clips at its calibrated range:
 *     <b>recalibrate</b>: a range taken from recent data covers the values that are now clamped;</li>
 * <li>the layer's SQNR against FP32 dropped (warn level) otherwise: <b>promote</b> to the next wider
 *     format the search knows: a new range cannot help a format whose scale is already dynamic, or
 *     values that stay inside the range;</li>
 * <li>the accuracy budget is in alarm but no layer stands out: promote the layer with the lowest SQNR.</li>
 * </ul>
 */
public final class Recommendations {
    private Recommendations() {
    }

    public static List<Recommendation> of(WindowSummary w, Thresholds.Evaluation e, QuantPlan plan, Thresholds t) {
        List<Recommendation> out = new ArrayList<>();
        double riseWarn = t.level("saturation_rise").warn();
        double dropWarn = t.level("layer_sqnr_drop_db").warn();
        for (LayerPlan l : plan.layers()) {
            Map<String, Double> m = w.layers().get(l.node());
            if (m == null) {
                continue;
            }
            double sat = m.get("saturation");
            double satCalib = m.get("saturation_calib");
            double rise = sat - satCalib;
            double drop = dropDb(m);
            boolean clips = m.get("clips") != null && m.get("clips") == 1.0;
            if (drop >= dropWarn && !(clips && rise >= riseWarn)) {
                String why = String.format(Locale.ROOT, "its SQNR against FP32 fell by %.1f dB (%.1f -> %.1f dB)", drop,
                        m.get("sqnr_db_calib"), m.get("sqnr_db"));
                why += rise >= riseWarn ? String.format(Locale.ROOT, "; its inputs leave the calibrated range (%.3f%% vs %.3f%%) "
                        + "but %s scales each block itself, so a new range does not help: more bits do", 100 * sat, 100 * satCalib, candidate(l))
                        : " without a saturation rise: a new range would not help";
                out.add(new Recommendation(l.node(), Recommendation.PROMOTE, wider(l), why));
            } else if (rise >= riseWarn) {
                String why = String.format(Locale.ROOT, "%.3f%% of its input values fall outside the calibrated range (%.3f%% at calibration); ",
                        100 * sat, 100 * satCalib);
                why += clips ? l.activationFormat() + " clamps them: a range from recent data covers them"
                        : candidate(l) + " scales each block itself, so none are clamped yet, but the range and the baseline "
                        + "describe older data: recalibrate to refresh both";
                out.add(new Recommendation(l.node(), Recommendation.RECALIBRATE, candidate(l), why));
            }
        }
        boolean budgetAlarm = e.findings().stream().anyMatch(f -> f.check().equals("budget_used") && f.level().equals(Finding.ALARM));
        if (budgetAlarm && out.stream().noneMatch(r -> r.action().equals(Recommendation.PROMOTE))) {
            String worst = null;
            double lowest = Double.POSITIVE_INFINITY;
            for (LayerPlan l : plan.layers()) {
                Map<String, Double> m = w.layers().get(l.node());
                if (m != null && m.get("sqnr_db") < lowest && !wider(l).equals(candidate(l))) {
                    lowest = m.get("sqnr_db");
                    worst = l.node();
                }
            }
            if (worst != null) {
                LayerPlan l = plan.layer(worst);
                out.add(new Recommendation(worst, Recommendation.PROMOTE, wider(l), String.format(Locale.ROOT,
                        "the accuracy budget is exceeded on this window and this layer has the lowest SQNR (%.1f dB)", lowest)));
            }
        }
        return out;
    }

    private static double dropDb(Map<String, Double> m) {
        double calib = m.get("sqnr_db_calib");
        double now = m.get("sqnr_db");
        if (Double.isNaN(calib) || Double.isNaN(now)) {
            return Double.NaN;
        }
        return Double.isInfinite(calib) ? (Double.isInfinite(now) ? 0 : 100) : calib - now;
    }

    /** The layer's candidate name as the search calls it (int8, mxfp4_e2m1, rowwise_4bit...). */
    static String candidate(LayerPlan l) {
        return SearchReport.candidateOf(l);
    }

    /**
     * The next wider format the search knows for this layer's role: the candidate with the fewest
     * bits per element above the current one's ({@code fp32} when none is wider).
     */
    static String wider(LayerPlan l) {
        double bits = bits(l);
        List<String> formats = new ArrayList<>(FormatSearch.DEFAULT_FORMATS);
        if (l.role() == ModelSummary.Role.EMBEDDING) {
            formats.addAll(FormatSearch.DEFAULT_TABLE_FORMATS);
        }
        String best = LayerPlan.FP32;
        double bestBits = 32;
        for (String f : formats) {
            if (dev.quantize.quantizer.search.Candidate.of(f, l.role()) == null) {
                continue;
            }
            double b = FormatRegistry.parse(f).bitsPerElement();
            if (b > bits + 1e-9 && b < bestBits) {
                best = f;
                bestBits = b;
            }
        }
        return best;
    }

    /** The widest of the layer's quantized formats, in bits per element (32 when nothing is quantized). */
    private static double bits(LayerPlan l) {
        double b = 0;
        for (String f : List.of(l.weightFormat(), l.activationFormat())) {
            if (!f.equals(LayerPlan.FP32)) {
                b = Math.max(b, FormatRegistry.parse(f).bitsPerElement());
            }
        }
        return b == 0 ? 32 : b;
    }
}
