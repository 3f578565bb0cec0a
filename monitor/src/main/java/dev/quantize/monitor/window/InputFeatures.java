package dev.quantize.monitor.window;

import dev.quantize.core.tensor.DataType;
import dev.quantize.core.tensor.Tensor;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * The per-feature values of one batch's model inputs, as drift statistics see them:
 * <ul>
 * <li>a float input with one value per row ({@code [batch]} or {@code [batch, 1]}): one feature named like the input;</li>
 * <li>a float input {@code [batch, k]} with k up to {@link #MAX_COLUMNS}: one feature per column, {@code input[i]};</li>
 * <li>an integer input (embedding ids, any shape): one feature named like the input, over all its ids
 *     (the distribution of ids over quantile buckets of the reference ids);</li>
 * <li>anything wider or of higher rank: one pooled feature named like the input.</li>
 * </ul>
 */
public final class InputFeatures {
    /** Wider float inputs are pooled into one feature: a distribution per column stops being readable. */
    public static final int MAX_COLUMNS = 256;

    private InputFeatures() {
    }

    /** Feature name -> values of this batch, in a fixed order. */
    public static Map<String, float[]> of(Map<String, Tensor> feed) {
        Map<String, float[]> out = new LinkedHashMap<>();
        feed.forEach((name, t) -> split(name, t, out));
        return out;
    }

    private static void split(String name, Tensor t, Map<String, float[]> out) {
        if (t.type().storage() == DataType.Storage.STRING) {
            return;
        }
        float[] all = values(t);
        boolean floating = t.type().storage() == DataType.Storage.FLOAT || t.type().storage() == DataType.Storage.DOUBLE;
        int rows = t.rank() == 0 ? 1 : t.dim(0);
        int columns = rows == 0 ? 0 : all.length / rows;
        if (!floating || t.rank() > 2 || columns <= 1 || columns > MAX_COLUMNS) {
            out.put(name, all);
            return;
        }
        for (int c = 0; c < columns; c++) {
            float[] col = new float[rows];
            for (int r = 0; r < rows; r++) {
                col[r] = all[r * columns + c];
            }
            out.put(name + "[" + c + "]", col);
        }
    }

    /** A tensor's values as floats (ids below 2^24 are exact; larger ids only need to land in the right bucket). */
    static float[] values(Tensor t) {
        if (t.type().storage() == DataType.Storage.FLOAT) {
            return t.floats();
        }
        float[] f = new float[t.size()];
        for (int i = 0; i < f.length; i++) {
            f[i] = (float) t.getDouble(i);
        }
        return f;
    }
}
