package dev.quantize.monitor.report;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.util.ArrayList;
import java.util.List;

/**
 * The parts of a window's {@code reportJson} the reports show: the plan summary ({@code format}), the
 * findings and the recommendations. Lenient on purpose: a report is a view of whatever the history
 * holds, so a missing or malformed field becomes a default instead of a failure.
 */
public record WindowReport(String format, List<Finding> findings, List<Recommendation> recommendations) {

    /** The format label when the report does not name one. */
    public static final String UNKNOWN_FORMAT = "unknown";

    private static final ObjectMapper MAPPER = new ObjectMapper();

    /** One threshold crossed in the window: {@code level} is warn or alarm. */
    public record Finding(String level, String what, double value, double threshold) {
    }

    /** One suggested plan change: e.g. layer X to a wider format, and why. */
    public record Recommendation(String layer, String action, String toFormat, String why) {
    }

    public WindowReport {
        findings = List.copyOf(findings);
        recommendations = List.copyOf(recommendations);
    }

    /** Parses {@code json}; empty or unparsable text gives format {@value #UNKNOWN_FORMAT} and no findings. */
    public static WindowReport parse(String json) {
        JsonNode root;
        try {
            root = json == null || json.isBlank() ? null : MAPPER.readTree(json);
        } catch (com.fasterxml.jackson.core.JsonProcessingException e) {
            root = null;
        }
        if (root == null || !root.isObject()) {
            return new WindowReport(UNKNOWN_FORMAT, List.of(), List.of());
        }
        String format = text(root.get("format"));
        List<Finding> findings = new ArrayList<>();
        for (JsonNode f : array(root.get("findings"))) {
            findings.add(new Finding(text(f.get("level")), text(f.get("what")), number(f.get("value")), number(f.get("threshold"))));
        }
        List<Recommendation> recs = new ArrayList<>();
        for (JsonNode r : array(root.get("recommendations"))) {
            recs.add(new Recommendation(text(r.get("layer")), text(r.get("action")), text(r.get("to_format")), text(r.get("why"))));
        }
        return new WindowReport(format.isEmpty() ? UNKNOWN_FORMAT : format, findings, recs);
    }

    private static Iterable<JsonNode> array(JsonNode n) {
        if (n == null || !n.isArray()) {
            return List.of();
        }
        List<JsonNode> objects = new ArrayList<>();
        n.forEach(e -> {
            if (e.isObject()) {
                objects.add(e);
            }
        });
        return objects;
    }

    private static String text(JsonNode n) {
        if (n == null || n.isNull()) {
            return "";
        }
        return n.isValueNode() ? n.asText() : n.toString();
    }

    /** A number, or the strings NaN / Infinity / -Infinity that JSON writers use for them; else NaN. */
    private static double number(JsonNode n) {
        if (n == null) {
            return Double.NaN;
        }
        if (n.isNumber()) {
            return n.doubleValue();
        }
        if (n.isTextual()) {
            try {
                return Double.parseDouble(n.asText().trim());
            } catch (NumberFormatException e) {
                return Double.NaN;
            }
        }
        return Double.NaN;
    }
}
