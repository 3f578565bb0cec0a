package dev.quantize.core.oracle;

import dev.quantize.core.SharedData;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.quantize.core.data.Batch;
import dev.quantize.core.data.BatchReader;
import dev.quantize.core.data.Dataset;
import dev.quantize.core.data.DatasetBinding;
import dev.quantize.core.data.Datasets;
import dev.quantize.core.exec.Executor;
import dev.quantize.core.graph.Model;
import dev.quantize.core.onnx.OnnxReader;
import dev.quantize.core.tensor.Tensor;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * Three-way agreement on the shared trained models' eval split: the project's executor, ONNX Runtime
 * and the training framework's reference outputs, each pair within max |a-b|/max(1,|b|) <= 1e-5.
 */
class OnnxRuntimeParityTest {
    private static final double REL_TOL = 1e-5;

    private static Path models() {
        return SharedData.models();
    }

    @Test
    void dlrmSmall() throws Exception {
        check("dlrm_small");
    }

    @Test
    void mlpTabular() throws Exception {
        check("mlp_tabular");
    }

    /** Running maximum of |a-b|/max(1,|b|) over float outputs. */
    private static double maxRel(float[] a, float[] b, double so_far) {
        double m = so_far;
        for (int i = 0; i < a.length; i++) {
            double d = Math.abs((double) a[i] - b[i]) / Math.max(1.0, Math.abs(b[i]));
            m = Double.isNaN(d) ? Double.POSITIVE_INFINITY : Math.max(m, d);
        }
        return m;
    }

    private static void check(String name) throws Exception {
        Path dir = models().resolve(name);
        Model model = OnnxReader.read(dir.resolve("model.onnx"));
        Executor executor = Executor.builder(model).threads(2).build();
        double execVsOrt = 0;
        double execVsRef = 0;
        double ortVsRef = 0;
        long rows = 0;
        try (OnnxRuntimeOracle oracle = OnnxRuntimeOracle.open(dir.resolve("model.onnx"), 2);
             Dataset eval = Datasets.open(dir.resolve("eval"));
             Dataset ref = Datasets.open(dir.resolve("reference_outputs").resolve("eval"));
             BatchReader in = eval.batches(1000);
             BatchReader expected = ref.batches(1000)) {
            DatasetBinding binding = DatasetBinding.bind(eval, model.graph().runtimeInputs());
            assertEquals(oracle.outputNames(), ref.columns().stream().map(c -> c.name()).toList());
            while (in.hasNext()) {
                Batch batch = in.next();
                Batch want = expected.next();
                Map<String, Tensor> feeds = binding.feed(batch);
                Map<String, Tensor> ours = executor.run(feeds);
                Map<String, Tensor> ort = oracle.run(feeds);
                for (String out : oracle.outputNames()) {
                    Tensor w = want.column(out);
                    assertArrayEquals(w.shape(), ours.get(out).shape(), out);
                    assertArrayEquals(w.shape(), ort.get(out).shape(), out);
                    execVsOrt = maxRel(ours.get(out).floats(), ort.get(out).floats(), execVsOrt);
                    execVsRef = maxRel(ours.get(out).floats(), w.floats(), execVsRef);
                    ortVsRef = maxRel(ort.get(out).floats(), w.floats(), ortVsRef);
                }
                rows += batch.rows();
            }
            assertFalse(expected.hasNext(), "reference has more rows than the inputs");
        }
        System.out.printf("ORT parity %s: %d rows, max |a-b|/max(1,|b|): executor vs ORT %.3g, executor vs reference %.3g, "
                + "ORT vs reference %.3g%n", name, rows, execVsOrt, execVsRef, ortVsRef);
        assertEquals(4096, rows);
        assertTrue(execVsOrt <= REL_TOL, name + ": executor vs ORT " + execVsOrt);
        assertTrue(execVsRef <= REL_TOL, name + ": executor vs reference " + execVsRef);
        assertTrue(ortVsRef <= REL_TOL, name + ": ORT vs reference " + ortVsRef);
    }
}
