package dev.quantize.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import dev.quantize.core.data.Batch;
import dev.quantize.core.data.BatchReader;
import dev.quantize.core.data.Dataset;
import dev.quantize.core.data.Datasets;
import dev.quantize.core.graph.Model;
import dev.quantize.core.graph.ModelSummary;
import dev.quantize.core.onnx.OnnxReader;
import dev.quantize.quantizer.artifact.ArtifactWriter;
import dev.quantize.quantizer.plan.ActivationRange;
import dev.quantize.quantizer.plan.QuantPlan;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** predict and eval on artifacts: packed execution by default, --emulate the fake-quantized path; both agree. */
class PackedServingTest {
    @TempDir
    Path tmp;

    static Path sample(String name) {
        Path p = Path.of("..", "samples", "data", name).toAbsolutePath().normalize();
        Assumptions.assumeTrue(Files.isDirectory(p), "embedded samples not found at " + p);
        return p;
    }

    private float[] predict(Path art, Path data, String output, String... extra) throws IOException {
        Path out = tmp.resolve("pred-" + extra.length + "-" + Math.abs(art.hashCode()) + ".arrow");
        List<String> args = new java.util.ArrayList<>(List.of("predict", art.toString(), "--data", data.toString(), "-o",
                out.toString(), "--batch", "333", "--threads", "2"));
        args.addAll(List.of(extra));
        CliRun r = CliRun.of(args.toArray(String[]::new));
        assertEquals(0, r.exitCode(), r.err());
        try (Dataset ds = Datasets.open(out); BatchReader b = ds.batches(1 << 20)) {
            Batch batch = b.next();
            return batch.column(output).floats();
        }
    }

    private Path artifact(Path dir, String name, QuantPlan plan) throws IOException {
        Path out = tmp.resolve(name + ".qz");
        ArtifactWriter.write(out, dir.resolve("model.onnx"), plan, null, null, "test");
        return out;
    }

    /** Row-wise tables and weight-only layers: packed and emulated predictions are the same bits. */
    @Test
    void packedAndEmulatedPredictionsAreBitIdenticalForRowwiseAndWeightOnly() throws IOException {
        for (String name : List.of("dlrm", "mlp")) {
            Path dir = sample(name);
            Model model = OnnxReader.read(dir.resolve("model.onnx"));
            QuantPlan plan = QuantPlan.uniform(model, "mxfp6_e2m3", "mxfp8_e4m3", Map.of())
                    .map(l -> l.role() == ModelSummary.Role.EMBEDDING ? l.withWeightFormat("rowwise_4bit") : l);
            Path art = artifact(dir, name, plan);
            String output = model.graph().outputs().get(0).name();
            float[] packed = predict(art, dir.resolve("eval.arrow"), output);
            float[] emulated = predict(art, dir.resolve("eval.arrow"), output, "--emulate");
            assertEquals(emulated.length, packed.length);
            for (int i = 0; i < packed.length; i++) {
                assertEquals(Float.floatToIntBits(emulated[i]), Float.floatToIntBits(packed[i]), name + " output " + i);
            }
        }
    }

    /**
     * INT8 layers: the integer GEMM rounds once where the emulation rounds every product, so outputs
     * differ slightly, and a difference can change a later layer's activation code. On the DLRM sample
     * the probabilities stay within 1e-3 of the emulation and the AUC within 1e-4.
     */
    @Test
    void int8PredictionsStayCloseToEmulation() throws IOException {
        Path dir = sample("dlrm");
        Model model = OnnxReader.read(dir.resolve("model.onnx"));
        QuantPlan plan = QuantPlan.uniform(model, "rowwise_8bit", "fp32", Map.of()).map(l ->
                l.role() == ModelSummary.Role.WEIGHTS_AND_ACTIVATIONS
                        ? l.withWeightFormat("int8_per_channel").withActivationFormat("int8_per_tensor")
                        .withActivationRange(new ActivationRange(-6f, 6f)) : l);
        Path art = artifact(dir, "int8", plan);
        String output = model.graph().outputs().get(0).name();
        float[] packed = predict(art, dir.resolve("eval.arrow"), output);
        float[] emulated = predict(art, dir.resolve("eval.arrow"), output, "--emulate");
        double max = 0;
        for (int i = 0; i < packed.length; i++) {
            max = Math.max(max, Math.abs(packed[i] - emulated[i]));
        }
        assertTrue(max <= 1e-3, "max |packed - emulated| = " + max);
        JsonNode p = Json.MAPPER.readTree(CliRun.of("eval", art.toString(), "--data", dir.resolve("eval.arrow").toString(), "--json").out());
        JsonNode e = Json.MAPPER.readTree(CliRun.of("eval", art.toString(), "--data", dir.resolve("eval.arrow").toString(), "--json",
                "--emulate").out());
        double auc = p.get("metrics").get("auc").asDouble();
        assertTrue(auc > 0.6, "a real AUC: " + auc);
        assertEquals(e.get("metrics").get("auc").asDouble(), auc, 1e-4);
    }

    @Test
    void benchServeReportsRatesAndMemoryAndChecksTheModel() throws IOException {
        Path dir = sample("mlp");
        Model model = OnnxReader.read(dir.resolve("model.onnx"));
        Path art = artifact(dir, "mlp-int8", QuantPlan.uniform(model, "int8_per_channel", "int8_per_tensor", Map.of()));
        CliRun r = CliRun.of("bench", "serve", art.toString(), "--fp32", dir.resolve("model.onnx").toString(), "--batch", "1,7",
                "--runs", "1", "--json");
        assertEquals(0, r.exitCode(), r.err());
        JsonNode j = Json.MAPPER.readTree(r.out());
        assertEquals(2, j.get("timings").size());
        assertEquals(7, j.get("timings").get(1).get("batch").asInt());
        assertTrue(j.get("timings").get(1).get("packed_rows_per_second").asDouble() > 0);
        assertTrue(j.get("weight_memory").get("fp32_heap").asLong() > 0);
        Path other = sample("dlrm").resolve("model.onnx");
        CliRun bad = CliRun.of("bench", "serve", art.toString(), "--fp32", other.toString());
        assertEquals(2, bad.exitCode());
        assertTrue(bad.err().contains("is not the model mlp-int8.qz was made from"), bad.err());
    }
}
