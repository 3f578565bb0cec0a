package dev.quantize.samples;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.quantize.core.data.Batch;
import dev.quantize.core.data.BatchReader;
import dev.quantize.core.data.Dataset;
import dev.quantize.core.data.DatasetBinding;
import dev.quantize.core.data.Datasets;
import dev.quantize.core.exec.ExecutionListener;
import dev.quantize.core.exec.Executor;
import dev.quantize.core.exec.NodeContext;
import dev.quantize.core.graph.Model;
import dev.quantize.core.metrics.ClassificationMetrics;
import dev.quantize.core.onnx.OnnxReader;
import dev.quantize.core.tensor.Tensor;
import dev.quantize.samples.ctr.DlrmSample;
import dev.quantize.samples.mlp.MlpSample;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Generates the samples once into a temporary folder, then checks that they are the committed ones
 * byte for byte, and that the project's own executor reaches the metrics the generator reported.
 */
class SampleGeneratorTest {
    @TempDir
    static Path tmp;
    static Path generated;
    static Map<String, SampleReport> reports;
    static long millis;

    @BeforeAll
    static void generate() throws IOException {
        generated = tmp.resolve("samples");
        long t0 = System.nanoTime();
        List<SampleReport> list = SampleGenerator.generate(generated, Samples.SEED);
        millis = (System.nanoTime() - t0) / 1_000_000;
        reports = list.stream().collect(Collectors.toMap(SampleReport::name, r -> r));
        System.out.println("generated the samples in " + millis + " ms: " + list);
    }

    @Test
    void writesEveryFileAndNoTemporaryLeftovers() throws IOException {
        try (Stream<Path> s = Files.list(generated)) {
            assertEquals(List.of("dlrm", "mlp"), s.map(p -> p.getFileName().toString()).sorted().toList());
        }
        for (String name : Samples.names()) {
            try (Stream<Path> s = Files.list(generated.resolve(name))) {
                assertEquals(Samples.FILES.stream().sorted().toList(), s.map(p -> p.getFileName().toString()).sorted().toList());
            }
        }
    }

    @Test
    void regenerationMatchesTheCommittedFilesByteForByte() throws IOException {
        Path committed = Samples.location();
        assertTrue(Files.isDirectory(committed), "the committed samples are missing at " + committed);
        for (String name : Samples.names()) {
            for (String file : Samples.FILES) {
                byte[] expected = Files.readAllBytes(committed.resolve(name).resolve(file));
                byte[] got = Files.readAllBytes(generated.resolve(name).resolve(file));
                assertArrayEquals(expected, got, name + "/" + file + " differs from the committed file");
            }
        }
    }

    @Test
    void metricsJsonHoldsTheReportedMetrics() throws IOException {
        for (String name : Samples.names()) {
            assertEquals(reports.get(name), Samples.readReport(generated.resolve(name)));
        }
    }

    @Test
    void theModelsLearnedThePlantedSignal() {
        SampleReport dlrm = reports.get(DlrmSample.NAME);
        double auc = dlrm.metric("eval", "auc");
        assertTrue(auc > 0.72 && auc < 0.95, "dlrm eval AUC " + auc);
        double ne = dlrm.metric("eval", "normalized_entropy");
        assertTrue(ne < 0.95, "dlrm eval NE " + ne);
        double calibration = dlrm.metric("eval", "calibration");
        assertTrue(Math.abs(calibration - 1) < 0.1, "dlrm eval calibration " + calibration);
        double rate = dlrm.metric("eval", "base_rate");
        assertTrue(rate > 0.18 && rate < 0.32, "dlrm eval base rate " + rate);
        assertTrue(dlrm.metric("drift", "base_rate") < rate, "drift lowers the base rate");
        SampleReport mlp = reports.get(MlpSample.NAME);
        double accuracy = mlp.metric("eval", "accuracy");
        assertTrue(accuracy > 0.75 && accuracy < 0.97, "mlp eval accuracy " + accuracy);
        assertTrue(mlp.metric("drift", "accuracy") < accuracy, "drift costs accuracy");
    }

