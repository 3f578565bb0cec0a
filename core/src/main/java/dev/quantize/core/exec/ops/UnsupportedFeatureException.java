package dev.quantize.core.exec.ops;

/**
 * Thrown when an op is supported but one particular use of it is not (an element type, an attribute
 * value such as training-mode dropout). Distinct from a wrong input so callers such as the
 * conformance runner can tell "not implemented" from "implemented wrongly".
 */
public class UnsupportedFeatureException extends RuntimeException {
    public UnsupportedFeatureException(String message) {
        super(message);
    }
}
