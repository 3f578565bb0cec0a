package dev.quantize.quantizer.artifact;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.quantize.core.graph.Model;
import dev.quantize.core.onnx.OnnxReader;
import dev.quantize.quantizer.plan.QuantPlan;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The optional {@code extras} section: named JSON documents kept with the model; artifacts without it unchanged. */
class ArtifactExtrasTest {
    @TempDir
    Path tmp;

    @Test
    void extrasRoundTripAndTheirAbsenceLeavesTheBytesAlone() throws Exception {
        Path dir = ArtifactRoundTripTest.shared().resolve("models/dlrm_small");
        byte[] bytes = Files.readAllBytes(dir.resolve("model.onnx"));
        Model model = OnnxReader.read(bytes, "model.onnx", dir);
        QuantPlan plan = ArtifactRoundTripTest.rowwise4Int8(model);
        Path plain = tmp.resolve("plain.qz");
        Path none = tmp.resolve("none.qz");
        Path with = tmp.resolve("with.qz");
        ArtifactWriter.write(plain, model, bytes, "model.onnx", plan, null, null, "t");
        ArtifactWriter.write(none, model, bytes, "model.onnx", plan, null, null, "t", Map.of());
        String doc = "{\"format\":\"x\",\"values\":[1,2,3],\"text\":\"\\\"quoted\\\" é\"}";
        ArtifactWriter.write(with, model, bytes, "model.onnx", plan, null, null, "t", Map.of("zeta", "{}", "monitor_baseline", doc));
        assertArrayEquals(Files.readAllBytes(plain), Files.readAllBytes(none), "no extras: the same bytes as before extras existed");
        assertFalse(new String(Files.readAllBytes(plain), StandardCharsets.UTF_8).contains("\"extras\""));
        try (Artifact a = Artifact.open(plain)) {
            assertTrue(a.extras().isEmpty());
            assertTrue(a.extra("monitor_baseline").isEmpty());
        }
        try (Artifact a = Artifact.open(with)) {
            assertEquals(doc, a.extra("monitor_baseline").orElseThrow());
            assertEquals(java.util.List.of("monitor_baseline", "zeta"), java.util.List.copyOf(a.extras().keySet()));
            assertEquals(plan, a.plan());
        }
    }
}
