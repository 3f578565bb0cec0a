package dev.quantize.quantizer.serve;

import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.quantize.core.exec.Executor;
import dev.quantize.core.graph.Attribute;
import dev.quantize.core.graph.Dim;
import dev.quantize.core.graph.Graph;
import dev.quantize.core.graph.Model;
import dev.quantize.core.graph.Node;
import dev.quantize.core.graph.ValueInfo;
import dev.quantize.core.kernel.Parallelism;
import dev.quantize.core.onnx.OnnxWriter;
import dev.quantize.core.tensor.DataType;
import dev.quantize.core.tensor.Tensor;
import dev.quantize.quantizer.artifact.Artifact;
import dev.quantize.quantizer.artifact.ArtifactWriter;
import dev.quantize.quantizer.emulate.PlanInterceptor;
import dev.quantize.quantizer.plan.QuantPlan;
import java.io.IOException;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The lookup patterns besides DLRM's: ReduceMean with keepdims and axes as an attribute, a plain Gather, negative indices. */
class RewritePatternsTest {
    @TempDir
    Path tmp;

    @Test
    void meanBagsWithKeptAxisAndPlainLookupsMatchEmulationBitForBit() throws IOException {
        Random rnd = new Random(5);
        float[] t1 = new float[33 * 17];
        float[] t2 = new float[7 * 5];
        for (int i = 0; i < t1.length; i++) {
            t1[i] = (float) rnd.nextGaussian();
        }
        for (int i = 0; i < t2.length; i++) {
            t2[i] = (float) rnd.nextGaussian() * 10;
        }
        List<Node> nodes = List.of(
                new Node("bag/Gather", "Gather", List.of("t1", "ids"), List.of("g1"), List.of()),
                new Node("bag/Mean", "ReduceMean", "", List.of("g1"), List.of("pooled"),
                        Map.of("axes", Attribute.ofInts("axes", -2), "keepdims", Attribute.of("keepdims", 1L))),
                new Node("plain/Gather", "Gather", List.of("t2", "one"), List.of("looked_up"), List.of()));
        Graph g = new Graph("patterns", nodes,
                List.of(new ValueInfo("ids", DataType.INT64, List.of(Dim.symbolic("batch"), Dim.of(3))),
                        new ValueInfo("one", DataType.INT64, List.of(Dim.symbolic("batch")))),
                List.of(new ValueInfo("pooled", DataType.FLOAT32, null), new ValueInfo("looked_up", DataType.FLOAT32, null)),
                Map.of("t1", Tensor.ofFloats(new int[] {33, 17}, t1), "t2", Tensor.ofFloats(new int[] {7, 5}, t2)), List.of());
        Model model = new Model(8, Map.of("", 13L), "test", "1", g, Map.of());
        QuantPlan plan = QuantPlan.uniform(model, "rowwise_4bit", "fp32", Map.of());
        Path file = tmp.resolve("patterns.qz");
        ArtifactWriter.write(file, model, OnnxWriter.toBytes(model), plan, null, null, "test");
        int batch = 17;
        long[] ids = new long[batch * 3];
        long[] one = new long[batch];
        for (int i = 0; i < ids.length; i++) {
            ids[i] = rnd.nextInt(66) - 33;
        }
        for (int i = 0; i < batch; i++) {
            one[i] = rnd.nextInt(14) - 7;
        }
        Map<String, Tensor> in = Map.of("ids", Tensor.ofLongs(new int[] {batch, 3}, ids), "one", Tensor.ofLongs(new int[] {batch}, one));
        try (PackedModel pm = PackedModel.open(file, true)) {
            assertEquals("PackedEmbeddingBag", pm.model().graph().node("bag/Gather").opType());
            assertEquals(List.of("pooled"), pm.model().graph().node("bag/Gather").outputs());
            assertEquals("row-wise gather (packed, mapped)", pm.kernels().get("plain/Gather"));
            Artifact a = pm.artifact();
            Model m = a.emulationModel();
            Parallelism par = Parallelism.single();
            Map<String, Tensor> want = Executor.builder(m).parallelism(par)
                    .interceptor(new PlanInterceptor(m, a.plan(), par, false)).build().run(in);
            Map<String, Tensor> got = pm.executor().parallelism(par).build().run(in);
            for (String o : List.of("pooled", "looked_up")) {
                assertEquals(java.util.Arrays.toString(want.get(o).shape()), java.util.Arrays.toString(got.get(o).shape()), o);
                float[] w = want.get(o).floats();
                float[] x = got.get(o).floats();
                for (int i = 0; i < w.length; i++) {
                    assertEquals(Float.floatToIntBits(w[i]), Float.floatToIntBits(x[i]), o + "[" + i + "]");
                }
            }
            assertEquals("[17, 1, 17]", java.util.Arrays.toString(got.get("pooled").shape()));
        }
    }
}
