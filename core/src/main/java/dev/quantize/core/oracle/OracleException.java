package dev.quantize.core.oracle;

/** ONNX Runtime could not load or run a model; the message names the model file and the cause. */
public final class OracleException extends RuntimeException {
    private static final long serialVersionUID = 1L;

    public OracleException(String message) {
        super(message);
    }

    public OracleException(String message, Throwable cause) {
        super(message, cause);
    }
}
