package dev.quantize.core.onnx;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.protobuf.ByteString;
import dev.quantize.core.onnx.proto.OnnxProto.StringStringEntryProto;
import dev.quantize.core.onnx.proto.OnnxProto.TensorProto;
import dev.quantize.core.tensor.DataType;
import dev.quantize.core.tensor.Tensor;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** TensorProto decoding from every storage ONNX allows, and its error messages. */
class TensorCodecTest {
    @TempDir
    Path dir;

    private static TensorProto.Builder proto(DataType type, long... dims) {
        TensorProto.Builder b = TensorProto.newBuilder().setName("w").setDataType(type.onnxCode());
        for (long d : dims) {
            b.addDims(d);
        }
        return b;
    }

    private static Tensor decode(TensorProto.Builder b) {
        return TensorCodec.decode(b.build(), "model.onnx: initializer 'w'", null);
    }

    @Test
    void typedFields() {
        assertArrayEquals(new float[] {1f, -2f}, decode(proto(DataType.FLOAT32, 2).addFloatData(1f).addFloatData(-2f)).floats());
        assertArrayEquals(new double[] {0.1}, decode(proto(DataType.FLOAT64, 1).addDoubleData(0.1)).doubles());
        assertArrayEquals(new long[] {-5}, decode(proto(DataType.INT64, 1).addInt64Data(-5)).longs());
        assertArrayEquals(new long[] {-1L, 0xFFFFFFFFL},
                decode(proto(DataType.UINT64, 2).addUint64Data(-1L).addUint64Data(0xFFFFFFFFL)).longs());
        assertArrayEquals(new long[] {0xFFFFFFFFL}, decode(proto(DataType.UINT32, 1).addUint64Data(-1L)).longs());
        assertArrayEquals(new long[] {-3, 100}, decode(proto(DataType.INT8, 2).addInt32Data(-3).addInt32Data(100)).longs());
        assertArrayEquals(new long[] {255}, decode(proto(DataType.UINT8, 1).addInt32Data(255)).longs());
        assertArrayEquals(new long[] {65535}, decode(proto(DataType.UINT16, 1).addInt32Data(65535)).longs());
        assertArrayEquals(new long[] {1, 0}, decode(proto(DataType.BOOL, 2).addInt32Data(1).addInt32Data(0)).longs());
        // float16 bits 0x3C00 = 1.0, 0xC000 = -2.0; bfloat16 0x4049 = 3.140625.
        assertArrayEquals(new float[] {1f, -2f}, decode(proto(DataType.FLOAT16, 2).addInt32Data(0x3C00).addInt32Data(0xC000)).floats());
        assertArrayEquals(new float[] {3.140625f}, decode(proto(DataType.BFLOAT16, 1).addInt32Data(0x4049)).floats());
        // e4m3fn 0x38 = 1.0, 0xFE = -448; e5m2 0x3C = 1.0, 0x7C = +inf.
        assertArrayEquals(new float[] {1f, -448f}, decode(proto(DataType.FLOAT8E4M3FN, 2).addInt32Data(0x38).addInt32Data(0xFE)).floats());
        assertArrayEquals(new float[] {1f, Float.POSITIVE_INFINITY},
                decode(proto(DataType.FLOAT8E5M2, 2).addInt32Data(0x3C).addInt32Data(0x7C)).floats());
        // int4 packed two per int32 (low nibble first): 0x9F -> [-1, -7], 0x02 -> [2].
        assertArrayEquals(new long[] {-1, -7, 2}, decode(proto(DataType.INT4, 3).addInt32Data(0x9F).addInt32Data(0x02)).longs());
        assertArrayEquals(new long[] {15, 9, 2}, decode(proto(DataType.UINT4, 3).addInt32Data(0x9F).addInt32Data(0x02)).longs());
        assertArrayEquals(new String[] {"a", "ß"}, decode(proto(DataType.STRING, 2)
                .addStringData(ByteString.copyFromUtf8("a")).addStringData(ByteString.copyFromUtf8("ß"))).strings());
    }

    @Test
    void rawLittleEndian() {
        // 1.5f = 0x3FC00000; int32 0x01020304; uint16 0xFFFE.
        assertArrayEquals(new float[] {1.5f},
                decode(proto(DataType.FLOAT32, 1).setRawData(ByteString.copyFrom(new byte[] {0, 0, (byte) 0xC0, 0x3F}))).floats());
        assertArrayEquals(new long[] {0x01020304},
                decode(proto(DataType.INT32, 1).setRawData(ByteString.copyFrom(new byte[] {4, 3, 2, 1}))).longs());
        assertArrayEquals(new long[] {0xFFFE},
                decode(proto(DataType.UINT16, 1).setRawData(ByteString.copyFrom(new byte[] {(byte) 0xFE, (byte) 0xFF}))).longs());
    }

