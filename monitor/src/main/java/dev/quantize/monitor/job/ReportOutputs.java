package dev.quantize.monitor.job;

import dev.quantize.monitor.history.WindowRecord;
import java.nio.file.Path;
import java.util.List;

/**
 * The reports other code renders from a window: the Prometheus textfile and the HTML report over
 * the history (package {@code dev.quantize.monitor.report}).
 */
final class ReportOutputs {
    private ReportOutputs() {
    }

    static void write(WindowRecord record, Path prometheus, Path html, Path history, List<String> notes) {
        // SEAM (monitor-report): filled in once dev.quantize.monitor.report is merged.
        if (prometheus != null || html != null) {
            throw new UnsupportedOperationException("the Prometheus and HTML reports are not available in this build");
        }
    }
}
