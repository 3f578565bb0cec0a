package dev.quantize.monitor.thresholds;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.quantize.monitor.window.WindowSummary;
import dev.quantize.quantizer.search.Budget;
import dev.quantize.quantizer.search.Metric;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Warn and alarm levels of every check a window goes through, and their evaluation. Defaults are
 * documented (and justified) in docs/monitor.md; a JSON file overrides any of them:
 * {@code {"input_psi": {"warn": 0.1, "alarm": 0.3}}}. Every check fires when its value is at or above the
 * level (drops are measured as positive numbers).
 */
public record Thresholds(Map<String, Level> levels) {
    /** One check's levels. */
    public record Level(double warn, double alarm) {
        public Level {
            if (!(warn <= alarm) || Double.isNaN(warn) || Double.isNaN(alarm)) {
                throw new IllegalArgumentException("warn must be at most alarm, got warn " + warn + ", alarm " + alarm);
            }
        }
    }

    /** Check names, in report order, with their defaults. */
    public static final Map<String, Level> DEFAULTS;

    static {
        Map<String, Level> d = new LinkedHashMap<>();
        d.put("input_psi", new Level(0.1, 0.25));
        d.put("input_ks", new Level(0.1, 0.2));
        d.put("activation_psi", new Level(0.1, 0.25));
        d.put("saturation_rise", new Level(0.0003, 0.003));
        d.put("layer_sqnr_drop_db", new Level(3, 6));
        d.put("output_sqnr_drop_db", new Level(3, 6));
        d.put("agreement_drop", new Level(0.03, 0.06));
        d.put("budget_used", new Level(0.5, 1.0));
        DEFAULTS = java.util.Collections.unmodifiableMap(d);
    }

    private static final ObjectMapper JSON = new ObjectMapper();

    public Thresholds {
        levels = java.util.Collections.unmodifiableMap(new LinkedHashMap<>(levels));
    }

    public static Thresholds defaults() {
        return new Thresholds(DEFAULTS);
    }

    public Level level(String check) {
        return levels.get(check);
    }

    /** The defaults with the levels a JSON file overrides; unknown checks and bad values are errors naming the file. */
    public static Thresholds read(Path file) {
        String text;
        try {
            text = Files.readString(file);
        } catch (IOException e) {
            throw new IllegalArgumentException(file + ": cannot read the thresholds file (" + e.getMessage() + ")", e);
        }
        return parse(text, file.toString());
    }

    public static Thresholds parse(String json, String source) {
        JsonNode root;
        try {
            root = JSON.readTree(json);
        } catch (IOException e) {
            throw new IllegalArgumentException(source + ": thresholds are not valid JSON (" + e.getMessage().lines().findFirst().orElse("") + ")");
        }
        if (root == null || !root.isObject()) {
            throw new IllegalArgumentException(source + ": thresholds must be a JSON object of checks, e.g. {\"input_psi\": {\"warn\": 0.1, \"alarm\": 0.25}}");
        }
        Map<String, Level> out = new LinkedHashMap<>(DEFAULTS);
        var it = root.fields();
        while (it.hasNext()) {
            var e = it.next();
            Level def = DEFAULTS.get(e.getKey());
            if (def == null) {
                throw new IllegalArgumentException(source + ": unknown check '" + e.getKey() + "' (known: " + String.join(", ", DEFAULTS.keySet()) + ")");
            }
            JsonNode v = e.getValue();
            if (!v.isObject()) {
                throw new IllegalArgumentException(source + ": check '" + e.getKey() + "' must be an object with \"warn\" and/or \"alarm\"");
            }
            var fields = v.fieldNames();
            while (fields.hasNext()) {
                String f = fields.next();
                if (!f.equals("warn") && !f.equals("alarm")) {
                    throw new IllegalArgumentException(source + ": check '" + e.getKey() + "': unknown field '" + f + "' (expected warn, alarm)");
                }
                if (!v.get(f).isNumber()) {
                    throw new IllegalArgumentException(source + ": check '" + e.getKey() + "': " + f + " must be a number");
                }
            }
            double warn = v.has("warn") ? v.get("warn").asDouble() : def.warn();
            double alarm = v.has("alarm") ? v.get("alarm").asDouble() : def.alarm();
            try {
                out.put(e.getKey(), new Level(warn, alarm));
            } catch (IllegalArgumentException x) {
                throw new IllegalArgumentException(source + ": check '" + e.getKey() + "': " + x.getMessage());
            }
        }
        return new Thresholds(out);
    }

    public ObjectNode toJson() {
        ObjectNode o = JSON.createObjectNode();
        levels.forEach((k, v) -> {
            ObjectNode l = o.putObject(k);
            l.put("warn", v.warn());
            l.put("alarm", v.alarm());
        });
        return o;
    }

    /** The outcome of a window: its findings (alarms first, then by how far past the level) and status. */
    public record Evaluation(List<Finding> findings, String status) {
        public static final String HEALTHY = "healthy";

        public List<Finding> at(String level) {
            return findings.stream().filter(f -> f.level().equals(level)).toList();
        }
    }

