package dev.quantize.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.quantize.core.graph.Model;
import dev.quantize.core.onnx.OnnxReader;
import dev.quantize.quantizer.artifact.ArtifactWriter;
import dev.quantize.quantizer.export.ExportResult;
import dev.quantize.quantizer.plan.QuantPlan;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ExportCommandTest {
    @TempDir
    Path tmp;

    private Path artifact(String weights, String activations) throws IOException {
        Path dir = CliRun.shared().resolve("models/mlp_tabular");
        Model model = OnnxReader.read(dir.resolve("model.onnx"));
        Path out = tmp.resolve(weights + ".qart");
        ArtifactWriter.write(out, dir.resolve("model.onnx"), QuantPlan.uniform(model, weights, activations, Map.of()), null, null, "test");
        return out;
    }

    @Test
    void exportsAnMxArtifactAndChecksItInOnnxRuntime() throws IOException {
        Path art = artifact("mxfp4_e2m1", "fp32");
        Path onnx = tmp.resolve("model.qdq.onnx");
        CliRun r = CliRun.of("export", art.toString(), "-o", onnx.toString(), "--check",
                "--data", CliRun.shared().resolve("models/mlp_tabular/eval").toString(), "--rows", "512");
        assertEquals(0, r.exitCode(), r.err() + r.out());
        assertTrue(r.out().contains("DequantizeLinear(float8e4m3fn, blocked)"), r.out());
        assertTrue(r.out().contains("check passed"), r.out());
        Model m = OnnxReader.read(onnx);
        assertEquals(21L, m.opset());
        assertEquals(3L, m.graph().nodes().stream().filter(n -> n.opType().equals("DequantizeLinear")).count());
        assertEquals("", m.metadata().get(ExportResult.FP32_KEY));
    }

    @Test
    void formatsWithoutAnOnnxFormAreListedAsFp32() throws IOException {
        Path art = artifact("mx6", "fp32"); // BDR: shared microexponents have no ONNX operator
        Path onnx = tmp.resolve("bdr.onnx");
        CliRun r = CliRun.of("export", art.toString(), "-o", onnx.toString());
        assertEquals(0, r.exitCode(), r.err());
        String listed = OnnxReader.read(onnx).metadata().get(ExportResult.FP32_KEY);
        assertEquals(3, listed.lines().count(), listed);
        assertTrue(listed.lines().allMatch(l -> l.contains("(mx6): stored as its dequantized FP32 values")), listed);
        assertTrue(r.out().contains("3 planned tensors without their format"), r.out());
    }

    @Test
    void badInputIsOneLineAndExitTwo() throws IOException {
        Path out = tmp.resolve("x.onnx");
        CliRun missing = CliRun.of("export", tmp.resolve("nope.qart").toString(), "-o", out.toString());
        assertEquals(2, missing.exitCode());
        assertEquals(1, missing.err().lines().count(), missing.err());
        assertTrue(missing.err().contains("no such file"), missing.err());

        Path notArtifact = tmp.resolve("random.bin");
        byte[] junk = new byte[4096];
        new Random(7).nextBytes(junk);
        Files.write(notArtifact, junk);
        CliRun bad = CliRun.of("export", notArtifact.toString(), "-o", out.toString());
        assertEquals(2, bad.exitCode());
        assertEquals(1, bad.err().lines().count(), bad.err());
        assertTrue(bad.err().contains("not a quantize artifact"), bad.err());

        CliRun noData = CliRun.of("export", artifact("int8_per_channel", "fp32").toString(), "-o", out.toString(), "--check");
        assertEquals(2, noData.exitCode());
        assertTrue(noData.err().contains("--check needs --data"), noData.err());
        CliRun lowOpset = CliRun.of("export", artifact("mxfp8_e4m3", "fp32").toString(), "-o", out.toString(), "--opset", "13");
        assertEquals(2, lowOpset.exitCode());
        assertTrue(lowOpset.err().contains("need opset 21"), lowOpset.err());
        assertFalse(Files.exists(out), "nothing written on error");
    }

    /** Seeded corruption and truncation of an artifact: always one line on stderr, exit 2, no output file. */
    @Test
    void corruptedArtifactsFailCleanly() throws IOException {
        byte[] good = Files.readAllBytes(artifact("int8_per_channel", "fp32"));
        Random rnd = new Random(2026);
        Path out = tmp.resolve("fuzz.onnx");
        for (int trial = 0; trial < 12; trial++) {
            byte[] bad = trial % 2 == 0 ? java.util.Arrays.copyOf(good, rnd.nextInt(good.length)) : good.clone();
            if (trial % 2 == 1) {
                for (int k = 0; k < 4; k++) {
                    bad[rnd.nextInt(bad.length)] ^= (byte) (1 + rnd.nextInt(255));
                }
            }
            Path f = tmp.resolve("fuzz" + trial + ".qart");
            Files.write(f, bad);
            CliRun r = CliRun.of("export", f.toString(), "-o", out.toString());
            assertEquals(2, r.exitCode(), "trial " + trial + ": " + r.out() + r.err());
            assertEquals(1, r.err().lines().count(), r.err());
            assertFalse(Files.exists(out));
        }
    }
}
