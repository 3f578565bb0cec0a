package dev.quantize.quantizer.job;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.quantize.calibration.Method;
import dev.quantize.core.graph.Node;
import dev.quantize.quantizer.SharedData;
import dev.quantize.quantizer.artifact.ArtifactWriter;
import dev.quantize.quantizer.plan.LayerPlan;
import dev.quantize.quantizer.search.FormatSearch;
import dev.quantize.quantizer.search.SearchResult;
import dev.quantize.quantizer.serve.PackedModel;
import java.io.IOException;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The main job with {@code --cost serve-time} on dlrm_small: a plan that serves on the fast packed kernels only. */
class ServeTimeJobTest {
    @TempDir
    Path tmp;

    static QuantizeJob.Options options(Path dir, String cost) {
        return new QuantizeJob.Options(dir.resolve("model.onnx"), dir.resolve("calib"), dir.resolve("eval"), null,
                FormatSearch.DEFAULT_FORMATS, Method.PERCENTILE, Long.MAX_VALUE, 4096, 512, 2, false, cost);
    }

    @Test
    void serveTimePlanRunsAsInt8GemmsAndRowwiseBags() throws IOException {
        Path dir = SharedData.root().resolve("models/dlrm_small");
        QuantizeJob.Result r = QuantizeJob.run(options(dir, "serve-time"), QuantizeJob.Listener.NONE);
        SearchResult s = r.search();
        assertTrue(s.budgetMet(), "budget met: " + s.metrics() + " vs " + s.fp32Metrics());
        assertEquals("serve-time", s.costModel());
        assertTrue(s.cost() < s.fp32Cost(), "estimated faster than FP32: " + s.cost() + " vs " + s.fp32Cost());
        assertTrue(s.bytes() < s.fp32Bytes(), "and smaller: " + s.bytes() + " vs " + s.fp32Bytes());

        Path file = tmp.resolve("dlrm_serve.qz");
        ArtifactWriter.write(file, r.model(), r.modelBytes(), "model.onnx", s.plan(), r.calibration().toJson(), null, "test");
        try (PackedModel pm = PackedModel.open(file, true)) {
            Map<String, String> kernels = new TreeMap<>(pm.kernels());
            for (LayerPlan l : s.plan().layers()) {
                if (!l.isFp32()) {
                    String k = kernels.get(l.node());
                    assertTrue(k.startsWith("int8 GEMM") || k.startsWith("row-wise embedding bag"), l.node() + " " + l.weightFormat()
                            + "/" + l.activationFormat() + " runs as " + k);
                }
            }
            Map<String, Long> ops = pm.model().graph().nodes().stream().collect(Collectors.groupingBy(Node::opType, Collectors.counting()));
            assertEquals(8L, ops.get("PackedEmbeddingBag"), "every table a fused 8-bit row-wise bag: " + ops);
            assertEquals(5L, ops.get("Int8Gemm"), "every Gemm but the head in INT8: " + ops);
            for (String slow : List.of("PackedGemm", "FakeQuantize", "ReduceSum")) {
                assertTrue(!ops.containsKey(slow), "no " + slow + " left: " + ops);
            }
            Set<String> int8 = kernels.entrySet().stream().filter(e -> e.getValue().startsWith("int8")).map(Map.Entry::getKey)
                    .collect(Collectors.toSet());
            assertTrue(!int8.contains("/top_mlp/top_mlp.4/Gemm"), "the one-output head stays FP32 (slower in INT8): " + int8);
        }

        // The default cost picks a plan the serve-time model prices above FP32 (MX weight-only layers behind fake quantization).
        SearchResult bytes = QuantizeJob.run(options(dir, "weight-bytes"), QuantizeJob.Listener.NONE).search();
        assertTrue(bytes.bytes() < s.bytes(), "the default search is smaller: " + bytes.bytes() + " vs " + s.bytes());
    }
}
