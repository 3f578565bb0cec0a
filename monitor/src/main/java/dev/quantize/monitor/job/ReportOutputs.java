package dev.quantize.monitor.job;

import dev.quantize.monitor.history.History;
import dev.quantize.monitor.history.WindowRecord;
import dev.quantize.monitor.report.PrometheusTextfile;
import java.nio.file.Path;

/**
 * The reports rendered by {@code dev.quantize.monitor.report} from a window: the Prometheus
 * textfile (written atomically) and the HTML report over the history.
 */
final class ReportOutputs {
    private ReportOutputs() {
    }

    static void prometheus(WindowRecord record, Path file) {
        if (file != null) {
            PrometheusTextfile.write(record, file.toAbsolutePath());
        }
    }

    static void html(WindowRecord record, Path file, History history) {
        if (file != null) {
            // SEAM (monitor-report): HtmlReport.write(file, record.model(), history.windows(record.model()), ...) once merged.
            throw new IllegalArgumentException("--html: the HTML report is not in this build yet");
        }
    }
}
