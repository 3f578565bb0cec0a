package dev.quantize.core.onnx;

import com.google.protobuf.ByteString;
import com.google.protobuf.UnsafeByteOperations;
import dev.quantize.core.format.BFloat16;
import dev.quantize.core.format.Float16;
import dev.quantize.core.onnx.proto.OnnxProto.StringStringEntryProto;
import dev.quantize.core.onnx.proto.OnnxProto.TensorProto;
import dev.quantize.core.tensor.DataType;
import dev.quantize.core.tensor.Tensor;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.Arrays;
import java.util.List;

/**
 * Converts between TensorProto and {@link Tensor}. Reading accepts every storage ONNX allows (raw
 * little-endian bytes, the typed repeated fields, external files); writing always uses raw_data
 * (strings excepted, which ONNX keeps in string_data). Every size is checked against the dims
 * before anything is allocated, so a corrupt file cannot ask for gigabytes.
 */
final class TensorCodec {
    private TensorCodec() {
    }

    /**
     * Decodes a tensor. {@code where} describes it for messages ("model.onnx: initializer 'w'");
     * {@code baseDir} is the folder external data paths are relative to (null: external data is an
     * error).
     */
    static Tensor decode(TensorProto p, String where, Path baseDir) {
        DataType type = dataType(p.getDataType(), where);
        int[] shape = shape(p.getDimsList(), where);
        int n = elementCount(shape, where);
        if (p.hasSegment()) {
            throw new OnnxFormatException(where + " is a segment of a larger tensor, which is not supported");
        }
        boolean external = p.getDataLocation() == 1;
        if (p.getDataLocation() != 0 && !external) {
            throw new OnnxFormatException(where + " has unknown data_location " + p.getDataLocation());
        }
        if (type == DataType.STRING) {
            if (external || p.hasRawData()) {
                throw new OnnxFormatException(where + " is a STRING tensor but stores raw or external data");
            }
            checkCount(p.getStringDataCount(), n, "strings", shape, where);
            String[] s = new String[n];
            for (int i = 0; i < n; i++) {
                s[i] = p.getStringData(i).toStringUtf8();
            }
            return Tensor.ofStrings(shape, s);
        }
        if (external) {
            return fromRaw(type, shape, n, readExternal(p, rawByteCount(type, n), where, baseDir), where);
        }
        if (p.hasRawData()) {
            return fromRaw(type, shape, n, p.getRawData().asReadOnlyByteBuffer(), where);
        }
        return fromTypedFields(p, type, shape, n, where);
    }

    /** Encodes a tensor as raw_data (string_data for strings). */
    static TensorProto encode(String name, Tensor t) {
        TensorProto.Builder b = TensorProto.newBuilder().setName(name).setDataType(t.type().onnxCode());
        for (int d : t.shape()) {
            b.addDims(d);
        }
        if (t.type() == DataType.STRING) {
            for (String s : t.strings()) {
                b.addStringData(ByteString.copyFromUtf8(s));
            }
            return b.build();
        }
        // The array is fresh and never touched again, so wrapping it avoids a second copy.
        return b.setRawData(UnsafeByteOperations.unsafeWrap(toRaw(t, name))).build();
    }

    // ---------------------------------------------------------------- reading

    static DataType dataType(int code, String where) {
        DataType type = DataType.fromOnnx(code);
        if (type == null) {
            throw new OnnxFormatException(where + " has element type " + OnnxTypes.name(code)
                    + ", which this project does not support");
        }
        return type;
    }

    private static int[] shape(List<Long> dims, String where) {
        int[] shape = new int[dims.size()];
        for (int i = 0; i < shape.length; i++) {
            long d = dims.get(i);
            if (d < 0 || d > Integer.MAX_VALUE) {
                throw new OnnxFormatException(where + " has invalid dimension " + d + " in dims " + dims);
            }
            shape[i] = (int) d;
        }
        return shape;
    }

    private static int elementCount(int[] shape, String where) {
        long n = 1;
        for (int d : shape) {
            n *= d;
            if (n > Integer.MAX_VALUE - 8) {
                throw new OnnxFormatException(where + " has dims " + Arrays.toString(shape)
                        + ", too many elements for one tensor");
            }
        }
        return (int) n;
    }

    /** Bytes the raw little-endian encoding of n elements takes (4-bit types pack two per byte). */
    static long rawByteCount(DataType type, int n) {
        return switch (type) {
            case INT4, UINT4 -> (n + 1L) / 2;
            default -> (long) n * type.byteSize();
        };
    }

    private static void checkCount(int have, int need, String what, int[] shape, String where) {
        if (have != need) {
            throw new OnnxFormatException(where + " has " + have + " " + what + " but dims "
                    + Arrays.toString(shape) + " need " + need);
        }
    }

