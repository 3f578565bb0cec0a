package dev.quantize.monitor.job;

import dev.quantize.monitor.history.WindowRecord;
import dev.quantize.monitor.report.PrometheusTextfile;
import java.nio.file.Path;
import java.util.List;

/**
 * The reports rendered by {@code dev.quantize.monitor.report} from a window: the Prometheus
 * textfile (written atomically) and the HTML report over the history.
 */
final class ReportOutputs {
    private ReportOutputs() {
    }

    static void write(WindowRecord record, Path prometheus, Path html, Path history, List<String> notes) {
        if (prometheus != null) {
            PrometheusTextfile.write(record, prometheus.toAbsolutePath());
        }
        if (html != null) {
            // SEAM (monitor-report): HtmlReport.write(html, model, history windows) once it is merged.
            throw new IllegalArgumentException("--html: the HTML report is not in this build yet");
        }
    }
}
