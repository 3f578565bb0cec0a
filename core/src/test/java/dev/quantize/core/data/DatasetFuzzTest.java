package dev.quantize.core.data;

import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import dev.quantize.core.tensor.DataType;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.nio.channels.FileChannel;
import java.nio.file.StandardOpenOption;
import java.util.Random;
import org.apache.arrow.memory.BufferAllocator;
import org.apache.arrow.memory.RootAllocator;
import org.apache.arrow.vector.VectorLoader;
import org.apache.arrow.vector.VectorSchemaRoot;
import org.apache.arrow.vector.VectorUnloader;
import org.apache.arrow.vector.ipc.ArrowFileReader;
import org.apache.arrow.vector.ipc.ArrowStreamWriter;
import org.apache.arrow.vector.ipc.message.ArrowRecordBatch;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Seeded corruption and truncation of .npy and Arrow IPC files: every case must either read (a
 * mutation in the data region only changes values) or fail with a DatasetException whose message
 * starts with the file name; any other exception type, or a hang, fails the test.
 */
class DatasetFuzzTest {
    private static final byte[] HEADER_CHARS = "{}()[],:' 0123456789TrueFalse<>|fiub\n\u0000\u00ff".getBytes(
            java.nio.charset.StandardCharsets.ISO_8859_1);

    @TempDir
    Path tmp;

    /** Opens and reads every batch; returns "ok" or the DatasetException message. */
    private static String readAll(Path dataset, String fileName) {
        try (Dataset ds = Datasets.open(dataset); BatchReader r = ds.batches(3)) {
            while (r.hasNext()) {
                r.next();
            }
            return "ok";
        } catch (DatasetException e) {
            assertTrue(e.getMessage().startsWith(fileName + ": ") || e.getMessage().startsWith(dataset.getFileName() + ": "),
                    "message must name the file: " + e.getMessage());
            return e.getMessage();
        } catch (RuntimeException | Error e) {
            fail("unexpected " + e.getClass().getName() + " for " + fileName, e);
            return null;
        }
    }

    private static byte[] mutate(byte[] original, Random rnd, int headerBytes) {
        byte[] b = original.clone();
        switch (rnd.nextInt(4)) {
            case 0 -> {
                return java.util.Arrays.copyOf(b, rnd.nextInt(b.length)); // truncation
            }
            case 1 -> { // flip bits in the header region
                for (int k = 1 + rnd.nextInt(4); k > 0; k--) {
                    b[rnd.nextInt(Math.min(headerBytes, b.length))] ^= (byte) (1 << rnd.nextInt(8));
                }
            }
            case 2 -> { // plausible-looking characters in the header region
                for (int k = 1 + rnd.nextInt(4); k > 0; k--) {
                    b[rnd.nextInt(Math.min(headerBytes, b.length))] = HEADER_CHARS[rnd.nextInt(HEADER_CHARS.length)];
                }
            }
            default -> { // random bytes anywhere
                for (int k = 1 + rnd.nextInt(8); k > 0; k--) {
                    b[rnd.nextInt(b.length)] = (byte) rnd.nextInt(256);
                }
            }
        }
        return b;
    }

    @Test
    void corruptNpyFilesFailClearly() throws IOException {
        Path src = Files.createDirectories(tmp.resolve("src"));
        NpyWriter.write(src.resolve("x.npy"), RandomTensors.of(DataType.FLOAT32, new int[] {10, 3}, new Random(1)));
        byte[] good = Files.readAllBytes(src.resolve("x.npy"));
        Path dir = Files.createDirectories(tmp.resolve("fuzz"));
        Path file = dir.resolve("x.npy");
        Random rnd = new Random(20240611);
        int[] outcomes = new int[2];
        assertTimeoutPreemptively(Duration.ofSeconds(60), () -> {
            for (int i = 0; i < 1000; i++) {
                Files.write(file, mutate(good, rnd, 128));
                outcomes["ok".equals(readAll(dir, "x.npy")) ? 0 : 1]++;
            }
        });
        assertTrue(outcomes[1] > 500, "most header corruptions must be detected: " + outcomes[1] + " of 1000");
    }

    @Test
    void corruptArrowFilesAndStreamsFailClearly() throws IOException {
        Path good = tmp.resolve("good.arrow");
        ArrowDatasetTest.writeSample(good, 5);
        byte[] fileBytes = Files.readAllBytes(good);
        Path streamGood = tmp.resolve("good.arrows");
        fileToStream(good, streamGood);
        byte[] streamBytes = Files.readAllBytes(streamGood);
        Random rnd = new Random(77);
        int[] detected = new int[1];
        assertTimeoutPreemptively(Duration.ofSeconds(120), () -> {
            for (int i = 0; i < 400; i++) {
                boolean stream = i % 2 == 1;
                Path file = tmp.resolve(stream ? "bad.arrows" : "bad.arrow");
                byte[] original = stream ? streamBytes : fileBytes;
                Files.write(file, mutate(original, rnd, original.length));
                if (!"ok".equals(readAll(file, file.getFileName().toString()))) {
                    detected[0]++;
                }
            }
        });
        assertTrue(detected[0] > 100, "corruptions detected: " + detected[0] + " of 400");
    }

    /** Re-encodes an IPC file as an IPC stream with Arrow's own reader and writer. */
    private static void fileToStream(Path file, Path stream) throws IOException {
        try (BufferAllocator a = new RootAllocator();
             FileChannel in = FileChannel.open(file, StandardOpenOption.READ);
             ArrowFileReader r = new ArrowFileReader(in, a);
             FileChannel out = FileChannel.open(stream, StandardOpenOption.CREATE, StandardOpenOption.WRITE);
             VectorSchemaRoot target = VectorSchemaRoot.create(r.getVectorSchemaRoot().getSchema(), a);
             ArrowStreamWriter w = new ArrowStreamWriter(target, null, out)) {
            w.start();
            VectorLoader loader = new VectorLoader(target);
            while (r.loadNextBatch()) {
                try (ArrowRecordBatch batch = new VectorUnloader(r.getVectorSchemaRoot()).getRecordBatch()) {
                    loader.load(batch);
                }
                w.writeBatch();
            }
            w.end();
        }
    }
}
