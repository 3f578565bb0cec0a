package dev.quantize.quantizer.search;

/** The quality measures a search can be budgeted in, and which way is better. */
public enum Metric {
    /** ROC AUC of a binary model's probability (higher is better). */
    AUC("auc", true),
    /** Normalized entropy: log loss over the entropy of the base rate (lower is better). */
    NE("ne", false),
    /** Calibration: mean prediction over mean label; its distance from 1 is what matters (lower is better). */
    CALIBRATION_ERROR("calibration", false),
    /** Top-1 accuracy of a multi-class model (higher is better). */
    ACCURACY("acc", true),
    /** Output signal-to-quantization-noise ratio against FP32, in dB (higher is better). */
    SQNR("sqnr", true),
    /** Cosine similarity of the outputs with FP32 (higher is better). */
    COSINE("cosine", true);

    private final String id;
    private final boolean higherIsBetter;

    Metric(String id, boolean higherIsBetter) {
        this.id = id;
        this.higherIsBetter = higherIsBetter;
    }

    public String id() {
        return id;
    }

    public boolean higherIsBetter() {
        return higherIsBetter;
    }

    /** How tables name the metric ("calibration error" is |mean prediction / mean label - 1|). */
    public String label() {
        return this == CALIBRATION_ERROR ? "calibration error" : id;
    }

    public static Metric parse(String s) {
        for (Metric m : values()) {
            if (m.id.equalsIgnoreCase(s) || m.name().equalsIgnoreCase(s)) {
                return m;
            }
        }
        if (s.equalsIgnoreCase("accuracy")) {
            return ACCURACY;
        }
        throw new IllegalArgumentException("unknown metric '" + s + "' (expected auc, ne, calibration, acc, sqnr or cosine)");
    }
}