    @Test
    void theExecutorReachesTheDlrmMetricsTheGeneratorReported() throws IOException {
        Path dir = generated.resolve(DlrmSample.NAME);
        Model model = OnnxReader.read(dir.resolve(Samples.MODEL));
        for (String split : Samples.SPLITS) {
            Outputs o = run(model, dir.resolve(split + ".arrow"), "prob", null);
            float[] labels = o.labelsAsFloats();
            Map<String, Double> expected = reports.get(DlrmSample.NAME).splits().get(split);
            assertEquals(expected.get("auc"), ClassificationMetrics.auc(o.values, labels), 1e-4, split + " auc");
            assertEquals(expected.get("normalized_entropy"), ClassificationMetrics.normalizedEntropy(o.values, labels), 1e-5,
                    split + " normalized entropy");
            assertEquals(expected.get("calibration"), ClassificationMetrics.calibration(o.values, labels), 1e-5, split + " calibration");
            assertEquals(expected.get("rows"), (double) labels.length);
        }
    }

    @Test
    void theExecutorReachesTheMlpAccuracyAndSeesTheOutlierChannels() throws IOException {
        Path dir = generated.resolve(MlpSample.NAME);
        Model model = OnnxReader.read(dir.resolve(Samples.MODEL));
        for (String split : Samples.SPLITS) {
            float[][] channelMax = {new float[128]};
            Outputs o = run(model, dir.resolve(split + ".arrow"), "logits", channelMax);
            double expected = reports.get(MlpSample.NAME).metric(split, "accuracy");
            // a row whose two best logits are within float rounding may flip: allow two rows
            assertEquals(expected, ClassificationMetrics.accuracy(o.values, 10, o.labels), 2.0 / o.labels.length, split);
            float[] sorted = channelMax[0].clone();
            Arrays.sort(sorted);
            float median = (sorted[63] + sorted[64]) / 2;
            assertTrue(sorted[127] > 100 && median < 10, split + ": ln1 max |x| " + sorted[127] + ", median channel max " + median);
            long outliers = 0;
            for (float m : channelMax[0]) {
                outliers += m > 20 * median ? 1 : 0;
            }
            assertEquals(4, outliers, split + ": outlier channels of ln1");
        }
    }

    /** Model outputs of every row and the labels, in row order. */
    private record Outputs(float[] values, long[] labels, float[] floatLabels) {
        float[] labelsAsFloats() {
            return floatLabels;
        }
    }

    private static Outputs run(Model model, Path data, String output, float[][] ln1ChannelMax) {
        Executor.Builder b = Executor.builder(model).threads(1);
        if (ln1ChannelMax != null) {
            b.listener(new ExecutionListener() {
                @Override
                public void afterNode(NodeContext node, List<Tensor> inputs, List<Tensor> outputs) {
                    if (node.name().equals("ln1")) {
                        float[] y = outputs.get(0).floats();
                        int c = ln1ChannelMax[0].length;
                        for (int i = 0; i < y.length; i++) {
                            ln1ChannelMax[0][i % c] = Math.max(ln1ChannelMax[0][i % c], Math.abs(y[i]));
                        }
                    }
                }
            });
        }
        Executor executor = b.build();
        List<float[]> values = new ArrayList<>();
        List<Tensor> labels = new ArrayList<>();
        try (Dataset ds = Datasets.open(data)) {
            DatasetBinding binding = DatasetBinding.bind(ds, model.graph().runtimeInputs());
            try (BatchReader reader = ds.batches(500)) {
                while (reader.hasNext()) {
                    Batch batch = reader.next();
                    values.add(executor.run(binding.feed(batch)).get(output).floats());
                    labels.add(batch.labels().orElseThrow());
                }
            }
        }
        int n = values.stream().mapToInt(v -> v.length).sum();
        float[] all = new float[n];
        int at = 0;
        for (float[] v : values) {
            System.arraycopy(v, 0, all, at, v.length);
            at += v.length;
        }
        int rows = labels.stream().mapToInt(t -> t.size()).sum();
        long[] longLabels = new long[rows];
        float[] floatLabels = new float[rows];
        at = 0;
        for (Tensor t : labels) {
            for (int i = 0; i < t.size(); i++, at++) {
                floatLabels[at] = (float) t.getDouble(i);
                longLabels[at] = (long) t.getDouble(i);
            }
        }
        return new Outputs(all, longLabels, floatLabels);
    }
}
