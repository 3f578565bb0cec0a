package dev.quantize.core.onnx;

/** Names of ONNX TensorProto.DataType numbers, for messages about types this project lacks. */
final class OnnxTypes {
    private static final String[] NAMES = {
        "UNDEFINED", "FLOAT", "UINT8", "INT8", "UINT16", "INT16", "INT32", "INT64", "STRING", "BOOL",
        "FLOAT16", "DOUBLE", "UINT32", "UINT64", "COMPLEX64", "COMPLEX128", "BFLOAT16", "FLOAT8E4M3FN",
        "FLOAT8E4M3FNUZ", "FLOAT8E5M2", "FLOAT8E5M2FNUZ", "UINT4", "INT4", "FLOAT4E2M1"};

    private OnnxTypes() {
    }

    static String name(int code) {
        return code >= 0 && code < NAMES.length ? NAMES[code] + " (" + code + ")" : "unknown type " + code;
    }
}