    private static Tensor fromRaw(DataType type, int[] shape, int n, ByteBuffer raw, String where) {
        long need = rawByteCount(type, n);
        if (raw.remaining() != need) {
            throw new OnnxFormatException(where + " has " + raw.remaining() + " bytes of " + type
                    + " data but dims " + Arrays.toString(shape) + " need " + need);
        }
        ByteBuffer le = raw.slice().order(ByteOrder.LITTLE_ENDIAN);
        switch (type) {
            case FLOAT32 -> {
                float[] f = new float[n];
                le.asFloatBuffer().get(f); // one bulk copy, no per-element decode
                return Tensor.ofFloats(shape, f);
            }
            case FLOAT64 -> {
                double[] d = new double[n];
                le.asDoubleBuffer().get(d);
                return Tensor.ofDoubles(shape, d);
            }
            case INT64, UINT64 -> {
                long[] l = new long[n];
                le.asLongBuffer().get(l);
                return Tensor.ofLongs(type, shape, l);
            }
            case FLOAT16, BFLOAT16 -> {
                float[] f = new float[n];
                for (int i = 0; i < n; i++) {
                    f[i] = halfToFloat(type, le.getShort(2 * i));
                }
                return Tensor.ofFloats(type, shape, f);
            }
            case FLOAT8E4M3FN, FLOAT8E5M2 -> {
                float[] f = new float[n];
                for (int i = 0; i < n; i++) {
                    f[i] = Float8.toFloat(type, le.get(i));
                }
                return Tensor.ofFloats(type, shape, f);
            }
            default -> {
                long[] l = new long[n];
                for (int i = 0; i < n; i++) {
                    l[i] = readInteger(type, le, i);
                }
                return Tensor.ofLongs(type, shape, l);
            }
        }
    }

    private static long readInteger(DataType type, ByteBuffer le, int i) {
        return switch (type) {
            case INT8 -> le.get(i);
            case UINT8 -> le.get(i) & 0xFFL;
            case BOOL -> le.get(i) != 0 ? 1 : 0;
            case INT16 -> le.getShort(2 * i);
            case UINT16 -> le.getShort(2 * i) & 0xFFFFL;
            case INT32 -> le.getInt(4 * i);
            case UINT32 -> le.getInt(4 * i) & 0xFFFFFFFFL;
            case INT4, UINT4 -> nibble(type, le.get(i >> 1), i);
            default -> throw new IllegalStateException("not an integer type: " + type);
        };
    }

    /** Element i of a packed 4-bit pair: even indices in the low nibble, odd in the high one. */
    private static long nibble(DataType type, int packed, int i) {
        int v = (i & 1) == 0 ? packed & 0xF : (packed >> 4) & 0xF;
        return type == DataType.INT4 && v >= 8 ? v - 16 : v;
    }

    private static float halfToFloat(DataType type, short bits) {
        return type == DataType.FLOAT16 ? Float16.toFloat(bits) : BFloat16.toFloat(bits);
    }

    private static Tensor fromTypedFields(TensorProto p, DataType type, int[] shape, int n, String where) {
        switch (type) {
            case FLOAT32 -> {
                checkCount(p.getFloatDataCount(), n, "floats", shape, where);
                float[] f = new float[n];
                for (int i = 0; i < n; i++) {
                    f[i] = p.getFloatData(i);
                }
                return Tensor.ofFloats(shape, f);
            }
            case FLOAT64 -> {
                checkCount(p.getDoubleDataCount(), n, "doubles", shape, where);
                double[] d = new double[n];
                for (int i = 0; i < n; i++) {
                    d[i] = p.getDoubleData(i);
                }
                return Tensor.ofDoubles(shape, d);
            }
            case INT64 -> {
                checkCount(p.getInt64DataCount(), n, "int64 values", shape, where);
                long[] l = new long[n];
                for (int i = 0; i < n; i++) {
                    l[i] = p.getInt64Data(i);
                }
                return Tensor.ofLongs(type, shape, l);
            }
            case UINT32, UINT64 -> {
                checkCount(p.getUint64DataCount(), n, "uint64 values", shape, where);
                long[] l = new long[n];
                for (int i = 0; i < n; i++) {
                    l[i] = type == DataType.UINT32 ? p.getUint64Data(i) & 0xFFFFFFFFL : p.getUint64Data(i);
                }
                return Tensor.ofLongs(type, shape, l);
            }
            case FLOAT16, BFLOAT16, FLOAT8E4M3FN, FLOAT8E5M2 -> {
                // ONNX keeps these as their bit patterns, one per int32.
                checkCount(p.getInt32DataCount(), n, "int32 values", shape, where);
                float[] f = new float[n];
                for (int i = 0; i < n; i++) {
                    int bits = p.getInt32Data(i);
                    f[i] = type.byteSize() == 2 ? halfToFloat(type, (short) bits) : Float8.toFloat(type, bits);
                }
                return Tensor.ofFloats(type, shape, f);
            }
            case INT4, UINT4 -> {
                // Two nibbles per int32 element (as raw bytes); one value per element is also accepted.
                int packedCount = (n + 1) / 2;
                int have = p.getInt32DataCount();
                if (have != packedCount && have != n) {
                    throw new OnnxFormatException(where + " has " + have + " int32 values but dims "
                            + Arrays.toString(shape) + " need " + packedCount + " (packed) or " + n);
                }
                boolean packed = have == packedCount;
                long[] l = new long[n];
                for (int i = 0; i < n; i++) {
                    l[i] = packed ? nibble(type, p.getInt32Data(i >> 1), i) : nibble(type, p.getInt32Data(i), 0);
                }
                return Tensor.ofLongs(type, shape, l);
            }
            default -> {
                // INT32, INT16, INT8, UINT16, UINT8, BOOL: values in int32_data.
                checkCount(p.getInt32DataCount(), n, "int32 values", shape, where);
                long[] l = new long[n];
                for (int i = 0; i < n; i++) {
                    int v = p.getInt32Data(i);
                    l[i] = switch (type) {
                        case UINT8 -> v & 0xFFL;
                        case UINT16 -> v & 0xFFFFL;
                        case INT8 -> (byte) v;
                        case INT16 -> (short) v;
                        case BOOL -> v != 0 ? 1 : 0;
                        default -> v;
                    };
                }
                return Tensor.ofLongs(type, shape, l);
            }
        }
    }

