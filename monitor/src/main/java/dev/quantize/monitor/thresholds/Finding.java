package dev.quantize.monitor.thresholds;

/**
 * One threshold crossed: its level ({@code warn} or {@code alarm}), what crossed it (e.g.
 * {@code input dense[3] psi}), the value and the threshold of that level. {@code kind} is
 * {@code model}, {@code input} or {@code layer}; {@code subject} the input or layer name (empty for the model);
 * {@code check} the threshold's name.
 */
public record Finding(String level, String kind, String subject, String check, double value, double threshold) {
    public static final String WARN = "warn";
    public static final String ALARM = "alarm";

    /** The human-readable subject and check, as the report's {@code what}. */
    public String what() {
        return subject.isEmpty() ? check : kind + " " + subject + " " + check;
    }
}
