package dev.quantize.monitor.baseline;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.quantize.core.metrics.BinnedDistribution;
import java.io.IOException;
import java.util.Map;
import java.util.TreeMap;

/**
 * What a window is compared with: the reference distribution of every input feature and of every
 * quantized layer's activation input (counts over bins at the calibration data's quantiles, open at
 * both ends so drifted values still land in a bin), and the calibration-time values of each layer's
 * SQNR against FP32 and saturation, of the output SQNR and of the FP32/quantized agreement.
 * Stored in the artifact as the extra section {@value #EXTRA_NAME} (JSON).
 */
public record MonitorBaseline(long rows, String calibrationMethod, double agreement, double outputSqnrDb,
                              Map<String, BinnedDistribution> inputs, Map<String, BinnedDistribution> activations,
                              Map<String, Layer> layers) {
    public static final String EXTRA_NAME = "monitor_baseline";
    public static final String FORMAT = "quantize-monitor-baseline";
    public static final int VERSION = 1;
    private static final ObjectMapper JSON = new ObjectMapper();

    /** A layer at calibration time: SQNR of its output against FP32 (dB), share of saturated input values (NaN: no bounds). */
    public record Layer(double sqnrDb, double saturation) {
    }

    public MonitorBaseline {
        inputs = new TreeMap<>(inputs);
        activations = new TreeMap<>(activations);
        layers = new TreeMap<>(layers);
    }

    /** Bin edges of every input feature. */
    public Map<String, double[]> inputEdges() {
        Map<String, double[]> out = new TreeMap<>();
        inputs.forEach((k, v) -> out.put(k, v.edges()));
        return out;
    }

    /** Bin edges of every layer's activation input. */
    public Map<String, double[]> activationEdges() {
        Map<String, double[]> out = new TreeMap<>();
        activations.forEach((k, v) -> out.put(k, v.edges()));
        return out;
    }

    public String toJson() {
        ObjectNode root = JSON.createObjectNode();
        root.put("format", FORMAT);
        root.put("version", VERSION);
        root.put("rows", rows);
        root.put("calibration_method", calibrationMethod);
        putNumber(root, "agreement", agreement);
        putNumber(root, "output_sqnr_db", outputSqnrDb);
        putDistributions(root.putObject("inputs"), inputs);
        putDistributions(root.putObject("activations"), activations);
        ObjectNode ls = root.putObject("layers");
        layers.forEach((k, v) -> {
            ObjectNode o = ls.putObject(k);
            putNumber(o, "sqnr_db", v.sqnrDb());
            putNumber(o, "saturation", v.saturation());
        });
        try {
            return JSON.writeValueAsString(root);
        } catch (IOException e) {
            throw new IllegalStateException(e);
        }
    }

    /** Parses a baseline; {@code source} names where it came from in messages. */
    public static MonitorBaseline fromJson(String json, String source) {
        try {
            JsonNode root = JSON.readTree(json);
            if (root == null || !FORMAT.equals(root.path("format").asText())) {
                throw new IllegalArgumentException(source + ": not a " + FORMAT);
            }
            if (root.path("version").asInt(-1) > VERSION) {
                throw new IllegalArgumentException(source + ": monitor baseline version " + root.path("version").asInt()
                        + " is newer than this tool's " + VERSION);
            }
            Map<String, Layer> layers = new TreeMap<>();
            root.path("layers").fields().forEachRemaining(e -> layers.put(e.getKey(),
                    new Layer(number(e.getValue().get("sqnr_db")), number(e.getValue().get("saturation")))));
            return new MonitorBaseline(root.path("rows").asLong(), root.path("calibration_method").isTextual()
                    ? root.path("calibration_method").asText() : null,
                    number(root.get("agreement")), number(root.get("output_sqnr_db")),
                    distributions(root.path("inputs"), source), distributions(root.path("activations"), source), layers);
        } catch (IOException | RuntimeException e) {
            if (e instanceof IllegalArgumentException iae && iae.getMessage() != null && iae.getMessage().startsWith(source)) {
                throw iae;
            }
            throw new IllegalArgumentException(source + ": the monitor baseline does not parse (" + e.getMessage() + ")", e);
        }
    }

    private static void putDistributions(ObjectNode into, Map<String, BinnedDistribution> ds) {
        ds.forEach((k, d) -> {
            ObjectNode o = into.putObject(k);
            ArrayNode e = o.putArray("edges");
            for (double v : d.edges()) {
                e.add(v);
            }
            ArrayNode c = o.putArray("counts");
            for (long v : d.counts()) {
                c.add(v);
            }
            o.put("nan", d.nanCount());
        });
    }

    private static Map<String, BinnedDistribution> distributions(JsonNode node, String source) {
        Map<String, BinnedDistribution> out = new TreeMap<>();
        node.fields().forEachRemaining(e -> {
            JsonNode edges = e.getValue().path("edges");
            JsonNode counts = e.getValue().path("counts");
            double[] ed = new double[edges.size()];
            for (int i = 0; i < ed.length; i++) {
                ed[i] = edges.get(i).asDouble();
            }
            long[] c = new long[counts.size()];
            for (int i = 0; i < c.length; i++) {
                c[i] = counts.get(i).asLong();
            }
            out.put(e.getKey(), BinnedDistribution.of(ed, c, e.getValue().path("nan").asLong()));
        });
        return out;
    }

    /** JSON has no NaN or infinity: those travel as strings. */
    static void putNumber(ObjectNode o, String field, double v) {
        if (Double.isFinite(v)) {
            o.put(field, v);
        } else {
            o.put(field, Double.toString(v));
        }
    }

    static double number(JsonNode n) {
        if (n == null || n.isNull()) {
            return Double.NaN;
        }
        return n.isTextual() ? Double.parseDouble(n.asText()) : n.asDouble();
    }
}
