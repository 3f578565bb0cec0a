package dev.quantize.core.data;

import dev.quantize.core.tensor.DataType;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;

/**
 * The numpy element types this project reads and writes ({@code descr} without its byte-order
 * character), with the tensor type each maps to and the code that moves elements between bytes and
 * the tensor's backing array.
 */
enum NpyDtype {
    F2("f2", DataType.FLOAT16), F4("f4", DataType.FLOAT32), F8("f8", DataType.FLOAT64),
    I1("i1", DataType.INT8), I2("i2", DataType.INT16), I4("i4", DataType.INT32), I8("i8", DataType.INT64),
    U1("u1", DataType.UINT8), U2("u2", DataType.UINT16), U4("u4", DataType.UINT32), U8("u8", DataType.UINT64),
    B1("b1", DataType.BOOL);

    final String code;
    final DataType type;

    NpyDtype(String code, DataType type) {
        this.code = code;
        this.type = type;
    }

    int itemSize() {
        return code.charAt(1) - '0';
    }

    static NpyDtype ofCode(String code) {
        for (NpyDtype d : values()) {
            if (d.code.equals(code)) {
                return d;
            }
        }
        return null;
    }

    static NpyDtype ofType(DataType type) {
        for (NpyDtype d : values()) {
            if (d.type == type) {
                return d;
            }
        }
        return null;
    }

    /** The descr string numpy writes for this type in little-endian files ("<f4", "|u1"). */
    String descr() {
        return (itemSize() == 1 ? "|" : "<") + code;
    }

    /** Fills {@code out} (float[], double[] or long[], see DataType) from {@code n} elements of {@code src}. */
    void decode(ByteBuffer src, ByteOrder order, Object out, int n) {
        ByteBuffer b = src.order(order);
        switch (this) {
            case F2 -> {
                float[] f = (float[]) out;
                for (int i = 0; i < n; i++) {
                    f[i] = dev.quantize.core.format.Float16.toFloat(b.getShort());
                }
            }
            case F4 -> b.asFloatBuffer().get((float[]) out, 0, n);
            case F8 -> b.asDoubleBuffer().get((double[]) out, 0, n);
            case I8, U8 -> b.asLongBuffer().get((long[]) out, 0, n);
            default -> {
                long[] l = (long[]) out;
                for (int i = 0; i < n; i++) {
                    l[i] = switch (this) {
                        case I1 -> b.get();
                        case U1 -> b.get() & 0xffL;
                        case B1 -> b.get() != 0 ? 1L : 0L;
                        case I2 -> b.getShort();
                        case U2 -> b.getShort() & 0xffffL;
                        case I4 -> b.getInt();
                        case U4 -> b.getInt() & 0xffffffffL;
                        default -> throw new IllegalStateException(this.name());
                    };
                }
            }
        }
    }

    /** Writes elements {@code [from, from + n)} of {@code data} to {@code dst} in little-endian order. */
    void encode(Object data, int from, int n, ByteBuffer dst) {
        ByteBuffer b = dst.order(ByteOrder.LITTLE_ENDIAN);
        switch (this) {
            case F2 -> {
                float[] f = (float[]) data;
                for (int i = from; i < from + n; i++) {
                    b.putShort(dev.quantize.core.format.Float16.fromFloat(f[i]));
                }
            }
            case F4 -> {
                float[] f = (float[]) data;
                for (int i = from; i < from + n; i++) {
                    b.putFloat(f[i]);
                }
            }
            case F8 -> {
                double[] d = (double[]) data;
                for (int i = from; i < from + n; i++) {
                    b.putDouble(d[i]);
                }
            }
            default -> {
                long[] l = (long[]) data;
                for (int i = from; i < from + n; i++) {
                    switch (itemSize()) {
                        case 1 -> b.put((byte) l[i]);
                        case 2 -> b.putShort((short) l[i]);
                        case 4 -> b.putInt((int) l[i]);
                        default -> b.putLong(l[i]);
                    }
                }
            }
        }
    }
}
