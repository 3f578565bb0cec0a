package dev.quantize.quantizer.emulate;

import dev.quantize.quantizer.SharedData;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.quantize.core.data.Batch;
import dev.quantize.core.data.BatchReader;
import dev.quantize.core.data.Dataset;
import dev.quantize.core.data.DatasetBinding;
import dev.quantize.core.data.Datasets;
import dev.quantize.core.exec.Executor;
import dev.quantize.core.graph.Model;
import dev.quantize.core.metrics.ErrorStats;
import dev.quantize.core.onnx.OnnxReader;
import dev.quantize.core.tensor.Tensor;
import dev.quantize.quantizer.plan.LayerPlan;
import dev.quantize.quantizer.plan.QuantPlan;
import java.io.IOException;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;
import org.junit.jupiter.api.Test;

class PlanEmulationTest {
    static Path shared() {
        return SharedData.root();
    }

    /** Logit SQNR (dB) of a plan against FP32 on the first 512 eval rows. */
    static double sqnr(Path dir, Model model, QuantPlan plan) {
        Executor ref = Executor.builder(model).threads(2).build();
        Executor q = Executor.builder(model).threads(2).interceptor(new PlanInterceptor(model, plan, ref.parallelism())).build();
        ErrorStats s = new ErrorStats();
        try (Dataset ds = Datasets.open(dir.resolve("eval")); BatchReader r = ds.batches(512)) {
            DatasetBinding b = DatasetBinding.bind(ds, model.graph().runtimeInputs());
            Batch batch = r.next();
            Map<String, Tensor> in = b.feed(batch);
            String out = model.graph().outputs().get(0).name();
            s.add(ref.run(in).get(out).floats(), q.run(in).get(out).floats());
        }
        return s.sqnrDb();
    }

    @Test
    void formatsRankAsTheirPrecision() throws IOException {
        Path dir = shared().resolve("models/mlp_tabular");
        Model model = OnnxReader.read(dir.resolve("model.onnx"));
        Map<String, Double> db = new LinkedHashMap<>();
        for (String f : new String[] {"fp16", "mxint8", "mx9", "mxfp8_e4m3", "int8_per_channel", "mxfp6_e2m3", "mxfp4_e2m1", "int8_per_tensor"}) {
            String act = f.equals("int8_per_channel") ? "int8_per_tensor" : f;
            db.put(f, sqnr(dir, model, QuantPlan.uniform(model, f, act, Map.of())));
        }
        System.out.println("mlp_tabular logit SQNR by uniform plan: " + db);
        // FP16 is nearly exact; among the FP element types precision orders the error.
        assertTrue(db.get("fp16") > 60, db.toString());
        assertTrue(db.get("mxfp8_e4m3") > db.get("mxfp6_e2m3") && db.get("mxfp6_e2m3") > db.get("mxfp4_e2m1"), db.toString());
        // The model's outlier channels (|x| ~ 460 against ~4): one per-tensor INT8 scale wipes out the
        // ordinary channels, and so does MXINT8's fixed-point grid inside the blocks that hold an
        // outlier, while FP8 elements keep their own exponents. That is the case finer formats are for.
        assertTrue(db.get("int8_per_tensor") < 10 && db.get("int8_per_channel") < 10, db.toString());
        assertTrue(db.get("mxfp8_e4m3") > db.get("mxint8") + 5, db.toString());
        assertTrue(db.get("mxfp8_e4m3") > db.get("int8_per_tensor") + 15, db.toString());
    }

    @Test
    void fp32PlanIsExactAndWeightOnlyPlanChangesOnlyWeights() throws IOException {
        Path dir = shared().resolve("models/mlp_tabular");
        Model model = OnnxReader.read(dir.resolve("model.onnx"));
        assertEquals(Double.POSITIVE_INFINITY, sqnr(dir, model, QuantPlan.fp32(model)));
        QuantPlan weightOnly = QuantPlan.uniform(model, "mxfp4_e2m1", "fp32", Map.of());
        assertTrue(weightOnly.layers().stream().allMatch(l -> l.activationFormat().equals(LayerPlan.FP32)));
        double w = sqnr(dir, model, weightOnly);
        assertTrue(w > 5 && w < 60, "weight-only MXFP4 SQNR " + w);
    }

    @Test
    void planJsonRoundTripsAndBadPlansAreExplained() throws IOException {
        Path dir = shared().resolve("models/dlrm_small");
        Model model = OnnxReader.read(dir.resolve("model.onnx"));
        QuantPlan p = QuantPlan.uniform(model, "rowwise_4bit", "fp32", Map.of())
                .with(QuantPlan.fp32(model).layer("/top_mlp/top_mlp.0/Gemm").withWeightFormat("int8_per_channel"));
        assertEquals(p, QuantPlan.fromJson(p.toJson()));
        assertEquals("rowwise_4bit", p.layer("/emb_bags.1/emb/Gather").weightFormat());
        assertEquals(LayerPlan.FP32, p.layer("/bottom_mlp/bottom_mlp.0/Gemm").weightFormat(), "row-wise formats are for tables only");
        QuantPlan bad = p.with(p.layer("/interaction/MatMul").withActivationFormat("mxfp5"));
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> bad.validate(model));
        assertTrue(e.getMessage().contains("layer '/interaction/MatMul': unknown format 'mxfp5'"), e.getMessage());
        double db = sqnr(dir, model, p);
        assertTrue(db > 20, "DLRM with 4-bit row-wise tables keeps its output: " + db);
    }
}
