package dev.quantize.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import dev.quantize.core.data.Batch;
import dev.quantize.core.data.BatchReader;
import dev.quantize.core.data.Dataset;
import dev.quantize.core.data.DatasetBinding;
import dev.quantize.core.data.Datasets;
import dev.quantize.core.exec.Executor;
import dev.quantize.core.graph.Model;
import dev.quantize.core.onnx.OnnxReader;
import dev.quantize.quantizer.artifact.Artifact;
import dev.quantize.quantizer.artifact.ArtifactWriter;
import dev.quantize.quantizer.artifact.TensorEntry;
import dev.quantize.quantizer.emulate.PlanInterceptor;
import dev.quantize.quantizer.plan.QuantPlan;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ArtifactCommandsTest {
    @TempDir
    Path tmp;

    /** An MXFP8 artifact of mlp_tabular, under a name that does not say what it is. */
    private Path artifact(Model model, Path dir, QuantPlan plan) throws IOException {
        Path out = tmp.resolve("quantized.bin");
        ArtifactWriter.write(out, dir.resolve("model.onnx"), plan, null, "{\"searched\":false}", "test-version");
        return out;
    }

    /** predict on an artifact gives exactly the emulated quantized model's outputs, row by row. */
    @Test
    void predictRunsTheQuantizedModelOfAnArtifact() throws IOException {
        Path dir = CliRun.shared().resolve("models/mlp_tabular");
        Model model = OnnxReader.read(dir.resolve("model.onnx"));
        QuantPlan plan = QuantPlan.uniform(model, "mxfp8_e4m3", "mxfp8_e4m3", Map.of());
        Path art = artifact(model, dir, plan);
        Path out = tmp.resolve("pred.arrow");
        CliRun r = CliRun.of("predict", art.toString(), "--data", dir.resolve("eval").toString(), "-o", out.toString(),
                "--batch", "1024", "--threads", "2");
        assertEquals(0, r.exitCode(), r.err());
        Executor emulated = Executor.builder(model).threads(2).build();
        emulated.addInterceptor(new PlanInterceptor(model, plan, emulated.parallelism()));
        Executor fp32 = Executor.builder(model).threads(2).build();
        int differs = 0;
        try (Dataset eval = Datasets.open(dir.resolve("eval")); BatchReader in = eval.batches(1024);
             Dataset pred = Datasets.open(out); BatchReader got = pred.batches(1024)) {
            DatasetBinding binding = DatasetBinding.bind(eval, model.graph().runtimeInputs());
            while (in.hasNext()) {
                Map<String, dev.quantize.core.tensor.Tensor> feed = binding.feed(in.next());
                float[] want = emulated.run(feed).get("logits").floats();
                float[] ref = fp32.run(feed).get("logits").floats();
                Batch b = got.next();
                float[] g = b.column("logits").floats();
                assertEquals(want.length, g.length);
                for (int i = 0; i < want.length; i++) {
                    assertEquals(Float.floatToIntBits(want[i]), Float.floatToIntBits(g[i]), "element " + i);
                    differs += want[i] != ref[i] ? 1 : 0;
                }
            }
            assertFalse(got.hasNext());
        }
        assertTrue(differs > 1000, "the artifact runs quantized, not FP32: " + differs + " outputs differ");
    }

    @Test
    void inspectShowsProvenanceAndThePlanWithPackedSizes() throws IOException {
        Path dir = CliRun.shared().resolve("models/dlrm_small");
        Model model = OnnxReader.read(dir.resolve("model.onnx"));
        QuantPlan plan = QuantPlan.uniform(model, "rowwise_4bit", "fp32", Map.of());
        Path art = artifact(model, dir, plan);
        CliRun text = CliRun.of("inspect", art.toString());
        assertEquals(0, text.exitCode(), text.err());
        assertTrue(text.out().contains("quantize artifact, format version 1"), text.out());
        assertTrue(text.out().contains("written by test-version from model.onnx (sha256 "), text.out());
        assertTrue(text.out().contains("calibration statistics: no, search report: yes"), text.out());
        // emb_bags.1 is 50000 x 16: rows of 8 bytes of 4-bit codes plus an fp16 scale and bias.
        assertTrue(text.out().matches("(?s).*/emb_bags\\.1/emb/Gather +Gather +rowwise_4bit +fp32 +600,000 +3,200,000\n.*"), text.out());

        CliRun json = CliRun.of("inspect", "--json", art.toString());
        assertEquals(0, json.exitCode(), json.err());
        JsonNode root = Json.MAPPER.readTree(json.out());
        assertEquals(Files.size(art), root.get("file_bytes").asLong());
        try (Artifact a = Artifact.open(art)) {
            long packed = 0;
            for (JsonNode l : root.get("layers")) {
                if (l.get("weight_format").asText().equals("rowwise_4bit")) {
                    TensorEntry t = a.tensor(l.get("weight").asText());
                    assertEquals(t.length(), l.get("packed_bytes").asLong());
                    assertEquals(t.elements() * 4, l.get("fp32_bytes").asLong());
                    packed += t.length();
                }
            }
            assertEquals(8, root.get("layers").findValuesAsText("weight_format").stream().filter("rowwise_4bit"::equals).count());
            assertTrue(packed > 0 && root.get("fp32_bytes").asLong() > 5_000_000, root.toString());
        }
    }

    @Test
    void aCorruptedArtifactIsOneLineAndExitTwo() throws IOException {
        Path dir = CliRun.shared().resolve("models/mlp_tabular");
        Model model = OnnxReader.read(dir.resolve("model.onnx"));
        Path art = artifact(model, dir, QuantPlan.uniform(model, "mxfp4_e2m1", "fp32", Map.of()));
        byte[] b = Files.readAllBytes(art);
        b[b.length - 100] ^= 0x40;
        Files.write(art, b);
        CliRun r = CliRun.of("predict", art.toString(), "--data", dir.resolve("eval").toString(), "-o", tmp.resolve("x.arrow").toString());
        assertEquals(2, r.exitCode());
        assertEquals(1, r.err().strip().lines().count(), r.err());
        assertTrue(r.err().startsWith("quantize predict: error: quantized.bin: tensor '"), r.err());
        assertTrue(r.err().contains("checksum mismatch"), r.err());
        assertFalse(Files.exists(tmp.resolve("x.arrow")));
        CliRun i = CliRun.of("inspect", art.toString());
        assertEquals(2, i.exitCode());
    }
}
