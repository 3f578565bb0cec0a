package dev.quantize.cli;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.quantize.monitor.history.History;
import dev.quantize.monitor.history.WindowRecord;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/** {@code quantize monitor history}: the windows of a model's history with their status and key metrics. */
@Command(name = "history", mixinStandardHelpOptions = true,
        description = {"List a model's monitoring windows, oldest first: status and key metrics.",
                "A missing metric prints as '-', an undefined one (e.g. AUC on a one-class window) as NaN."})
final class MonitorHistoryCommand implements Callable<Integer> {
    /** The metrics in the table, in order. */
    static final List<String> KEY_METRICS = List.of("agreement", "auc_delta", "ne_delta_rel", "accuracy_delta",
            "output_sqnr_db", "max_input_psi", "min_layer_sqnr_db");

    @Spec
    CommandSpec spec;

    @Option(names = "--history", required = true, paramLabel = "DB", description = "The monitor's history database.")
    Path history;

    @Option(names = "--model", paramLabel = "M", description = "The model (default: the only model in the history).")
    String model;

    @Option(names = "--json", description = "Print JSON (every summary metric of every window) instead of a table.")
    boolean json;

    @Override
    public Integer call() throws Exception {
        MonitorHistoryFile.Selection s;
        try (History h = MonitorHistoryFile.open(history)) {
            s = MonitorHistoryFile.windows(h, model);
        }
        PrintWriter out = spec.commandLine().getOut();
        if (json) {
            ObjectNode root = Json.object();
            root.put("model", s.model());
            ArrayNode arr = root.putArray("windows");
            for (WindowRecord w : s.windows()) {
                ObjectNode o = arr.addObject();
                o.put("window", w.window());
                o.put("started_at", w.startedAt().toString());
                o.put("rows", w.rows());
                o.put("status", w.status());
                ObjectNode m = o.putObject("metrics");
                new java.util.TreeMap<>(w.metrics()).forEach((k, v) -> Json.put(m, k, v));
            }
            Json.print(out, root);
            return 0;
        }
        String[] header = new String[4 + KEY_METRICS.size()];
        header[0] = "window";
        header[1] = "started (UTC)";
        header[2] = "rows";
        header[3] = "status";
        for (int i = 0; i < KEY_METRICS.size(); i++) {
            header[4 + i] = KEY_METRICS.get(i);
        }
        Table t = new Table(header);
        for (WindowRecord w : s.windows()) {
            Object[] row = new Object[header.length];
            row[0] = w.window();
            row[1] = w.startedAt().toString().replace('T', ' ').replaceAll(":\\d\\d(\\.\\d+)?Z$", "");
            row[2] = w.rows();
            row[3] = w.status();
            for (int i = 0; i < KEY_METRICS.size(); i++) {
                row[4 + i] = cell(w.metrics(), KEY_METRICS.get(i));
            }
            t.row(row);
        }
        out.println("model " + s.model() + ": " + s.windows().size() + (s.windows().size() == 1 ? " window" : " windows"));
        t.print(out);
        return 0;
    }

    static String cell(Map<String, Double> metrics, String key) {
        Double v = metrics.get(key);
        if (v == null) {
            return "-";
        }
        if (Double.isNaN(v)) {
            return "NaN";
        }
        if (Double.isInfinite(v)) {
            return v > 0 ? "inf" : "-inf";
        }
        return String.format(Locale.ROOT, "%.4g", v);
    }
}