    @Test
    void everyFloat8CodeDecodesAndReencodes() {
        int nans = 0;
        for (DataType t : List.of(DataType.FLOAT8E4M3FN, DataType.FLOAT8E5M2)) {
            for (int code = 0; code < 256; code++) {
                float v = Float8.toFloat(t, code);
                if (Float.isNaN(v)) {
                    nans++;
                    continue;
                }
                assertEquals(code, Float8.toCode(t, v), t + " code " + code);
            }
        }
        assertEquals(2 + 6, nans, "E4M3FN has 2 NaN codes, E5M2 has 6");
        assertEquals(0.001953125f, Float8.toFloat(DataType.FLOAT8E4M3FN, 0x01), "smallest E4M3FN subnormal 2^-9");
        assertEquals(1.5258789e-5f, Float8.toFloat(DataType.FLOAT8E5M2, 0x01), "smallest E5M2 subnormal 2^-16");
        assertEquals(-57344f, Float8.toFloat(DataType.FLOAT8E5M2, 0xFB));
    }

    @Test
    void countMismatchNamesFileTensorAndDims() {
        TensorProto.Builder b = proto(DataType.FLOAT32, 3, 4);
        for (int i = 0; i < 10; i++) {
            b.addFloatData(i);
        }
        OnnxFormatException e = assertThrows(OnnxFormatException.class, () -> decode(b));
        assertEquals("model.onnx: initializer 'w' has 10 floats but dims [3, 4] need 12", e.getMessage());
        e = assertThrows(OnnxFormatException.class,
                () -> decode(proto(DataType.FLOAT32, 2).setRawData(ByteString.copyFrom(new byte[7]))));
        assertEquals("model.onnx: initializer 'w' has 7 bytes of FLOAT32 data but dims [2] need 8", e.getMessage());
        e = assertThrows(OnnxFormatException.class, () -> TensorCodec.decode(
                TensorProto.newBuilder().setDataType(14).build(), "m.onnx: initializer 'c'", null));
        assertEquals("m.onnx: initializer 'c' has element type COMPLEX64 (14), which this project does not support", e.getMessage());
        e = assertThrows(OnnxFormatException.class, () -> decode(proto(DataType.FLOAT32, 1L << 40)));
        assertTrue(e.getMessage().contains("invalid dimension 1099511627776"), e.getMessage());
    }

    private static TensorProto.Builder external(String location, long offset, long length, long... dims) {
        TensorProto.Builder b = proto(DataType.FLOAT32, dims).setDataLocation(1)
                .addExternalData(StringStringEntryProto.newBuilder().setKey("location").setValue(location))
                .addExternalData(StringStringEntryProto.newBuilder().setKey("offset").setValue(Long.toString(offset)));
        if (length >= 0) {
            b.addExternalData(StringStringEntryProto.newBuilder().setKey("length").setValue(Long.toString(length)));
        }
        return b;
    }

    @Test
    void externalData() throws IOException {
        // Two floats, 2.0f = 0x40000000 and -1.0f = 0xBF800000, after 3 bytes of padding.
        Files.write(dir.resolve("weights.bin"), new byte[] {9, 9, 9, 0, 0, 0, 0x40, 0, 0, (byte) 0x80, (byte) 0xBF});
        Tensor t = TensorCodec.decode(external("weights.bin", 3, 8, 2).build(), "m.onnx: initializer 'w'", dir);
        assertArrayEquals(new float[] {2f, -1f}, t.floats());

        OnnxFormatException e = assertThrows(OnnxFormatException.class,
                () -> TensorCodec.decode(external("missing.bin", 0, -1, 2).build(), "m.onnx: initializer 'w'", dir));
        assertTrue(e.getMessage().contains("missing.bin") && e.getMessage().contains("does not exist"), e.getMessage());
        e = assertThrows(OnnxFormatException.class,
                () -> TensorCodec.decode(external("weights.bin", 7, -1, 2).build(), "m.onnx: initializer 'w'", dir));
        assertEquals("m.onnx: initializer 'w' external data file " + dir.resolve("weights.bin")
                + " has 11 bytes, too short for 8 bytes at offset 7", e.getMessage());
    }

    @Test
    void externalDataThroughAModelFile() throws IOException {
        Files.write(dir.resolve("w.bin"), new byte[] {0, 0, (byte) 0xC0, 0x3F});
        var model = dev.quantize.core.onnx.proto.OnnxProto.ModelProto.newBuilder().setIrVersion(8)
                .addOpsetImport(dev.quantize.core.onnx.proto.OnnxProto.OperatorSetIdProto.newBuilder().setVersion(13))
                .setGraph(dev.quantize.core.onnx.proto.OnnxProto.GraphProto.newBuilder().setName("g")
                        .addInitializer(external("w.bin", 0, 4, 1).setName("w")))
                .build();
        Path file = dir.resolve("model.onnx");
        Files.write(file, model.toByteArray());
        assertArrayEquals(new float[] {1.5f}, OnnxReader.read(file).graph().initializers().get("w").floats());
        Files.delete(dir.resolve("w.bin"));
        OnnxFormatException e = assertThrows(OnnxFormatException.class, () -> OnnxReader.read(file));
        assertTrue(e.getMessage().startsWith("model.onnx: initializer 'w' external data file ")
                && e.getMessage().contains("w.bin"), e.getMessage());
    }
}
