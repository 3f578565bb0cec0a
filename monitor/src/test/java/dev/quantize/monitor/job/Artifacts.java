package dev.quantize.monitor.job;

import dev.quantize.core.data.Dataset;
import dev.quantize.core.data.Datasets;
import dev.quantize.core.kernel.Parallelism;
import dev.quantize.monitor.baseline.BaselineBuilder;
import dev.quantize.monitor.baseline.MonitorBaseline;
import dev.quantize.quantizer.artifact.ArtifactWriter;
import dev.quantize.quantizer.job.QuantizeJob;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.Assumptions;

/** Test helpers: the shared models, and artifacts made as the main job makes them (with a monitor baseline). */
final class Artifacts {
    private Artifacts() {
    }

    /** ../shared/models/NAME, or the test is skipped. */
    static Path shared(String name) {
        String p = System.getProperty("quantize.shared");
        Path root = p != null ? Path.of(p) : Path.of("..", "..", "shared");
        Path m = root.resolve("models").resolve(name).normalize();
        Assumptions.assumeTrue(Files.isDirectory(m), "shared model not found at " + m + "; skipping");
        return m;
    }

    /** quantize MODEL --calib CALIB --eval EVAL -o OUT, as cli MainJob does it. */
    static Path quantize(Path model, Path calib, Path eval, Path out) throws Exception {
        QuantizeJob.Options d = QuantizeJob.Options.defaults(model, calib, eval);
        QuantizeJob.Options o = new QuantizeJob.Options(model, calib, eval, null, d.formats(), d.calibrationMethod(),
                d.calibrationRows(), d.evalRows(), d.batchSize(), 2, false, d.cost());
        QuantizeJob.Result r = QuantizeJob.run(o, QuantizeJob.Listener.NONE);
        MonitorBaseline b;
        try (Dataset c = Datasets.open(calib)) {
            b = BaselineBuilder.build(r.model(), r.model(), r.search().plan(), true, c, 512, 0, Parallelism.of(2),
                    d.calibrationMethod().label(), done -> { });
        }
        ArtifactWriter.write(out, r.model(), r.modelBytes(), model.getFileName().toString(), r.search().plan(),
                r.calibration().toJson(), dev.quantize.quantizer.search.SearchReport.toJsonString(r.search(), r.model()),
                "test", Map.of(MonitorBaseline.EXTRA_NAME, b.toJson()));
        return out;
    }
}
