package dev.quantize.core.onnx;

/**
 * An ONNX file (model or tensor) that this project cannot read: not a protobuf, truncated, or
 * inconsistent (data that does not fit its dims, an unknown attribute type, an unsupported IR
 * version, opset or element type). The message always starts with the file name and says what is
 * wrong and where, e.g. {@code model.onnx: initializer 'w' has 10 floats but dims [3, 4] need 12}.
 */
public class OnnxFormatException extends RuntimeException {
    private static final long serialVersionUID = 1L;

    public OnnxFormatException(String message) {
        super(message);
    }

    public OnnxFormatException(String message, Throwable cause) {
        super(message, cause);
    }
}
