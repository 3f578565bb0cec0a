package dev.quantize.monitor.job;

/** What to do about one layer: {@code recalibrate} (keep {@code toFormat}, new range) or {@code promote} to the wider {@code toFormat}. */
public record Recommendation(String layer, String action, String toFormat, String why) {
    public static final String RECALIBRATE = "recalibrate";
    public static final String PROMOTE = "promote";
}
