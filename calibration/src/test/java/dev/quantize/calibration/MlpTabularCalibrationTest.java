package dev.quantize.calibration;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.quantize.core.data.Dataset;
import dev.quantize.core.data.Datasets;
import dev.quantize.core.graph.Model;
import dev.quantize.core.onnx.OnnxReader;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;

/** End to end on the shared mlp_tabular model and its 512 calibration rows. */
class MlpTabularCalibrationTest {
    /** The first LayerNorm's output, which the second Gemm reads. */
    private static final String LN1 = "/ln1/Add_1_output_0";

    static Path sharedModel(String name) {
        String p = System.getProperty("quantize.shared");
        Path root = p != null ? Path.of(p) : Path.of("..", "..", "shared");
        Path dir = root.resolve("models").resolve(name);
        Assumptions.assumeTrue(Files.isDirectory(dir), "shared model " + dir + " not found; skipping");
        return dir;
    }

    @Test
    void theFirstLayerNormOutputHasFourOutlierChannels() throws IOException {
        Path dir = sharedModel("mlp_tabular");
        Model model = OnnxReader.read(dir.resolve("model.onnx"));
        CalibrationStats s;
        try (Dataset calib = Datasets.open(dir.resolve("calib"))) {
            s = CalibrationRunner.run(model, calib, CalibrationConfig.defaults().withBatchSize(100));
        }
        assertEquals(512, s.rows());
        assertEquals(List.of("fc1.weight", "fc2.weight", "head.weight", "features", LN1, "/ln2/Add_1_output_0"),
                List.copyOf(s.tensors().keySet()));
        assertEquals(512L * 256, s.tensor(LN1).stats().count());

        List<Range> channels = s.channelRanges(LN1, Method.MIN_MAX);
        assertEquals(256, channels.size());
        double[] absMax = channels.stream().mapToDouble(Range::absMax).toArray();
        double[] sorted = absMax.clone();
        Arrays.sort(sorted);
        double median = (sorted[127] + sorted[128]) / 2;
        List<Integer> outliers = new ArrayList<>();
        for (int c = 0; c < 256; c++) {
            if (absMax[c] > 10 * median) {
                outliers.add(c);
            }
        }
        // Measured: median channel absmax 4.20, the outlier channels 176.0, 335.3, 294.4 and 461.6; the next largest is 7.4.
        assertEquals(4.20, median, 0.05);
        assertEquals(List.of(144, 166, 176, 227), outliers);
        assertEquals(461.63, absMax[227], 0.01);
        assertEquals(175.99, absMax[144], 0.01);
        assertTrue(sorted[251] < 8, "fifth largest channel " + sorted[251]);

        // Per tensor the outliers set min-max; the histogram methods clip into the bulk to different degrees.
        Range minMax = s.range(LN1, Method.MIN_MAX);
        assertEquals(-79.60, minMax.lo(), 0.01);
        assertEquals(461.63, minMax.hi(), 0.01);
        double entropy = s.range(LN1, Method.ENTROPY).hi();
        double mse = s.range(LN1, Method.MSE).hi();
        double percentile = s.range(LN1, Method.PERCENTILE).hi();
        assertTrue(entropy < 50, "entropy " + entropy);
        assertTrue(mse < minMax.hi() && mse > entropy, "mse " + mse);
        assertTrue(percentile < minMax.hi() && percentile > mse, "percentile " + percentile);
        // Moving average over 6 batches: the mean of batch maxima is below the overall maximum.
        assertTrue(s.range(LN1, Method.MOVING_AVERAGE_MIN_MAX).hi() < minMax.hi());
    }
}
