package dev.quantize.core.onnx;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import dev.quantize.core.graph.Model;
import dev.quantize.core.onnx.proto.OnnxProto.ModelProto;
import dev.quantize.core.onnx.proto.OnnxProto.OperatorSetIdProto;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Arrays;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Corrupt, truncated and unsupported inputs: always an OnnxFormatException naming the file. */
class OnnxMalformedInputTest {
    @TempDir
    Path dir;

    @Test
    void notAProtobuf() {
        OnnxFormatException e = assertThrows(OnnxFormatException.class,
                () -> OnnxReader.read("hello, world\n".getBytes(StandardCharsets.UTF_8), "notes.onnx", null));
        assertTrue(e.getMessage().startsWith("notes.onnx: "), e.getMessage());
        e = assertThrows(OnnxFormatException.class, () -> OnnxReader.read(new byte[0], "empty.onnx", null));
        assertEquals("empty.onnx: model has no ir_version (is this an ONNX model?)", e.getMessage());
    }

    private static byte[] modelWith(long ir, long opset) {
        return ModelProto.newBuilder().setIrVersion(ir)
                .addOpsetImport(OperatorSetIdProto.newBuilder().setDomain("").setVersion(opset))
                .setGraph(dev.quantize.core.onnx.proto.OnnxProto.GraphProto.newBuilder().setName("g")).build().toByteArray();
    }

    @Test
    void unsupportedVersions() {
        assertEquals("m.onnx: IR version 2 is not supported (supported: 3 to 10)",
                assertThrows(OnnxFormatException.class, () -> OnnxReader.read(modelWith(2, 13), "m.onnx", null)).getMessage());
        assertEquals("m.onnx: IR version 11 is not supported (supported: 3 to 10)",
                assertThrows(OnnxFormatException.class, () -> OnnxReader.read(modelWith(11, 13), "m.onnx", null)).getMessage());
        assertEquals("m.onnx: opset 22 is not supported (supported: 1 to 21)",
                assertThrows(OnnxFormatException.class, () -> OnnxReader.read(modelWith(8, 22), "m.onnx", null)).getMessage());
        for (long ir = 3; ir <= 10; ir++) {
            for (long opset = 1; opset <= 21; opset++) {
                assertEquals(opset, OnnxReader.read(modelWith(ir, opset), "m.onnx", null).opset());
            }
        }
    }

    @Test
    void missingModelFileIsAnIoError() {
        assertThrows(java.nio.file.NoSuchFileException.class, () -> OnnxReader.read(dir.resolve("nope.onnx")));
    }

    /**
     * Hundreds of seeded corruptions (byte flips, random bytes, truncations, spliced garbage) of
     * both shared models: each either reads or fails with an OnnxFormatException that names the file.
     */
    @Test
    void fuzzedSharedModels() throws IOException {
        int[] outcome = new int[2]; // read fine, rejected
        for (String name : new String[] {"mlp_tabular", "dlrm_small"}) {
            byte[] original = Files.readAllBytes(TestModels.sharedModel(name));
            Random rnd = new Random(20240611L + name.hashCode());
            int variants = name.equals("mlp_tabular") ? 300 : 100;
            assertTimeoutPreemptively(Duration.ofSeconds(60), () -> {
                for (int v = 0; v < variants; v++) {
                    byte[] bytes = corrupt(original, rnd, v);
                    try {
                        Model m = OnnxReader.read(bytes, name + ".onnx", null);
                        assertTrue(m.graph() != null);
                        outcome[0]++;
                    } catch (OnnxFormatException e) {
                        String msg = e.getMessage();
                        assertTrue(msg != null && msg.startsWith(name + ".onnx: ") && msg.length() > name.length() + 10,
                                "variant " + v + ": " + msg);
                        outcome[1]++;
                    } catch (RuntimeException | Error e) {
                        fail("variant " + v + " of " + name + " threw " + e, e);
                    }
                }
            });
        }
        System.out.printf("fuzz: %d variants read, %d rejected with OnnxFormatException%n", outcome[0], outcome[1]);
        assertEquals(400, outcome[0] + outcome[1]);
        assertTrue(outcome[1] > 100, "most corruptions must be detected, got " + outcome[1]);
    }

    private static byte[] corrupt(byte[] original, Random rnd, int variant) {
        byte[] b;
        switch (variant % 4) {
            case 0 -> { // truncate anywhere
                b = Arrays.copyOf(original, rnd.nextInt(original.length));
            }
            case 1 -> { // flip a few bytes; bias towards the header where the structure lives
                b = original.clone();
                int flips = 1 + rnd.nextInt(8);
                for (int i = 0; i < flips; i++) {
                    int limit = rnd.nextBoolean() ? Math.min(4096, b.length) : b.length;
                    b[rnd.nextInt(limit)] ^= (byte) (1 + rnd.nextInt(255));
                }
            }
            case 2 -> { // overwrite a run with random bytes
                b = original.clone();
                int at = rnd.nextInt(Math.min(8192, b.length));
                int len = 1 + rnd.nextInt(64);
                for (int i = at; i < Math.min(b.length, at + len); i++) {
                    b[i] = (byte) rnd.nextInt(256);
                }
            }
            default -> { // cut a slice out of the middle
                int from = rnd.nextInt(original.length);
                int to = Math.min(original.length, from + 1 + rnd.nextInt(256));
                b = new byte[original.length - (to - from)];
                System.arraycopy(original, 0, b, 0, from);
                System.arraycopy(original, to, b, from, original.length - to);
            }
        }
        return b;
    }

    @Test
    void fuzzedTensorFiles() throws IOException {
        byte[] original = TensorCodec.encode("input_0", dev.quantize.core.tensor.Tensor.ofFloats(new int[] {4, 5},
                new float[20])).toByteArray();
        Random rnd = new Random(7);
        int rejected = 0;
        for (int v = 0; v < 200; v++) {
            Path f = dir.resolve("input_" + v + ".pb");
            Files.write(f, corrupt(original, rnd, v));
            try {
                OnnxReader.readTensor(f);
            } catch (OnnxFormatException e) {
                assertTrue(e.getMessage().startsWith("input_" + v + ".pb: "), e.getMessage());
                rejected++;
            }
        }
        assertTrue(rejected > 50, "rejected " + rejected);
    }
}
