package dev.quantize.quantizer.search;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.quantize.core.data.Dataset;
import dev.quantize.core.data.Datasets;
import dev.quantize.core.graph.Model;
import dev.quantize.core.graph.ModelSummary;
import dev.quantize.core.kernel.Parallelism;
import dev.quantize.core.onnx.OnnxReader;
import dev.quantize.quantizer.SharedData;
import dev.quantize.quantizer.artifact.ArtifactWriter;
import dev.quantize.quantizer.plan.ActivationRange;
import dev.quantize.quantizer.plan.LayerPlan;
import dev.quantize.quantizer.plan.QuantPlan;
import dev.quantize.quantizer.serve.PackedModel;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The serve-time cost model on dlrm_small's real layer shapes: which kernel each choice runs as, and the orderings. */
class ServeTimeTest {
    static final String TOP0 = "/top_mlp/top_mlp.0/Gemm";
    static final String HEAD = "/top_mlp/top_mlp.4/Gemm";
    static final String TABLE = "/emb_bags.1/emb/Gather";
    static final String DOTS = "/interaction/MatMul";

    static Model model;
    static Map<String, LayerWork> work;
    static CostModel serve;
    static QuantPlan fp32;

    @TempDir
    Path tmp;

    @BeforeAll
    static void load() throws IOException {
        Path dir = SharedData.root().resolve("models/dlrm_small");
        model = OnnxReader.read(dir.resolve("model.onnx"));
        try (Dataset eval = Datasets.open(dir.resolve("eval"))) {
            work = new Evaluator(model, eval, 256, 256, Parallelism.of(1)).workPerRow();
        }
        serve = CostModel.parse("serve-time", model, work);
        fp32 = QuantPlan.fp32(model).map(l -> l.role() == ModelSummary.Role.EMBEDDING ? l : l.withActivationRange(new ActivationRange(-2f, 6f)));
    }

    static LayerPlan with(String node, String candidate) {
        LayerPlan l = fp32.layer(node);
        return Candidate.of(candidate, l.role()).applyTo(l);
    }

    static long cost(String node, String candidate) {
        return serve.of(with(node, candidate));
    }

    @Test
    void workPerRowCountsInputsAndOutputs() {
        assertEquals(new LayerWork(52L * 64, 52, 64), work.get(TOP0), "top_mlp.0: 16 dense + 36 pairwise dots in, 64 out");
        assertEquals(new LayerWork(2L * 16, 2, 2 * 16), work.get(TABLE), "a bag of 2 rows of 16");
        assertEquals(new LayerWork(9L * 9 * 16, 2 * 9 * 16, 9 * 9), work.get(DOTS), "both 9x16 operands quantized");
    }

    @Test
    void predictsTheKernelEachChoiceRunsAs() {
        assertEquals(ServeKernel.INT8_GEMM, ServeKernel.of(model, with(TOP0, "int8")));
        assertEquals(ServeKernel.DECODING_GEMM, ServeKernel.of(model, with(TOP0, "int8").withActivationRange(null)),
                "INT8 without a calibrated range is dynamic: weight-only kernel");
        assertEquals(ServeKernel.DECODING_GEMM, ServeKernel.of(model, with(TOP0, "mxfp4_e2m1")));
        assertEquals(ServeKernel.FLOAT, ServeKernel.of(model, fp32.layer(TOP0)));
        assertEquals(ServeKernel.ROWWISE_BAG, ServeKernel.of(model, with(TABLE, "rowwise_8bit")));
        assertEquals(ServeKernel.DECODED_AT_LOAD, ServeKernel.of(model, with(TABLE, "mxfp4_e2m1")));
        assertEquals(ServeKernel.DECODED_AT_LOAD, ServeKernel.of(model, with(TABLE, "int8")), "an int8 per-channel table is not row-wise");
        assertEquals(ServeKernel.FLOAT, ServeKernel.of(model, with(DOTS, "mxfp8_e4m3")));
    }

    /** On a 52 -> 64 Gemm: static INT8 < FP32 < MX weight-only < MX activations fake-quantized < FP8 activations (a scalar pass). */
    @Test
    void ordersTheGemmChoices() {
        long int8 = cost(TOP0, "int8");
        long fp = serve.of(fp32.layer(TOP0));
        LayerPlan mxWeightOnly = fp32.layer(TOP0).withWeightFormat("mxfp4_e2m1");
        long mxWeights = serve.of(mxWeightOnly);
        long mxBoth = cost(TOP0, "mxfp4_e2m1");
        long fp8 = cost(TOP0, "fp8_e4m3");
        long dynamicInt8 = serve.of(with(TOP0, "int8").withActivationRange(null));
        assertEquals(52 * 64, fp, "FP32 costs its multiply-adds");
        assertTrue(int8 < fp && fp < mxWeights && mxWeights < mxBoth && mxBoth < fp8,
                int8 + " < " + fp + " < " + mxWeights + " < " + mxBoth + " < " + fp8);
        assertEquals(fp8, dynamicInt8, "dynamic INT8 runs as the weight-only kernel behind a scalar fake-quantization");
        assertEquals(mxBoth, cost(TOP0, "mxfp8_e4m3"), "MX element widths cost the same: the search breaks the tie by bytes");
        // The single-output head: quantizing 32 activations costs more than its 32 multiply-adds.
        assertTrue(cost(HEAD, "int8") > serve.of(fp32.layer(HEAD)));
    }

