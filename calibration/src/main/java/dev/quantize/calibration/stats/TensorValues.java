package dev.quantize.calibration.stats;

import dev.quantize.core.tensor.DataType;
import dev.quantize.core.tensor.Shape;
import dev.quantize.core.tensor.Tensor;
import java.util.Arrays;

/**
 * A floating-point tensor seen as (outer, channels, inner) around a channel axis, so observers can
 * walk it per channel without knowing its rank. With no channel axis it is one channel of all
 * elements. Element {@code (o, c, i)} is at {@code (o * channels + c) * inner + i}.
 */
public final class TensorValues {
    private final float[] floats;
    private final double[] doubles;
    private final int outer;
    private final int channels;
    private final int inner;
    private final boolean hasChannelAxis;

    private TensorValues(Tensor t, int channelAxis) {
        DataType.Storage s = t.type().storage();
        if (s != DataType.Storage.FLOAT && s != DataType.Storage.DOUBLE) {
            throw new IllegalArgumentException("only floating-point tensors can be calibrated, not " + t);
        }
        this.floats = s == DataType.Storage.FLOAT ? t.floats() : null;
        this.doubles = s == DataType.Storage.DOUBLE ? t.doubles() : null;
        int[] shape = t.shape();
        this.hasChannelAxis = channelAxis >= 0;
        if (channelAxis < 0) {
            outer = 1;
            channels = 1;
            inner = t.size();
        } else {
            if (channelAxis >= shape.length) {
                throw new IllegalArgumentException("channel axis " + channelAxis + " is outside shape " + Arrays.toString(shape));
            }
            outer = Shape.outer(shape, channelAxis);
            channels = shape[channelAxis];
            inner = Shape.inner(shape, channelAxis);
        }
    }

    /** {@code channelAxis} -1 means none (the whole tensor is one channel). */
    public static TensorValues of(Tensor t, int channelAxis) {
        return new TensorValues(t, channelAxis);
    }

    /** Whether a channel axis was given (even one of size 1). */
    public boolean hasChannelAxis() {
        return hasChannelAxis;
    }

    public int outer() {
        return outer;
    }

    public int channels() {
        return channels;
    }

    public int inner() {
        return inner;
    }

    public int size() {
        return floats != null ? floats.length : doubles.length;
    }

    public double get(int i) {
        return floats != null ? floats[i] : doubles[i];
    }
}
