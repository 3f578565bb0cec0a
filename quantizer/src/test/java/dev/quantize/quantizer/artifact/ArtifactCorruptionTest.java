package dev.quantize.quantizer.artifact;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import dev.quantize.core.graph.Model;
import dev.quantize.core.onnx.OnnxReader;
import dev.quantize.quantizer.plan.QuantPlan;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.zip.CRC32C;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Every damaged artifact is refused with an ArtifactException that says what is wrong; nothing else escapes. */
class ArtifactCorruptionTest {
    @TempDir
    Path tmp;
    private byte[] good;
    private List<TensorEntry> tensors;
    private long dataOffset;

    @BeforeEach
    void writeArtifact() throws IOException {
        Path dir = ArtifactRoundTripTest.shared().resolve("models/mlp_tabular");
        byte[] bytes = Files.readAllBytes(dir.resolve("model.onnx"));
        Model model = OnnxReader.read(bytes, "model.onnx", dir);
        Path out = tmp.resolve("good.qz");
        ArtifactWriter.write(out, model, bytes, "model.onnx", QuantPlan.uniform(model, "mxfp4_e2m1", "mxfp8_e4m3", Map.of()),
                "{\"calibration\":true}", "{\"report\":true}", "test");
        good = Files.readAllBytes(out);
        try (Artifact a = Artifact.open(out)) {
            tensors = a.tensors();
        }
        dataOffset = ByteBuffer.wrap(good).order(ByteOrder.LITTLE_ENDIAN).getLong(32);
    }

    private ArtifactException refused(byte[] damaged, String what) throws IOException {
        Path p = tmp.resolve("model.qz");
        Files.write(p, damaged);
        try (Artifact a = Artifact.open(p)) {
            fail(what + ": accepted");
            return null;
        } catch (ArtifactException e) {
            assertTrue(e.getMessage().startsWith("model.qz: "), e.getMessage());
            assertTrue(!e.getMessage().contains("\n"), "one line: " + e.getMessage());
            return e;
        } catch (Throwable t) {
            throw new AssertionError(what + ": refused with " + t + " instead of an ArtifactException", t);
        }
    }

    @Test
    void seededTruncationsAreAllRefused() throws IOException {
        SplittableRandom rnd = new SplittableRandom(20240607);
        int tensorNamed = 0;
        for (int i = 0; i < 300; i++) {
            // Half anywhere, half near the end (where a partial copy usually stops).
            int len = i % 2 == 0 ? rnd.nextInt(good.length) : good.length - 1 - rnd.nextInt(Math.min(good.length, 4096));
            ArtifactException e = refused(java.util.Arrays.copyOf(good, len), "truncated to " + len);
            assertTrue(e.getMessage().contains("truncated") || e.getMessage().contains("bad magic") && len == 0, e.getMessage());
            tensorNamed += e.getMessage().contains("truncated: tensor '") ? 1 : 0;
        }
        assertTrue(tensorNamed > 100, "most cuts land in a tensor and name it: " + tensorNamed);
        TensorEntry last = tensors.get(tensors.size() - 1);
        long end = dataOffset + last.offset() + last.length();
        ArtifactException e = refused(java.util.Arrays.copyOf(good, good.length - 10), "last 10 bytes cut");
        assertEquals(String.format("model.qz: truncated: tensor '%s' ends at byte %,d but the file has %,d", last.name(), end, end - 10),
                e.getMessage());
    }

    @Test
    void seededByteFlipsAreAllRefused() throws IOException {
        SplittableRandom rnd = new SplittableRandom(99);
        List<Integer> positions = new ArrayList<>();
        for (int i = 0; i < ArtifactHeader.SIZE; i++) {
            positions.add(i); // every header byte
        }
        int manifestEnd = 64 + (int) ByteBuffer.wrap(good).order(ByteOrder.LITTLE_ENDIAN).getLong(16);
        for (int i = manifestEnd; i < dataOffset; i += 7) {
            positions.add(i); // padding after the manifest
        }
        for (int i = 0; i + 1 < tensors.size(); i++) {
            long gapStart = dataOffset + tensors.get(i).offset() + tensors.get(i).length();
            long gapEnd = dataOffset + tensors.get(i + 1).offset();
            if (gapEnd > gapStart) {
                positions.add((int) (gapStart + rnd.nextLong(gapEnd - gapStart))); // padding between tensors
            }
        }
        for (int i = 0; i < 400; i++) {
            positions.add(rnd.nextInt(good.length));
        }
        int checksum = 0;
        for (int pos : positions) {
            byte[] bad = good.clone();
            bad[pos] ^= (byte) (1 + rnd.nextInt(255));
            ArtifactException e = refused(bad, "byte " + pos + " flipped");
            checksum += e.getMessage().contains("checksum mismatch") ? 1 : 0;
        }
        assertTrue(positions.size() > 400, "positions: " + positions.size());
        assertTrue(checksum > 300, "most flips are caught by a checksum: " + checksum);
    }

    @Test
    void messagesSayWhatIsWrong() throws IOException {
        TensorEntry t = tensors.get(tensors.size() / 2);
        byte[] bad = good.clone();
        int pos = (int) (dataOffset + t.offset() + t.length() / 2);
        bad[pos] ^= 0x10;
        CRC32C c = new CRC32C();
        c.update(bad, (int) (dataOffset + t.offset()), (int) t.length());
        assertEquals(String.format("model.qz: tensor '%s' checksum mismatch (stored %08x, computed %08x): the file is corrupted",
                t.name(), t.crc32c(), (int) c.getValue()), refused(bad, "flip").getMessage());

        Path onnx = ArtifactRoundTripTest.shared().resolve("models/mlp_tabular/model.onnx");
        assertEquals("model.qz: not a quantize artifact (bad magic)", refused(Files.readAllBytes(onnx), "an ONNX file").getMessage());
        assertTrue(!Artifact.isArtifact(onnx));

        byte[] newer = good.clone();
        ByteBuffer.wrap(newer).order(ByteOrder.LITTLE_ENDIAN).putInt(8, 9);
        assertEquals("model.qz: artifact format version 9 is newer than this tool supports (1)", refused(newer, "v9").getMessage());

        assertEquals("model.qz: truncated: the header needs 64 bytes but the file has 20",
                refused(java.util.Arrays.copyOf(good, 20), "short").getMessage());

        byte[] longer = java.util.Arrays.copyOf(good, good.length + 3);
        assertEquals(String.format("model.qz: the header says the file has %,d bytes, the last tensor ends at byte %,d and the file has %,d",
                good.length, good.length, good.length + 3), refused(longer, "appended").getMessage());
    }

    @Test
    void missingFileIsAnIoErrorNotACorruption() {
        assertThrows(java.nio.file.NoSuchFileException.class, () -> Artifact.open(tmp.resolve("absent.qz")));
    }
}
