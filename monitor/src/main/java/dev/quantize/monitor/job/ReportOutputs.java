package dev.quantize.monitor.job;

import dev.quantize.monitor.history.History;
import dev.quantize.monitor.history.WindowRecord;
import dev.quantize.monitor.report.HtmlReport;
import dev.quantize.monitor.report.PrometheusTextfile;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * The reports rendered by {@code dev.quantize.monitor.report} from a window: the Prometheus
 * textfile (written atomically) and the HTML report over the history.
 */
final class ReportOutputs {
    private ReportOutputs() {
    }

    static void prometheus(WindowRecord record, Path file) throws IOException {
        if (file != null) {
            Files.createDirectories(file.toAbsolutePath().getParent());
            PrometheusTextfile.write(record, file.toAbsolutePath());
        }
    }

    /** The HTML report over every window of the model in the history (this one included). */
    static void html(WindowRecord record, Path file, History history) throws IOException {
        if (file != null) {
            Files.createDirectories(file.toAbsolutePath().getParent());
            HtmlReport.write(file.toAbsolutePath(), record.model(), history.windows(record.model()), HtmlReport.DEFAULT_TOP);
        }
    }
}
