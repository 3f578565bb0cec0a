package dev.quantize.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import dev.quantize.core.data.Batch;
import dev.quantize.core.data.BatchReader;
import dev.quantize.core.data.Dataset;
import dev.quantize.core.data.Datasets;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ModelCommandsTest {
    @TempDir
    Path tmp;

    @Test
    void inspectGivesTheCensusAndQuantizableNodes() throws IOException {
        Path model = CliRun.shared().resolve("models/dlrm_small/model.onnx");
        CliRun r = CliRun.of("inspect", "--json", model.toString());
        assertEquals(0, r.exitCode(), r.err());
        JsonNode root = Json.MAPPER.readTree(r.out());
        assertEquals(6, root.get("op_census").get("Gemm").asInt());
        assertEquals(9, root.get("op_census").get("Gather").asInt());
        assertEquals(9, root.get("inputs").size());
        assertEquals(1_333_845, root.get("parameters").asLong());
        long embeddings = 0;
        for (JsonNode q : root.get("quantizable")) {
            if (q.get("role").asText().equals("embedding")) {
                embeddings++;
            }
        }
        assertEquals(8, embeddings);
        CliRun text = CliRun.of("inspect", model.toString());
        assertTrue(text.out().contains("parameters: 1,333,845"), text.out());
    }

    /** predict writes exactly the outputs the training framework recorded (within float tolerance), in row order. */
    @Test
    void predictWritesTheModelOutputs() throws IOException {
        Path dir = CliRun.shared().resolve("models/mlp_tabular");
        Path out = tmp.resolve("pred.arrow");
        CliRun r = CliRun.of("predict", dir.resolve("model.onnx").toString(), "--data", dir.resolve("eval").toString(),
                "-o", out.toString(), "--batch", "1000", "--json");
        assertEquals(0, r.exitCode(), r.err());
        assertEquals(4096, Json.MAPPER.readTree(r.out()).get("rows").asInt());
        float[] expected = readAll(Datasets.open(dir.resolve("reference_outputs/eval")), "logits");
        float[] got = readAll(Datasets.open(out), "logits");
        assertEquals(expected.length, got.length);
        for (int i = 0; i < got.length; i++) {
            assertEquals(expected[i], got[i], 1e-4 * Math.max(1, Math.abs(expected[i])), "element " + i);
        }
        Path npy = tmp.resolve("npy-out");
        assertEquals(0, CliRun.of("predict", dir.resolve("model.onnx").toString(), "--data", dir.resolve("eval").toString(),
                "-o", npy.toString()).exitCode());
        assertTrue(Files.isRegularFile(npy.resolve("logits.npy")));
        assertEquals(got.length, readAll(Datasets.open(npy), "logits").length);
    }

    private static float[] readAll(Dataset ds, String column) {
        try (ds; BatchReader r = ds.batches(1 << 20)) {
            Batch b = r.next();
            assertFalse(r.hasNext());
            return b.column(column).floats();
        }
    }

    @Test
    void predictWithMismatchedDataNamesBothSides() {
        Path dlrm = CliRun.shared().resolve("models/dlrm_small/model.onnx");
        Path mlpData = CliRun.shared().resolve("models/mlp_tabular/eval");
        CliRun r = CliRun.of("predict", dlrm.toString(), "--data", mlpData.toString(), "-o", tmp.resolve("x.arrow").toString());
        assertEquals(2, r.exitCode());
        assertTrue(r.err().contains("model input 'dense' has no column in eval"), r.err());
        assertFalse(Files.exists(tmp.resolve("x.arrow")), "nothing half-written");
    }

    @Test
    void missingOrMalformedModelIsOneLine() throws IOException {
        CliRun missing = CliRun.of("inspect", tmp.resolve("nope.onnx").toString());
        assertEquals(2, missing.exitCode());
        assertEquals("quantize inspect: error: no such file: " + tmp.resolve("nope.onnx"), missing.err().strip());
        Path junk = tmp.resolve("junk.onnx");
        Files.write(junk, new byte[] {0x0a, (byte) 0xff, 0x01, 0x02});
        CliRun bad = CliRun.of("inspect", junk.toString());
        assertEquals(2, bad.exitCode());
        assertTrue(bad.err().startsWith("quantize inspect: error: junk.onnx"), bad.err());
        assertEquals(1, bad.err().strip().lines().count());
    }

    @Test
    void conformanceOnASubsetCountsPassesAndSkips() throws IOException {
        Path node = Path.of("/usr/share/libonnx-testdata/data/node");
        org.junit.jupiter.api.Assumptions.assumeTrue(Files.isDirectory(node), "ONNX node tests not installed; skipping");
        Path sub = tmp.resolve("node");
        for (String t : new String[] {"test_relu", "test_gemm_default_no_bias", "test_tril"}) {
            copyTree(node.resolve(t), sub.resolve(t));
        }
        CliRun r = CliRun.of("conformance", sub.toString());
        assertEquals(0, r.exitCode(), r.out() + r.err());
        assertTrue(r.out().strip().endsWith("2 passed, 0 failed, 1 skipped"), r.out());
        assertTrue(r.out().contains("unsupported ops: Trilu"), r.out());
    }

    private static void copyTree(Path src, Path dst) throws IOException {
        try (var files = Files.walk(src)) {
            for (Path p : (Iterable<Path>) files::iterator) {
                Path q = dst.resolve(src.relativize(p).toString());
                if (Files.isDirectory(p)) {
                    Files.createDirectories(q);
                } else {
                    Files.copy(p, q);
                }
            }
        }
    }
}
