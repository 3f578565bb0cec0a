package dev.quantize.core.data;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.quantize.core.format.Float16;
import dev.quantize.core.tensor.DataType;
import dev.quantize.core.tensor.Tensor;
import java.util.Arrays;
import java.util.List;
import java.util.Random;

/** Seeded random tensors whose values are exactly representable in their type, and comparisons. */
final class RandomTensors {
    private RandomTensors() {
    }

    static Tensor of(DataType type, int[] shape, Random rnd) {
        Tensor t = Tensor.zeros(type, shape);
        int n = t.size();
        switch (type) {
            case FLOAT32 -> fill(t.floats(), i -> (float) rnd.nextGaussian() * 100);
            case FLOAT16 -> fill(t.floats(), i -> Float16.toFloat((short) rnd.nextInt(0x7c00))); // finite halves
            case FLOAT64 -> {
                for (int i = 0; i < n; i++) {
                    t.doubles()[i] = rnd.nextGaussian() * 1e6;
                }
            }
            default -> {
                long[] l = t.longs();
                for (int i = 0; i < n; i++) {
                    long v = rnd.nextLong();
                    l[i] = switch (type) {
                        case INT8 -> (byte) v;
                        case INT16 -> (short) v;
                        case INT32 -> (int) v;
                        case UINT8 -> v & 0xff;
                        case UINT16 -> v & 0xffff;
                        case UINT32 -> v & 0xffffffffL;
                        case BOOL -> v & 1;
                        default -> v;
                    };
                }
            }
        }
        return t;
    }

    private interface FloatGen {
        float at(int i);
    }

    private static void fill(float[] a, FloatGen g) {
        for (int i = 0; i < a.length; i++) {
            a[i] = g.at(i);
        }
    }

    static Tensor concat(List<Tensor> parts) {
        Tensor first = parts.get(0);
        int rows = parts.stream().mapToInt(p -> p.dim(0)).sum();
        int[] shape = first.shape();
        shape[0] = rows;
        Tensor out = Tensor.zeros(first.type(), shape);
        int at = 0;
        for (Tensor p : parts) {
            int n = p.size();
            switch (first.type().storage()) {
                case FLOAT -> System.arraycopy(p.floats(), 0, out.floats(), at, n);
                case DOUBLE -> System.arraycopy(p.doubles(), 0, out.doubles(), at, n);
                case LONG -> System.arraycopy(p.longs(), 0, out.longs(), at, n);
                case STRING -> System.arraycopy(p.strings(), 0, out.strings(), at, n);
            }
            at += n;
        }
        return out;
    }

    static void assertSame(Tensor expected, Tensor actual) {
        assertEquals(expected.type(), actual.type());
        assertArrayEquals(expected.shape(), actual.shape(), () -> Arrays.toString(actual.shape()));
        switch (expected.type().storage()) {
            case FLOAT -> assertArrayEquals(expected.floats(), actual.floats());
            case DOUBLE -> assertArrayEquals(expected.doubles(), actual.doubles());
            case LONG -> assertArrayEquals(expected.longs(), actual.longs());
            case STRING -> assertArrayEquals(expected.strings(), actual.strings());
        }
    }
}