    /**
     * Evaluates a window. {@code budget} is the artifact's accuracy budget (null: none known): the
     * quantization-induced change of its metric on this window, FP32 and quantized on the same rows,
     * is expressed as the share of the allowance used ({@code budget_used}, see {@link #budgetUsed}).
     */
    public Evaluation evaluate(WindowSummary w, Budget budget) {
        List<Finding> out = new ArrayList<>();
        w.inputs().forEach((name, m) -> {
            check(out, "input", name, "input_psi", m.get("psi"));
            check(out, "input", name, "input_ks", m.get("ks"));
        });
        w.layers().forEach((name, m) -> {
            check(out, "layer", name, "activation_psi", m.get("psi"));
            check(out, "layer", name, "saturation_rise", m.get("saturation") - m.get("saturation_calib"));
            check(out, "layer", name, "layer_sqnr_drop_db", drop(m.get("sqnr_db_calib"), m.get("sqnr_db")));
        });
        Map<String, Double> s = w.metrics();
        check(out, "model", "", "output_sqnr_drop_db", drop(s.get("output_sqnr_db_calib"), s.get("output_sqnr_db")));
        check(out, "model", "", "agreement_drop", s.get("agreement_calib") - s.get("agreement"));
        check(out, "model", "", "budget_used", budgetUsed(s, budget));
        out.sort(Comparator.comparing((Finding f) -> f.level().equals(Finding.ALARM) ? 0 : 1)
                .thenComparing(f -> -(f.value() / Math.max(Math.abs(f.threshold()), 1e-12))));
        String status = out.stream().anyMatch(f -> f.level().equals(Finding.ALARM)) ? Finding.ALARM
                : out.isEmpty() ? Evaluation.HEALTHY : Finding.WARN;
        return new Evaluation(List.copyOf(out), status);
    }

    /** How much lower {@code now} is than {@code calib} in dB; an exact layer (+Inf) that turns inexact counts as a 100 dB drop. */
    static double drop(Double calib, Double now) {
        if (calib == null || now == null || Double.isNaN(calib) || Double.isNaN(now)) {
            return Double.NaN;
        }
        if (Double.isInfinite(calib)) {
            return Double.isInfinite(now) ? 0 : 100;
        }
        return calib - now;
    }

    private void check(List<Finding> out, String kind, String subject, String check, Double value) {
        Level l = levels.get(check);
        if (value == null || Double.isNaN(value) || l == null) {
            return;
        }
        if (value >= l.alarm()) {
            out.add(new Finding(Finding.ALARM, kind, subject, check, value, l.alarm()));
        } else if (value >= l.warn()) {
            out.add(new Finding(Finding.WARN, kind, subject, check, value, l.warn()));
        }
    }

    /**
     * The share of the budget's allowance the quantized model uses on this window: (how much worse
     * the quantized metric is than FP32's on the same rows) / (how much worse the budget allows);
     * 1 means exactly at the limit. Better than FP32 gives a negative share. Without labels, an NE
     * budget is estimated from the soft-label cross-entropy gap (FP32 predictions as labels); other
     * metrics need labels (NaN). A bound (e.g. sqnr>=30) gives 0 when met, 1 when not.
     */
    public static double budgetUsed(Map<String, Double> m, Budget budget) {
        if (budget == null) {
            return Double.NaN;
        }
        Metric metric = budget.metric();
        double fp32;
        double quant;
        switch (metric) {
            case NE -> {
                fp32 = m.getOrDefault("ne_fp32", Double.NaN);
                quant = m.getOrDefault("ne_quant", Double.NaN);
                if (Double.isNaN(fp32) && budget.kind() == Budget.Kind.RELATIVE) {
                    return m.getOrDefault("soft_ce_gap_rel", Double.NaN) / budget.amount();
                }
            }
            case AUC -> {
                fp32 = m.getOrDefault("auc_fp32", Double.NaN);
                quant = m.getOrDefault("auc_quant", Double.NaN);
            }
            case ACCURACY -> {
                fp32 = m.getOrDefault("accuracy_fp32", Double.NaN);
                quant = m.getOrDefault("accuracy_quant", Double.NaN);
            }
            case CALIBRATION_ERROR -> {
                fp32 = Math.abs(m.getOrDefault("calibration_fp32", Double.NaN) - 1);
                quant = Math.abs(m.getOrDefault("calibration_quant", Double.NaN) - 1);
            }
            case SQNR -> {
                double v = m.getOrDefault("output_sqnr_db", Double.NaN);
                return Double.isNaN(v) ? Double.NaN : budget.met(Double.POSITIVE_INFINITY, v) ? 0 : 1;
            }
            default -> {
                return Double.NaN;
            }
        }
        if (Double.isNaN(fp32) || Double.isNaN(quant)) {
            return Double.NaN;
        }
        if (budget.kind() == Budget.Kind.BOUND) {
            return budget.met(fp32, quant) ? 0 : 1;
        }
        double allowance = Math.abs(budget.limit(fp32) - fp32);
        double worse = metric.higherIsBetter() ? fp32 - quant : quant - fp32;
        return allowance == 0 ? (worse > 0 ? Double.POSITIVE_INFINITY : 0) : worse / allowance;
    }
}
