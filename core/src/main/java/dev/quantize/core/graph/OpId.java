package dev.quantize.core.graph;

/**
 * An operator as an executor dispatches it: domain ("" for ai.onnx), op type, and the opset version
 * the model imports for that domain (0 if it imports none).
 */
public record OpId(String domain, String opType, long opset) {
    @Override
    public String toString() {
        return (domain.isEmpty() ? "" : domain + ".") + opType + " (opset " + opset + ")";
    }
}
