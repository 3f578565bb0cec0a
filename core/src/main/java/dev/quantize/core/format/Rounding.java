package dev.quantize.core.format;

/** How a value between two grid points is rounded; names as in the golden-vector manifests. */
public enum Rounding {
    /** Round to nearest, ties to even (IEEE default, ONNX, the OCP convention). */
    NEAREST_EVEN("nearest_ties_even", "rne"),
    /** Round to nearest, ties away from zero (microxcaling's default, AMD's BFP kernels). */
    NEAREST_AWAY("nearest_ties_away", "rna");

    private final String id;
    private final String shortName;

    Rounding(String id, String shortName) {
        this.id = id;
        this.shortName = shortName;
    }

    public String id() {
        return id;
    }

    public String shortName() {
        return shortName;
    }

    /** Parses "nearest_ties_even", "rne", "even", "nearest_ties_away", "rna", "away" (microxcaling's "nearest" too). */
    public static Rounding parse(String s) {
        return switch (s.toLowerCase()) {
            case "nearest_ties_even", "rne", "even" -> NEAREST_EVEN;
            case "nearest_ties_away", "rna", "away", "nearest", "nearest_ties_away_saturating" -> NEAREST_AWAY;
            default -> throw new IllegalArgumentException("unknown rounding '" + s + "' (expected rne or rna)");
        };
    }

    /** Rounds a non-negative double holding an exact value to an integer. */
    double roundNonNegative(double t) {
        return this == NEAREST_EVEN ? Math.rint(t) : Math.floor(t + 0.5);
    }
}
