package dev.quantize.core.data;

import dev.quantize.core.tensor.Tensor;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * A batch of rows: named tensors, each of shape {@code [rows, ...rowShape]}, in column order.
 */
public record Batch(Map<String, Tensor> columns, int rows) {
    /** Column names that hold labels, in the order they are looked up. */
    public static final List<String> LABEL_NAMES = List.of("labels", "label");

    public Batch {
        columns = Collections.unmodifiableMap(new LinkedHashMap<>(columns));
        for (Map.Entry<String, Tensor> e : columns.entrySet()) {
            Tensor t = e.getValue();
            if (t.rank() == 0 || t.dim(0) != rows) {
                throw new IllegalArgumentException("column '" + e.getKey() + "' has shape " + t
                        + " but the batch has " + rows + " rows");
            }
        }
    }

    /** The tensor of a column; throws naming the columns present when it is absent. */
    public Tensor column(String name) {
        Tensor t = columns.get(name);
        if (t == null) {
            throw new IllegalArgumentException("no column '" + name + "' in batch (columns: "
                    + String.join(", ", columns.keySet()) + ")");
        }
        return t;
    }

    /** The label column ({@code labels}, else {@code label}), if any. */
    public Optional<Tensor> labels() {
        for (String n : LABEL_NAMES) {
            if (columns.containsKey(n)) {
                return Optional.of(columns.get(n));
            }
        }
        return Optional.empty();
    }

    /** This batch without its label columns. */
    public Batch withoutLabels() {
        Map<String, Tensor> m = new LinkedHashMap<>(columns);
        LABEL_NAMES.forEach(m::remove);
        return new Batch(m, rows);
    }
}