    private static ByteBuffer readExternal(TensorProto p, long need, String where, Path baseDir) {
        String location = null;
        long offset = 0;
        long length = -1;
        for (StringStringEntryProto e : p.getExternalDataList()) {
            switch (e.getKey()) {
                case "location" -> location = e.getValue();
                case "offset" -> offset = parseLong(e.getValue(), "offset", where);
                case "length" -> length = parseLong(e.getValue(), "length", where);
                default -> { } // "checksum" and future keys do not change where the bytes are
            }
        }
        if (location == null || location.isEmpty()) {
            throw new OnnxFormatException(where + " has external data without a location");
        }
        if (baseDir == null) {
            throw new OnnxFormatException(where + " has external data '" + location
                    + "' but was not read from a file, so there is no folder to find it in");
        }
        Path file = baseDir.resolve(location).normalize();
        if (length >= 0 && length != need) {
            throw new OnnxFormatException(where + " external data '" + location + "' has length " + length
                    + " but the dims need " + need + " bytes");
        }
        try (FileChannel ch = FileChannel.open(file, StandardOpenOption.READ)) {
            long size = ch.size();
            if (offset + need > size) {
                throw new OnnxFormatException(where + " external data file " + file + " has " + size
                        + " bytes, too short for " + need + " bytes at offset " + offset);
            }
            ByteBuffer buf = ByteBuffer.allocate((int) need);
            while (buf.hasRemaining()) {
                if (ch.read(buf, offset + buf.position()) < 0) {
                    throw new OnnxFormatException(where + " external data file " + file + " ended early");
                }
            }
            return buf.flip();
        } catch (NoSuchFileException e) {
            throw new OnnxFormatException(where + " external data file " + file + " does not exist", e);
        } catch (IOException e) {
            throw new OnnxFormatException(where + " external data file " + file + " cannot be read: " + e, e);
        }
    }

    private static long parseLong(String s, String key, String where) {
        try {
            long v = Long.parseLong(s.trim());
            if (v < 0) {
                throw new NumberFormatException("negative");
            }
            return v;
        } catch (NumberFormatException e) {
            throw new OnnxFormatException(where + " external data " + key + " '" + s + "' is not a byte count", e);
        }
    }

    // ---------------------------------------------------------------- writing

    private static byte[] toRaw(Tensor t, String name) {
        DataType type = t.type();
        int n = t.size();
        ByteBuffer le = ByteBuffer.allocate((int) rawByteCount(type, n)).order(ByteOrder.LITTLE_ENDIAN);
        switch (type) {
            case FLOAT32 -> le.asFloatBuffer().put(t.floats());
            case FLOAT64 -> le.asDoubleBuffer().put(t.doubles());
            case INT64, UINT64 -> le.asLongBuffer().put(t.longs());
            case FLOAT16 -> {
                for (float v : t.floats()) {
                    le.putShort(Float16.fromFloat(v));
                }
            }
            case BFLOAT16 -> {
                for (float v : t.floats()) {
                    le.putShort(BFloat16.fromFloat(v));
                }
            }
            case FLOAT8E4M3FN, FLOAT8E5M2 -> {
                for (float v : t.floats()) {
                    int code = Float8.toCode(type, v);
                    if (code < 0) {
                        throw new IllegalArgumentException("tensor '" + name + "' holds " + v
                                + ", which is not exactly representable in " + type);
                    }
                    le.put((byte) code);
                }
            }
            case INT4, UINT4 -> {
                long[] l = t.longs();
                for (int i = 0; i < n; i += 2) {
                    int lo = (int) l[i] & 0xF;
                    int hi = i + 1 < n ? (int) l[i + 1] & 0xF : 0;
                    le.put((byte) (lo | hi << 4));
                }
            }
            default -> {
                for (long v : t.longs()) {
                    switch (type.byteSize()) {
                        case 1 -> le.put((byte) v);
                        case 2 -> le.putShort((short) v);
                        default -> le.putInt((int) v);
                    }
                }
            }
        }
        return le.array();
    }
}
