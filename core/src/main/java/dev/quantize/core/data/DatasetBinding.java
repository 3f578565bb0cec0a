package dev.quantize.core.data;

import dev.quantize.core.graph.Dim;
import dev.quantize.core.graph.ValueInfo;
import dev.quantize.core.tensor.DataType;
import dev.quantize.core.tensor.Tensor;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.OptionalInt;
import java.util.stream.Collectors;

/**
 * A dataset checked against a model's inputs: every input has a column of the same name, a compatible
 * type and the same row shape. Columns that are not inputs (labels, ids) are allowed and ignored.
 *
 * <p>Types must match exactly, except for these lossless widenings, applied when a batch is bound:
 * int8/int16/int32/uint8/uint16/uint32 to int64; int8/int16/uint8/uint16 to int32; float16/bfloat16 to
 * float32; float16/bfloat16/float32 to float64. Everything else is refused, float64 to float32
 * included (it rounds): the data should be converted deliberately, not silently.
 *
 * <p>Shapes: the model's first dimension is the batch axis (symbolic or unknown: any batch size;
 * fixed: batches must have exactly that many rows). Each later dimension must equal the column's row
 * dimension when the model fixes it; symbolic and unknown dimensions accept any size. A model input of
 * unknown rank accepts any row shape. Ranks must agree: a scalar column does not feed a [batch, 1] input.
 */
public final class DatasetBinding {
    private static final String WIDENINGS = "only lossless widenings are accepted: int8/16/32 and uint8/16/32 -> int64, "
            + "int8/16 and uint8/16 -> int32, float16/bfloat16 -> float32, float16/bfloat16/float32 -> float64";

    private final String dataset;
    private final List<ValueInfo> inputs;
    private final Integer fixedBatch;

    private DatasetBinding(String dataset, List<ValueInfo> inputs, Integer fixedBatch) {
        this.dataset = dataset;
        this.inputs = List.copyOf(inputs);
        this.fixedBatch = fixedBatch;
    }

    /** Checks every input; throws one {@link DatasetException} listing every disagreement. */
    public static DatasetBinding bind(Dataset dataset, List<ValueInfo> modelInputs) {
        return bind(dataset.name(), dataset.columns(), modelInputs);
    }

    /** As {@link #bind(Dataset, List)}, from a column list; {@code dataset} names it in messages. */
    public static DatasetBinding bind(String dataset, List<ColumnSpec> columns, List<ValueInfo> modelInputs) {
        Map<String, ColumnSpec> byName = new LinkedHashMap<>();
        columns.forEach(c -> byName.put(c.name(), c));
        List<String> problems = new ArrayList<>();
        Integer fixedBatch = null;
        for (ValueInfo in : modelInputs) {
            ColumnSpec c = byName.get(in.name());
            if (c == null) {
                problems.add("model input '" + in.name() + "' has no column in " + dataset + " (columns: "
                        + String.join(", ", byName.keySet()) + ")");
                continue;
            }
            String typeProblem = in.type() == null || in.type() == c.type() ? null
                    : canWiden(c.type(), in.type()) ? null
                    : "no lossless conversion from " + lower(c.type()) + " to " + lower(in.type()) + "; " + WIDENINGS;
            String shapeProblem = shapeProblem(c, in.shape());
            if (typeProblem != null || shapeProblem != null) {
                problems.add(dataset + ": column '" + c.name() + "' is " + c.describe() + " but model input '" + in.name()
                        + "' expects " + describe(in) + " (" + (typeProblem != null ? typeProblem : shapeProblem) + ")");
                continue;
            }
            if (in.shape() != null && !in.shape().isEmpty() && in.shape().get(0).isFixed()) {
                int b = (int) in.shape().get(0).value();
                if (fixedBatch != null && fixedBatch != b) {
                    problems.add("model inputs disagree on the fixed batch size: " + fixedBatch + " and " + b);
                }
                fixedBatch = b;
            }
        }
        if (!problems.isEmpty()) {
            throw new DatasetException(String.join("; ", problems));
        }
        return new DatasetBinding(dataset, modelInputs, fixedBatch);
    }

    private static String shapeProblem(ColumnSpec c, List<Dim> dims) {
        if (dims == null) {
            return null;
        }
        int[] row = c.rowShape();
        if (dims.size() != row.length + 1) {
            return "rank differs: a batch of this column has rank " + (row.length + 1) + ", the input rank " + dims.size();
        }
        for (int i = 0; i < row.length; i++) {
            Dim d = dims.get(i + 1);
            if (d.isFixed() && d.value() != row[i]) {
                return "dimension " + (i + 1) + " is " + row[i] + " in the data but " + d.value() + " in the model";
            }
        }
        return null;
    }

    /** Whether {@code from} converts to {@code to} without changing any value. */
    static boolean canWiden(DataType from, DataType to) {
        return switch (to) {
            case INT64 -> List.of(DataType.INT8, DataType.INT16, DataType.INT32, DataType.UINT8, DataType.UINT16,
                    DataType.UINT32).contains(from);
            case INT32 -> List.of(DataType.INT8, DataType.INT16, DataType.UINT8, DataType.UINT16).contains(from);
            case FLOAT32 -> from == DataType.FLOAT16 || from == DataType.BFLOAT16;
            case FLOAT64 -> from == DataType.FLOAT16 || from == DataType.BFLOAT16 || from == DataType.FLOAT32;
            default -> false;
        };
    }

    private static String lower(DataType t) {
        return t.name().toLowerCase();
    }

    /** "int64 [batch, 2]". */
    static String describe(ValueInfo in) {
        String type = in.type() == null ? "any type" : lower(in.type());
        String shape = in.shape() == null ? "[any shape]"
                : in.shape().stream().map(Dim::toString).collect(Collectors.joining(", ", "[", "]"));
        return type + " " + shape;
    }

    /** The batch size a model with a fixed batch axis requires, if it has one. */
    public OptionalInt fixedBatchSize() {
        return fixedBatch == null ? OptionalInt.empty() : OptionalInt.of(fixedBatch);
    }

    public List<ValueInfo> inputs() {
        return inputs;
    }

    /** The model inputs of a batch, in model input order, widened to the model's types. */
    public Map<String, Tensor> feed(Batch batch) {
        if (fixedBatch != null && batch.rows() != fixedBatch) {
            throw new DatasetException(dataset + ": the model's batch axis is fixed at " + fixedBatch
                    + " rows but this batch has " + batch.rows() + "; use batch size " + fixedBatch);
        }
        Map<String, Tensor> out = new LinkedHashMap<>();
        for (ValueInfo in : inputs) {
            Tensor t = batch.column(in.name());
            out.put(in.name(), in.type() == null || in.type() == t.type() ? t : widen(t, in.type()));
        }
        return out;
    }

    static Tensor widen(Tensor t, DataType to) {
        if (!canWiden(t.type(), to)) {
            throw new IllegalArgumentException("cannot widen " + t.type() + " to " + to);
        }
        int[] shape = t.shape();
        return switch (to.storage()) {
            // integer and narrow float types already hold exact values in long[] / float[]: only the label changes
            case LONG -> Tensor.ofLongs(to, shape, t.longs());
            case FLOAT -> Tensor.ofFloats(to, shape, t.floats());
            case DOUBLE -> {
                float[] f = t.floats();
                double[] d = new double[f.length];
                for (int i = 0; i < f.length; i++) {
                    d[i] = f[i];
                }
                yield Tensor.ofDoubles(shape, d);
            }
            case STRING -> throw new IllegalArgumentException("cannot widen to strings");
        };
    }
}
