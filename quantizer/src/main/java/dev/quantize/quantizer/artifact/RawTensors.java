package dev.quantize.quantizer.artifact;

import dev.quantize.core.format.BFloat16;
import dev.quantize.core.format.Float16;
import dev.quantize.core.tensor.DataType;
import dev.quantize.core.tensor.Tensor;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.EnumSet;
import java.util.Set;

/**
 * Unquantized initializers as little-endian elements of their own width, the layout ONNX raw_data
 * uses: floats as IEEE bits (FLOAT16/BFLOAT16 as their 16-bit patterns), integers in two's complement,
 * BOOL one byte 0/1. Types without a whole-byte width (strings, 4-bit, FP8) are not stored this way;
 * they stay inside the artifact's graph.
 */
final class RawTensors {
    private static final Set<DataType> SUPPORTED = EnumSet.of(DataType.FLOAT32, DataType.FLOAT64, DataType.FLOAT16,
            DataType.BFLOAT16, DataType.INT8, DataType.UINT8, DataType.INT16, DataType.UINT16, DataType.INT32,
            DataType.UINT32, DataType.INT64, DataType.UINT64, DataType.BOOL);

    private RawTensors() {
    }

    static boolean supports(DataType type) {
        return SUPPORTED.contains(type);
    }

    static long byteLength(DataType type, long elements) {
        return elements * type.byteSize();
    }

    static byte[] encode(Tensor t) {
        DataType type = t.type();
        int n = t.size();
        ByteBuffer b = ByteBuffer.allocate(Math.toIntExact(byteLength(type, n))).order(ByteOrder.LITTLE_ENDIAN);
        switch (type) {
            case FLOAT32 -> b.asFloatBuffer().put(t.floats());
            case FLOAT64 -> b.asDoubleBuffer().put(t.doubles());
            case FLOAT16, BFLOAT16 -> {
                float[] f = t.floats();
                for (int i = 0; i < n; i++) {
                    b.putShort(2 * i, type == DataType.FLOAT16 ? Float16.fromFloat(f[i]) : BFloat16.fromFloat(f[i]));
                }
            }
            default -> {
                long[] l = t.longs();
                for (int i = 0; i < n; i++) {
                    switch (type.byteSize()) {
                        case 1 -> b.put(i, (byte) l[i]);
                        case 2 -> b.putShort(2 * i, (short) l[i]);
                        case 4 -> b.putInt(4 * i, (int) l[i]);
                        default -> b.putLong(8 * i, l[i]);
                    }
                }
            }
        }
        return b.array();
    }

    /** The tensor {@code bytes} hold (its length already checked against the shape). */
    static Tensor decode(DataType type, int[] shape, ByteBuffer bytes) {
        ByteBuffer b = bytes.duplicate().order(ByteOrder.LITTLE_ENDIAN);
        int n = Math.toIntExact(bytes.remaining() / Math.max(1, type.byteSize()));
        switch (type) {
            case FLOAT32 -> {
                float[] f = new float[n];
                b.asFloatBuffer().get(f);
                return Tensor.ofFloats(shape, f);
            }
            case FLOAT64 -> {
                double[] d = new double[n];
                b.asDoubleBuffer().get(d);
                return Tensor.ofDoubles(shape, d);
            }
            case FLOAT16, BFLOAT16 -> {
                float[] f = new float[n];
                for (int i = 0; i < n; i++) {
                    short s = b.getShort(b.position() + 2 * i);
                    f[i] = type == DataType.FLOAT16 ? Float16.toFloat(s) : BFloat16.toFloat(s);
                }
                return Tensor.ofFloats(type, shape, f);
            }
            default -> {
                long[] l = new long[n];
                int p = b.position();
                boolean unsigned = type == DataType.UINT8 || type == DataType.UINT16 || type == DataType.UINT32;
                for (int i = 0; i < n; i++) {
                    l[i] = switch (type.byteSize()) {
                        case 1 -> type == DataType.BOOL ? (b.get(p + i) != 0 ? 1 : 0) : unsigned ? b.get(p + i) & 0xFFL : b.get(p + i);
                        case 2 -> unsigned ? b.getShort(p + 2 * i) & 0xFFFFL : b.getShort(p + 2 * i);
                        case 4 -> unsigned ? b.getInt(p + 4 * i) & 0xFFFFFFFFL : b.getInt(p + 4 * i);
                        default -> b.getLong(p + 8 * i);
                    };
                }
                return Tensor.ofLongs(type, shape, l);
            }
        }
    }
}
