package dev.quantize.cli;

import dev.quantize.monitor.history.History;
import dev.quantize.monitor.report.HtmlReport;
import java.nio.file.Path;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/** {@code quantize monitor report}: a self-contained HTML report of a model's monitoring history. */
@Command(name = "report", mixinStandardHelpOptions = true,
        description = {"Write one self-contained HTML page (charts embedded) for a model's monitoring history:",
                "quality metrics over the windows, per-layer SQNR and saturation against calibration, input drift,",
                "and the latest window's findings and recommendations."})
final class MonitorReportCommand implements Callable<Integer> {
    @Spec
    CommandSpec spec;

    @Option(names = "--history", required = true, paramLabel = "DB", description = "The monitor's history database.")
    Path history;

    @Option(names = "--model", paramLabel = "M", description = "The model (default: the only model in the history).")
    String model;

    @Option(names = {"-o", "--output"}, required = true, paramLabel = "FILE", description = "The HTML file to write.")
    Path output;

    @Option(names = "--top", defaultValue = "8", paramLabel = "N",
            description = "Plot the N worst layers and inputs when there are more (default: ${DEFAULT-VALUE}).")
    int top;

    @Override
    public Integer call() throws Exception {
        if (top < 1) {
            throw new IllegalArgumentException("--top must be at least 1, got " + top);
        }
        MonitorHistoryFile.Selection s;
        try (History h = MonitorHistoryFile.open(history)) {
            s = MonitorHistoryFile.windows(h, model);
        }
        HtmlReport.write(output, s.model(), s.windows(), top);
        spec.commandLine().getOut().printf("wrote %s: model %s, %d %s%n", output, s.model(), s.windows().size(),
                s.windows().size() == 1 ? "window" : "windows");
        return 0;
    }
}
