package dev.quantize.monitor.report;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * The parts of a window's {@code reportJson} the reports show: the plan summary ({@code format}), the
 * thresholds ({@code {check: {warn, alarm}}}), the findings and the recommendations. Lenient on purpose: a report is a view of whatever the history
 * holds, so a missing or malformed field becomes a default instead of a failure.
 */
public record WindowReport(String format, Map<String, Level> thresholds, List<Finding> findings,
                           List<Recommendation> recommendations) {

    /** The format label when the report does not name one. */
    public static final String UNKNOWN_FORMAT = "unknown";

    private static final ObjectMapper MAPPER = new ObjectMapper();

    /** One threshold crossed in the window: {@code level} is warn or alarm. */
    public record Finding(String level, String what, double value, double threshold) {
    }

    /** The warn and alarm levels of one check, e.g. {@code input_psi}. */
    public record Level(double warn, double alarm) {
    }

    /** One suggested plan change: e.g. layer X to a wider format, and why. */
    public record Recommendation(String layer, String action, String toFormat, String why) {
    }

    public WindowReport {
        thresholds = Map.copyOf(thresholds);
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
            return new WindowReport(UNKNOWN_FORMAT, Map.of(), List.of(), List.of());
        }
        String format = text(root.get("format"));
        Map<String, Level> thresholds = new TreeMap<>();
        JsonNode t = root.get("thresholds");
        if (t != null && t.isObject()) {
            t.fields().forEachRemaining(e -> {
                double warn = number(e.getValue().get("warn"));
                double alarm = number(e.getValue().get("alarm"));
                if (Double.isFinite(warn) && Double.isFinite(alarm)) {
                    thresholds.put(e.getKey(), new Level(warn, alarm));
                }
            });
        }
        List<Finding> findings = new ArrayList<>();
        for (JsonNode f : array(root.get("findings"))) {
            findings.add(new Finding(text(f.get("level")), text(f.get("what")), number(f.get("value")), number(f.get("threshold"))));
        }
        List<Recommendation> recs = new ArrayList<>();
        for (JsonNode r : array(root.get("recommendations"))) {
            recs.add(new Recommendation(text(r.get("layer")), text(r.get("action")), text(r.get("to_format")), text(r.get("why"))));
        }
        return new WindowReport(format.isEmpty() ? UNKNOWN_FORMAT : format, thresholds, findings, recs);
    }

    /** The levels of a check, or {@code fallback} when the report does not carry them. */
    public Level threshold(String check, Level fallback) {
        return thresholds.getOrDefault(check, fallback);
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
