package dev.quantize.monitor.job;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.quantize.core.graph.Model;
import dev.quantize.core.onnx.OnnxReader;
import dev.quantize.monitor.history.History;
import dev.quantize.monitor.history.HistoryException;
import dev.quantize.quantizer.artifact.Artifact;
import dev.quantize.quantizer.artifact.ArtifactWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** monitor run on the project's own DLRM sample: its drift split, bad inputs, a corrupted history. */
class MonitorJobTest {
    @TempDir
    static Path dir;
    static Path sample;
    static Path artifact;

    @BeforeAll
    static void quantizeTheSample() throws Exception {
        sample = Path.of("..", "samples", "data", "dlrm").normalize();
        artifact = Artifacts.quantize(sample.resolve("model.onnx"), sample.resolve("calib.arrow"), sample.resolve("eval.arrow"),
                dir.resolve("dlrm.qz"));
    }

    private static MonitorJob.Options options(String split) {
        return MonitorJob.Options.of(artifact, sample.resolve("model.onnx"), sample.resolve(split + ".arrow"));
    }

    @Test
    void sampleDriftRaisesTheAlarmAndEvalDoesNot() throws Exception {
        MonitorJob.Result eval = MonitorJob.run(options("eval"), MonitorJob.Listener.NONE);
        MonitorJob.Result drift = MonitorJob.run(options("drift"), MonitorJob.Listener.NONE);
        assertEquals(0, eval.exitCode(), () -> "" + eval.evaluation().findings());
        assertEquals("alarm", drift.status());
        // The sample's drift doubles count rates and flattens id popularity: dense and id inputs both move.
        assertTrue(drift.summary().metrics().get("max_input_psi") > 0.25);
        assertTrue(drift.evaluation().findings().stream().anyMatch(f -> f.subject().startsWith("cat_")), () -> "" + drift.evaluation().findings());
        assertTrue(drift.evaluation().findings().stream().anyMatch(f -> f.subject().startsWith("dense[")), () -> "" + drift.evaluation().findings());
        assertEquals(4096, drift.record().rows());
        assertEquals("model.onnx", drift.record().model(), "the provenance's source model names it by default");
    }

    @Test
    void aWindowRunTwiceIsStoredOnce() throws Exception {
        Path h = dir.resolve("twice.db");
        MonitorJob.Result first = MonitorJob.run(options("eval").withHistory(h, "w1"), MonitorJob.Listener.NONE);
        MonitorJob.Result again = MonitorJob.run(options("eval").withHistory(h, "w1"), MonitorJob.Listener.NONE);
        assertTrue(first.historyInserted());
        assertFalse(again.historyInserted());
        try (History history = History.open(h)) {
            assertEquals(1, history.windows("model.onnx").size());
        }
    }

    @Test
    void aCorruptedHistoryIsRefusedUntouchedAndTheReportIsKept() throws Exception {
        Path h = dir.resolve("corrupt.db");
        MonitorJob.run(options("eval").withHistory(h, "w1"), MonitorJob.Listener.NONE);
        byte[] good = Files.readAllBytes(h);
        byte[] bad = good.clone();
        Arrays.fill(bad, 0, 100, (byte) 0x5a); // the SQLite header
        Files.write(h, bad);
        Path report = dir.resolve("kept.json");
        HistoryException e = assertThrows(HistoryException.class, () -> MonitorJob.run(options("eval").withHistory(h, "w2")
                .withReports(report, null, null), MonitorJob.Listener.NONE));
        assertTrue(e.getMessage().startsWith("corrupt.db: "), e.getMessage());
        assertTrue(e.getMessage().contains("the history was left as it was and this window's report is in " + report), e.getMessage());
        assertArrayEquals(bad, Files.readAllBytes(h), "nothing written to a file that is not a history");
        assertTrue(Files.readString(report).contains("\"window\" : \"w2\""));
    }

    @Test
    void aDifferentFp32ModelIsRefused() throws Exception {
        Path other = Artifacts.shared("mlp_tabular").resolve("model.onnx");
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> MonitorJob.run(
                MonitorJob.Options.of(artifact, other, sample.resolve("eval.arrow")), MonitorJob.Listener.NONE));
        assertTrue(e.getMessage().startsWith(other + " is not the model dlrm.qz was made from (its SHA-256 is "), e.getMessage());
    }

    @Test
    void withoutAStoredBaselineItAsksForCalibrationDataAndUsesIt() throws Exception {
        Path old = dir.resolve("old.qz");
        byte[] bytes = Files.readAllBytes(sample.resolve("model.onnx"));
        Model model = OnnxReader.read(bytes, "model.onnx", sample);
        try (Artifact a = Artifact.open(artifact)) {
            ArtifactWriter.write(old, model, bytes, "model.onnx", a.plan(), null, a.reportJson().orElse(null), "old");
        }
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> MonitorJob.run(
                MonitorJob.Options.of(old, sample.resolve("model.onnx"), sample.resolve("eval.arrow")), MonitorJob.Listener.NONE));
        assertTrue(e.getMessage().endsWith("holds no monitor baseline (artifacts written before the monitor existed, or by other tools); "
                + "give --baseline CALIB_DATA to compute one"), e.getMessage());
        MonitorJob.Result withCalib = MonitorJob.run(MonitorJob.Options.of(old, sample.resolve("model.onnx"), sample.resolve("eval.arrow"))
                .withBaselineData(sample.resolve("calib.arrow")), MonitorJob.Listener.NONE);
        MonitorJob.Result stored = MonitorJob.run(options("eval"), MonitorJob.Listener.NONE);
        assertEquals(stored.summary().inputs(), withCalib.summary().inputs(), "the same calibration data gives the same baseline");
        assertEquals(stored.summary().layers(), withCalib.summary().layers());
    }

    @Test
    void withoutTheFp32ModelOnlyActivationQuantizationIsMeasured() throws Exception {
        MonitorJob.Result r = MonitorJob.run(MonitorJob.Options.of(artifact, null, sample.resolve("eval.arrow")), MonitorJob.Listener.NONE);
        assertTrue(r.notes().stream().anyMatch(n -> n.startsWith("no --fp32 model")), () -> "" + r.notes());
        MonitorJob.Result full = MonitorJob.run(options("eval"), MonitorJob.Listener.NONE);
        assertTrue(r.summary().metrics().get("output_sqnr_db") > full.summary().metrics().get("output_sqnr_db"),
                "weights are quantized on both sides: less error to see");
    }
}
