package dev.quantize.core.exec;

import dev.quantize.core.SharedData;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.quantize.core.data.Batch;
import dev.quantize.core.data.BatchReader;
import dev.quantize.core.data.NpyDataset;
import dev.quantize.core.graph.Model;
import dev.quantize.core.onnx.OnnxReader;
import dev.quantize.core.tensor.Tensor;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;

/** The two shared trained models on their eval split against the training framework's outputs. */
class ModelParityTest {
    private static final double REL_TOL = 1e-5;

    static Path shared() {
        return SharedData.root();
    }

    @Test
    void mlpTabularMatchesReference() throws Exception {
        check("mlp_tabular", "logits");
    }

    @Test
    void dlrmSmallMatchesReference() throws Exception {
        check("dlrm_small", "prob");
    }

    private static void check(String name, String output) throws Exception {
        Path dir = shared().resolve("models").resolve(name);
        Model model = OnnxReader.read(dir.resolve("model.onnx"));
        Executor ex = new Executor(model);
        double maxAbs = 0;
        double maxRel = 0;
        long rows = 0;
        try (NpyDataset eval = NpyDataset.open(dir.resolve("eval"));
             NpyDataset ref = NpyDataset.open(dir.resolve("reference_outputs/eval"));
             BatchReader in = eval.batches(1024);
             BatchReader expected = ref.batches(1024)) {
            while (in.hasNext()) {
                Batch b = in.next().withoutLabels();
                Tensor want = expected.next().column(output);
                Tensor got = ex.run(b.columns()).get(output);
                assertArrayEquals(want.shape(), got.shape());
                float[] w = want.floats();
                float[] g = got.floats();
                for (int i = 0; i < w.length; i++) {
                    double diff = Math.abs((double) g[i] - w[i]);
                    maxAbs = Math.max(maxAbs, diff);
                    // Relative to the magnitude, with a floor of 1 so values near zero are judged absolutely.
                    maxRel = Math.max(maxRel, diff / Math.max(1.0, Math.abs(w[i])));
                }
                rows += b.rows();
            }
            assertTrue(!expected.hasNext(), "reference has more rows than the inputs");
        }
        System.out.printf("parity %s: %d rows, max |diff| %.3g, max |diff|/max(1,|ref|) %.3g%n", name, rows, maxAbs, maxRel);
        assertEquals(4096, rows);
        assertTrue(maxRel <= REL_TOL, name + ": max relative error " + maxRel + " > " + REL_TOL);
    }
}
