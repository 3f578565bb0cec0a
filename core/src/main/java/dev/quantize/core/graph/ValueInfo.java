package dev.quantize.core.graph;

import dev.quantize.core.tensor.DataType;
import java.util.List;

/**
 * The declared type of a named value (graph input, output or intermediate). {@code type} is null
 * when the model does not say; {@code shape} is null when the rank is unknown.
 */
public record ValueInfo(String name, DataType type, List<Dim> shape) {
    public ValueInfo {
        shape = shape == null ? null : List.copyOf(shape);
    }

    @Override
    public String toString() {
        return name + ": " + (type == null ? "?" : type.name().toLowerCase()) + (shape == null ? "" : shape.toString());
    }
}
