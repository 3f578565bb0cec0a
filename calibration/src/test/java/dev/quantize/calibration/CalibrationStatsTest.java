package dev.quantize.calibration;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.quantize.calibration.stats.AbsHistogram;
import dev.quantize.calibration.stats.RunningStats;
import dev.quantize.core.data.Dataset;
import dev.quantize.core.exec.Executor;
import dev.quantize.core.graph.Model;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.ObjectInputStream;
import java.io.ObjectOutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Random;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class CalibrationStatsTest {
    private static final CalibrationConfig CONFIG = CalibrationConfig.defaults().withBatchSize(64).withPerChannelHistograms(true);

    @TempDir
    Path tmp;

    @Test
    void observesTheQuantizableActivationsAndWeights() {
        CalibrationStats s = CalibrationRunner.run(SyntheticData.model(), SyntheticData.rows(0, 500), CONFIG);
        assertEquals(List.of("W1", "W2", "x", "r"), List.copyOf(s.tensors().keySet()));
        assertEquals(TensorStats.Kind.WEIGHT, s.tensor("W1").kind());
        assertEquals(0, s.tensor("W1").channelAxis());   // Gemm with transB=1: W1 is [out, in]
        assertEquals(1, s.tensor("W2").channelAxis());   // MatMul right operand: last axis
        assertEquals(500, s.rows());
        assertEquals(500, s.histogramRows());
        assertEquals(500L * SyntheticData.FEATURES, s.tensor("x").stats().count());
        // Column 3 is the outlier channel: its max is near 50, the others at most 1 + 15 * 0.25 = 4.75.
        List<Range> channels = s.channelRanges("x", Method.MIN_MAX);
        double expectedMax3 = Double.NEGATIVE_INFINITY;
        for (int row = 0; row < 500; row++) {
            expectedMax3 = Math.max(expectedMax3, SyntheticData.value(row, 3));
        }
        assertEquals(expectedMax3, channels.get(3).hi());
        assertTrue(channels.get(15).absMax() <= 4.75);
        assertEquals(0.0, s.range("r", Method.MIN_MAX).lo());   // Relu output: non-negative
        assertTrue(s.range("r", Method.ENTROPY).lo() >= 0);
        assertEquals(SyntheticData.FEATURES, s.channelRanges("x", Method.ENTROPY).size());
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> s.range("h", Method.MIN_MAX));
        assertTrue(e.getMessage().contains("no calibration statistics for tensor 'h'"), e.getMessage());
    }

    @Test
    void extraValuesAndMaxRows() {
        CalibrationConfig c = CONFIG.onlyValues(List.of("h", "y")).withMaxRows(100);
        CalibrationStats s = CalibrationRunner.run(SyntheticData.model(), SyntheticData.rows(0, 500), c);
        assertEquals(Set.of("h", "y"), s.tensors().keySet());
        assertEquals(100, s.rows());
        assertEquals(100L * 4, s.tensor("y").stats().count());
        assertThrows(IllegalArgumentException.class, () -> CalibrationRunner.run(SyntheticData.model(),
                SyntheticData.rows(0, 10), CONFIG.onlyValues(List.of("nope"))));
    }

    /** The two-pass protocol over partitions A and B gives exactly the statistics of one run over A + B. */
    @Test
    void partialsOverPartitionsMergeToTheRunOverTheUnion() {
        Model model = SyntheticData.model();
        CalibrationStats whole = CalibrationRunner.run(model, SyntheticData.rows(0, 1600), CONFIG);

        Executor ex = Executor.builder(model).threads(1).build();
        CalibrationTargets targets = CalibrationTargets.quantizable(model);
        List<Dataset> parts = List.of(SyntheticData.rows(0, 640), SyntheticData.rows(640, 512), SyntheticData.rows(1152, 448));
        CalibrationStats p1 = CalibrationStats.empty();
        for (Dataset d : parts) {   // every worker also computes the weights: the merge keeps one copy
            p1 = p1.merge(CalibrationRunner.weights(model, targets, CONFIG)
                    .merge(CalibrationRunner.pass1(ex, d, targets, CONFIG, CalibrationProgress.NONE)));
        }
        HistogramPlan plan = p1.histogramPlan(CONFIG.bins(), true, CONFIG.maxHistogramChannels());
        List<CalibrationStats> p2 = parts.stream()
                .map(d -> CalibrationRunner.pass2(ex, d, plan, CONFIG, CalibrationProgress.NONE)).toList();
        // Associativity: (a + b) + c and a + (b + c).
        CalibrationStats left = p1.merge(p2.get(0).merge(p2.get(1)).merge(p2.get(2)));
        CalibrationStats right = p1.merge(p2.get(0).merge(p2.get(1).merge(p2.get(2))));
        assertSame(whole, left);
        assertSame(whole, right);
    }

    private static void assertSame(CalibrationStats expected, CalibrationStats actual) {
        assertEquals(expected.rows(), actual.rows());
        assertEquals(expected.histogramRows(), actual.histogramRows());
        assertEquals(expected.tensors().keySet(), actual.tensors().keySet());
        for (String name : expected.tensors().keySet()) {
            TensorStats e = expected.tensor(name);
            TensorStats a = actual.tensor(name);
            RunningStats es = e.stats();
            RunningStats as = a.stats();
            assertEquals(es.count(), as.count(), name);
            assertEquals(es.min(), as.min(), name);
            assertEquals(es.max(), as.max(), name);
            assertEquals(es.batches(), as.batches(), name);
            assertEquals(es.sum(), as.sum(), 1e-12 * es.sumSquares(), name);
            assertEquals(es.sumSquares(), as.sumSquares(), 1e-12 * es.sumSquares(), name);
            assertEquals(es.meanBatchMax(), as.meanBatchMax(), 1e-12 * Math.abs(es.meanBatchMax()), name);
            for (int c = 0; c < es.channels(); c++) {
                assertEquals(es.channelMin(c), as.channelMin(c));
                assertEquals(es.channelMax(c), as.channelMax(c));
                assertArrayEquals(e.channelHistogram(c).counts(), a.channelHistogram(c).counts());
            }
            assertEquals(e.histogram().range(), a.histogram().range(), name);
            assertArrayEquals(e.histogram().counts(), a.histogram().counts(), name);
            for (Method m : List.of(Method.MIN_MAX, Method.PERCENTILE, Method.ENTROPY, Method.MSE)) {
                assertEquals(expected.range(name, m), actual.range(name, m), name + " " + m);
            }
        }
    }

    @Test
    void histogramsOfDifferentPlansDoNotMerge() {
        Model model = SyntheticData.model();
        CalibrationStats a = CalibrationRunner.run(model, SyntheticData.rows(0, 100), CONFIG);
        CalibrationStats b = CalibrationRunner.run(model, SyntheticData.rows(100, 100), CONFIG);
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> a.merge(b));
        assertTrue(e.getMessage().startsWith("tensor 'x': histograms over [0, "), e.getMessage());
    }

    @Test
    void weightsMergeAsOneCopyAndRefuseOtherModelsOrSettings() {
        Model model = SyntheticData.model();
        CalibrationTargets t = CalibrationTargets.quantizable(model);
        CalibrationStats a = CalibrationRunner.weights(model, t, CONFIG);
        assertSame(a, a.merge(a));
        Model other = SyntheticData.model(4);
        CalibrationStats b = CalibrationRunner.weights(other, CalibrationTargets.quantizable(other), CONFIG);
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> a.merge(b));
        assertTrue(e.getMessage().startsWith("weight 'W1' differs between the partials"), e.getMessage());
        CalibrationStats fewerBins = CalibrationRunner.weights(model, t, CONFIG.withBins(16));
        e = assertThrows(IllegalArgumentException.class, () -> a.merge(fewerBins));
        assertTrue(e.getMessage().contains("different settings"), e.getMessage());
    }

    @Test
    void jsonAndJavaSerializationRoundTrip() throws IOException, ClassNotFoundException {
        CalibrationStats s = CalibrationRunner.run(SyntheticData.model(), SyntheticData.rows(0, 300), CONFIG);
        String json = s.toJson();
        assertTrue(json.contains("\"format\" : \"quantize-calibration-stats\""), json.substring(0, 200));
        assertTrue(json.contains("\"histogram_rows\" : 300"));
        CalibrationStats back = CalibrationStats.fromJson(json, "mem");
        assertEquals(json, back.toJson());
        assertSame(s, back);

        Path file = tmp.resolve("stats.json");
        s.write(file);
        assertEquals(json, Files.readString(file));
        assertEquals(List.of(file), Files.list(tmp).toList());   // no temp file left behind
        assertSame(s, CalibrationStats.read(file));

        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        try (ObjectOutputStream out = new ObjectOutputStream(bytes)) {
            out.writeObject(s);
            out.writeObject(s.histogramPlan(2048, true, 64));
        }
        try (ObjectInputStream in = new ObjectInputStream(new ByteArrayInputStream(bytes.toByteArray()))) {
            assertSame(s, (CalibrationStats) in.readObject());
            HistogramPlan plan = (HistogramPlan) in.readObject();
            assertEquals(s.tensor("x").stats().absMax(), plan.tensors().get("x").range());
        }
        // Empty statistics (infinite min/max) survive JSON too.
        CalibrationStats empty = CalibrationRunner.run(SyntheticData.model(), SyntheticData.rows(0, 0), CONFIG.onlyValues(List.of("h")));
        assertEquals(Double.POSITIVE_INFINITY, CalibrationStats.fromJson(empty.toJson(), "empty").tensor("h").stats().min());
    }

    @Test
    void badJsonIsRefusedWithItsSource() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> CalibrationStats.fromJson("{}", "s.json"));
        assertEquals("s.json: 'format' is missing: not calibration statistics (expected format 'quantize-calibration-stats')",
                e.getMessage());
        e = assertThrows(IllegalArgumentException.class,
                () -> CalibrationStats.fromJson("{\"format\":\"quantize-calibration-stats\",\"version\":1}", "s.json"));
        assertEquals("s.json: 'tensors' is missing", e.getMessage());
        e = assertThrows(IllegalArgumentException.class,
                () -> CalibrationStats.fromJson("{\"format\":\"quantize-calibration-stats\",\"version\":2,\"tensors\":{}}", "s.json"));
        assertEquals("s.json: version 2 is not supported (this tool reads 1)", e.getMessage());
        e = assertThrows(IllegalArgumentException.class,
                () -> CalibrationStats.fromJson("{\"format\":\"other\",\"version\":1,\"tensors\":{}}", "s.json"));
        assertEquals("s.json: format is 'other', expected 'quantize-calibration-stats'", e.getMessage());
        e = assertThrows(IllegalArgumentException.class, () -> CalibrationStats.fromJson("[1, 2", "s.json"));
        assertTrue(e.getMessage().startsWith("s.json: not valid calibration statistics JSON"), e.getMessage());
    }

    /** Seeded corruption and truncation: every outcome is statistics that pass validation or a clear IllegalArgumentException. */
    @Test
    void corruptedJsonFailsCleanly() {
        CalibrationStats s = CalibrationRunner.run(SyntheticData.model(), SyntheticData.rows(0, 50),
                CONFIG.withBins(8));
        byte[] good = s.toJson().getBytes(StandardCharsets.UTF_8);
        Random r = new Random(11);
        String alphabet = "0123456789-.,:{}[]\"eE ntxa";
        int refused = 0;
        for (int trial = 0; trial < 400; trial++) {
            byte[] bad = good.clone();
            if (trial % 4 == 0) {
                bad = java.util.Arrays.copyOf(bad, r.nextInt(bad.length));
            } else {
                for (int k = 0; k <= trial % 3; k++) {
                    bad[r.nextInt(bad.length)] = (byte) alphabet.charAt(r.nextInt(alphabet.length()));
                }
            }
            String text = new String(bad, StandardCharsets.UTF_8);
            try {
                CalibrationStats back = CalibrationStats.fromJson(text, "fuzz.json");
                back.merge(back);   // what a consumer does next must not blow up with an unchecked surprise
            } catch (IllegalArgumentException e) {
                assertTrue(e.getMessage().startsWith("fuzz.json: ") || e.getMessage().startsWith("tensor '"), e.getMessage());
                refused++;
            }
        }
        assertTrue(refused > 200, "only " + refused + " of 400 corruptions were refused");
    }
}
