package dev.quantize.core.tensor;

/**
 * Element types a tensor can hold, with their ONNX TensorProto.DataType codes.
 *
 * <p>Storage is deliberately coarse so kernels have few code paths: every floating type of 32 bits or
 * less lives in a {@code float[]} (FLOAT16/BFLOAT16 values are kept exactly representable in their
 * type), FLOAT64 in a {@code double[]}, every integer type and BOOL in a {@code long[]}, STRING in a
 * {@code String[]}.
 */
public enum DataType {
    FLOAT32(1, 4, Storage.FLOAT),
    UINT8(2, 1, Storage.LONG),
    INT8(3, 1, Storage.LONG),
    UINT16(4, 2, Storage.LONG),
    INT16(5, 2, Storage.LONG),
    INT32(6, 4, Storage.LONG),
    INT64(7, 8, Storage.LONG),
    STRING(8, 0, Storage.STRING),
    BOOL(9, 1, Storage.LONG),
    FLOAT16(10, 2, Storage.FLOAT),
    FLOAT64(11, 8, Storage.DOUBLE),
    UINT32(12, 4, Storage.LONG),
    UINT64(13, 8, Storage.LONG),
    BFLOAT16(16, 2, Storage.FLOAT),
    FLOAT8E4M3FN(17, 1, Storage.FLOAT),
    FLOAT8E5M2(19, 1, Storage.FLOAT),
    UINT4(21, 0, Storage.LONG),
    INT4(22, 0, Storage.LONG);

    /** The Java array that holds elements of a type. */
    public enum Storage { FLOAT, DOUBLE, LONG, STRING }

    private final int onnxCode;
    private final int byteSize;
    private final Storage storage;

    DataType(int onnxCode, int byteSize, Storage storage) {
        this.onnxCode = onnxCode;
        this.byteSize = byteSize;
        this.storage = storage;
    }

    /** The TensorProto.DataType number of this type. */
    public int onnxCode() {
        return onnxCode;
    }

    /** Bytes per element in ONNX raw data; 0 for strings and sub-byte types. */
    public int byteSize() {
        return byteSize;
    }

    public Storage storage() {
        return storage;
    }

    public boolean isFloating() {
        return storage == Storage.FLOAT || storage == Storage.DOUBLE;
    }

    /** The type with the given ONNX code, or null if this project does not support it. */
    public static DataType fromOnnx(int code) {
        for (DataType t : values()) {
            if (t.onnxCode == code) {
                return t;
            }
        }
        return null;
    }
}