    /** Tables: the 8-bit row-wise bag < FP32 gather = tables decoded at load < the 4-bit scalar bag. */
    @Test
    void ordersTheTableChoices() {
        long fp = serve.of(fp32.layer(TABLE));
        assertTrue(cost(TABLE, "rowwise_8bit") < fp, cost(TABLE, "rowwise_8bit") + " vs " + fp);
        assertEquals(fp, cost(TABLE, "mxfp4_e2m1"));
        assertEquals(fp, cost(TABLE, "int8"));
        assertTrue(cost(TABLE, "rowwise_4bit") > fp);
        // Quantizing the interaction's activations only adds fake-quantization passes.
        assertTrue(cost(DOTS, "mxfp8_e4m3") > serve.of(fp32.layer(DOTS)));
    }

    /** Whole plans: INT8 layers + 8-bit row-wise tables < FP32 < the MX plan the weight-bytes search picks. */
    @Test
    void ordersWholePlans() {
        QuantPlan fast = fp32.map(l -> switch (l.role()) {
            case EMBEDDING -> with(l.node(), "rowwise_8bit");
            case WEIGHTS_AND_ACTIVATIONS -> with(l.node(), "int8");
            case ACTIVATIONS_ONLY -> l;
        });
        QuantPlan mx = fp32.map(l -> Candidate.of(l.role() == ModelSummary.Role.EMBEDDING ? "mxfp4_e2m1" : "mxfp6_e2m3", l.role()).applyTo(l));
        assertTrue(serve.of(fast) < serve.of(fp32) && serve.of(fp32) < serve.of(mx),
                serve.of(fast) + " < " + serve.of(fp32) + " < " + serve.of(mx));
    }

    /** The prediction agrees with what PackedModel actually rewrites each layer to, for every kind of kernel. */
    @Test
    void predictionMatchesThePackedRewrite() throws IOException {
        Map<String, String> choice = Map.of("/bottom_mlp/bottom_mlp.0/Gemm", "int8", "/bottom_mlp/bottom_mlp.2/Gemm", "mxfp4_e2m1",
                "/bottom_mlp/bottom_mlp.4/Gemm", "fp16", "/emb_bags.0/emb/Gather", "rowwise_8bit", TABLE, "mxfp6_e2m3",
                "/emb_bags.2/emb/Gather", "rowwise_4bit", "/emb_bags.3/emb/Gather", "int8", DOTS, "mxfp8_e4m3", TOP0, "fp8_e4m3");
        QuantPlan plan = fp32.map(l -> choice.containsKey(l.node()) ? with(l.node(), choice.get(l.node())) : l)
                .map(l -> l.node().equals(HEAD) ? with(HEAD, "int8").withActivationRange(null) : l);
        Path dir = SharedData.root().resolve("models/dlrm_small");
        byte[] bytes = Files.readAllBytes(dir.resolve("model.onnx"));
        Path file = tmp.resolve("mixed.qz");
        ArtifactWriter.write(file, OnnxReader.read(bytes, "model.onnx", dir), bytes, "model.onnx", plan, null, null, "test");
        Map<String, String> expected = new HashMap<>();
        Map<String, String> actual = new HashMap<>();
        try (PackedModel pm = PackedModel.open(file, false)) {
            Map<String, String> byDisplay = new HashMap<>();
            pm.kernels().forEach((k, v) -> byDisplay.put(k, v));
            for (LayerPlan l : plan.layers()) {
                if (l.isFp32()) {
                    continue;
                }
                expected.put(l.node(), ServeKernel.of(model, l).name());
                actual.put(l.node(), kernelOf(byDisplay.get(l.node())));
            }
        }
        assertEquals(expected, actual);
        assertEquals(List.of("DECODED_AT_LOAD", "DECODING_GEMM", "FLOAT", "INT8_GEMM", "ROWWISE_BAG"),
                expected.values().stream().distinct().sorted().toList(), "every kind of kernel is covered");
    }

    /** PackedRewrite's kernel descriptions (PackedModel.kernels) as ServeKernel names. */
    static String kernelOf(String description) {
        if (description == null) {
            return "FLOAT";
        }
        if (description.startsWith("row-wise")) {
            return "ROWWISE_BAG";
        }
        if (description.startsWith("int8 GEMM")) {
            return "INT8_GEMM";
        }
        if (description.startsWith("weight-only GEMM")) {
            return "DECODING_GEMM";
        }
        if (description.startsWith("weight decoded")) {
            return "DECODED_AT_LOAD";
        }
        return description.startsWith("float kernel") ? "FLOAT" : description;
    }
}
