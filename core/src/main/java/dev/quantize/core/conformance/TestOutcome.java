package dev.quantize.core.conformance;

/** The result of one conformance test with a one-line reason (empty when it passed). */
public record TestOutcome(String name, Status status, String reason) {
    public enum Status { PASSED, FAILED, SKIPPED, EXCLUDED }

    @Override
    public String toString() {
        return status + " " + name + (reason.isEmpty() ? "" : ": " + reason);
    }
}
