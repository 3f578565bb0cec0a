package dev.quantize.core.graph;

/** One dimension of a declared shape: a fixed size, a named symbolic size, or unknown. */
public record Dim(long value, String param) {
    public static final Dim UNKNOWN = new Dim(-1, null);

    public static Dim of(long value) {
        return new Dim(value, null);
    }

    public static Dim symbolic(String name) {
        return new Dim(-1, name);
    }

    public boolean isFixed() {
        return value >= 0;
    }

    @Override
    public String toString() {
        return isFixed() ? Long.toString(value) : (param != null ? param : "?");
    }
}
