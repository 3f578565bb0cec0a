package dev.quantize.quantizer.search;

import java.util.Locale;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * How much worse than FP32 the quantized model may be, stated in the task's own metric:
 * {@code ne+0.1%} (NE may rise by 0.1% of its FP32 value), {@code acc-0.5%} (accuracy may fall by
 * 0.5% of its FP32 value), {@code auc-0.001} (an absolute drop), {@code sqnr>=30} (an absolute floor).
 * The sign must point the way the metric gets worse.
 */
public record Budget(Metric metric, Kind kind, double amount) {
    /** Relative to FP32, absolute change, or absolute bound. */
    public enum Kind { RELATIVE, ABSOLUTE, BOUND }

    private static final Pattern CHANGE = Pattern.compile("([a-z]+)\\s*([+-])\\s*([0-9.]+(?:e-?[0-9]+)?)\\s*(%?)");
    private static final Pattern BOUND = Pattern.compile("([a-z]+)\\s*(>=|<=)\\s*(-?[0-9.]+(?:e-?[0-9]+)?)");

    public static Budget parse(String text) {
        String s = text.trim().toLowerCase(Locale.ROOT);
        Matcher b = BOUND.matcher(s);
        if (b.matches()) {
            Metric m = Metric.parse(b.group(1));
            boolean atLeast = b.group(2).equals(">=");
            if (atLeast != m.higherIsBetter()) {
                throw new IllegalArgumentException("budget '" + text + "': " + m.id() + " is better when "
                        + (m.higherIsBetter() ? "higher, so bound it with >=" : "lower, so bound it with <="));
            }
            return new Budget(m, Kind.BOUND, Double.parseDouble(b.group(3)));
        }
        Matcher c = CHANGE.matcher(s);
        if (!c.matches()) {
            throw new IllegalArgumentException("budget '" + text + "' is not understood; examples: ne+0.1%, acc-0.5%, auc-0.001, sqnr>=30");
        }
        Metric m = Metric.parse(c.group(1));
        boolean worse = m.higherIsBetter() ? c.group(2).equals("-") : c.group(2).equals("+");
        if (!worse) {
            throw new IllegalArgumentException("budget '" + text + "': " + m.id() + " gets worse when it "
                    + (m.higherIsBetter() ? "falls: write " + m.id() + "-" : "rises: write " + m.id() + "+") + c.group(3) + c.group(4));
        }
        double amount = Double.parseDouble(c.group(3));
        boolean percent = !c.group(4).isEmpty();
        return new Budget(m, percent ? Kind.RELATIVE : Kind.ABSOLUTE, percent ? amount / 100 : amount);
    }

    /** The default budget for a metric: 0.1% relative (SQNR: 30 dB). */
    public static Budget defaultFor(Metric m) {
        return m == Metric.SQNR ? new Budget(m, Kind.BOUND, 30) : new Budget(m, Kind.RELATIVE, 0.001);
    }

    /** The worst acceptable value given the FP32 value. */
    public double limit(double fp32) {
        double sign = metric.higherIsBetter() ? -1 : 1;
        return switch (kind) {
            case RELATIVE -> fp32 + sign * Math.abs(fp32) * amount;
            case ABSOLUTE -> fp32 + sign * amount;
            case BOUND -> amount;
        };
    }

    public boolean met(double fp32, double value) {
        if (Double.isNaN(value)) {
            return false;
        }
        double limit = limit(fp32);
        return metric.higherIsBetter() ? value >= limit : value <= limit;
    }

    @Override
    public String toString() {
        return switch (kind) {
            case RELATIVE -> metric.id() + (metric.higherIsBetter() ? "-" : "+") + trim(amount * 100) + "%";
            case ABSOLUTE -> metric.id() + (metric.higherIsBetter() ? "-" : "+") + trim(amount);
            case BOUND -> metric.id() + (metric.higherIsBetter() ? ">=" : "<=") + trim(amount);
        };
    }

    private static String trim(double v) {
        String s = String.format(Locale.ROOT, "%.6g", v);
        return s.contains(".") ? s.replaceAll("0+$", "").replaceAll("\\.$", "") : s;
    }
}
