package dev.quantize.cli;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.quantize.cli.bench.ExecutorBench;
import dev.quantize.cli.bench.MonitorBench;
import java.io.IOException;
import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;
import picocli.CommandLine.Model.CommandSpec;

/** {@code quantize bench monitor}: the cost of a monitor window as a ratio to plain FP32 inference of the same rows. */
@Command(name = "monitor", mixinStandardHelpOptions = true,
        description = {"Rows per second of a monitor window (FP32 + quantized side by side, hooks, statistics) vs plain",
                "FP32 inference of the same in-memory rows, same process and threads. Each model folder (model.onnx,",
                "calib/, eval/; default: every shared model) is quantized with the default search first."})
final class MonitorBenchCommand implements Callable<Integer> {
    @Spec
    CommandSpec spec;

    @Option(names = "--model", paramLabel = "DIR", description = "A model folder with model.onnx, calib/ and eval/ (repeatable; default: the shared models).")
    List<Path> models = new ArrayList<>();

    @Option(names = "--batch", defaultValue = "512", description = "Rows per batch (default ${DEFAULT-VALUE}).")
    int batch;

    @Option(names = "--threads", defaultValue = "2", description = "Threads (default ${DEFAULT-VALUE}).")
    int threads;

    @Option(names = "--runs", defaultValue = "5", description = "Timed passes per measurement; the median is kept (default ${DEFAULT-VALUE}).")
    int runs;

    @Option(names = "--json", description = "Print JSON instead of a table.")
    boolean json;

    @Override
    public Integer call() throws IOException {
        if (batch < 1 || threads < 1 || runs < 1) {
            throw new IllegalArgumentException("--batch, --threads and --runs must be at least 1");
        }
        List<Path> folders = new ArrayList<>();
        if (models.isEmpty()) {
            for (Path f : ExecutorBench.defaultModels(ExecutorBench.sharedModels(System.getProperty("quantize.shared"),
                    System.getenv("QUANTIZE_SHARED"), System.getProperty("quantize.home")))) {
                folders.add(f.getParent());
            }
        } else {
            for (Path m : models) {
                if (!Files.isRegularFile(m.resolve("model.onnx")) || !Files.isDirectory(m.resolve("calib")) || !Files.isDirectory(m.resolve("eval"))) {
                    throw new IllegalArgumentException(m + ": expected a folder with model.onnx, calib/ and eval/");
                }
                folders.add(m);
            }
        }
        List<MonitorBench.Result> results = new ArrayList<>();
        try (Progress p = new Progress("benchmarking", folders.size())) {
            for (Path f : folders) {
                results.add(MonitorBench.run(f, batch, threads, runs));
                p.step();
            }
        }
        PrintWriter out = spec.commandLine().getOut();
        if (json) {
            ObjectNode root = Json.object();
            root.put("threads", threads);
            root.put("batch", batch);
            root.put("runs", runs);
            ArrayNode arr = root.putArray("results");
            for (MonitorBench.Result r : results) {
                ObjectNode o = arr.addObject();
                o.put("model", r.model());
                o.put("rows", r.rows());
                o.put("fp32_seconds", r.fp32Seconds());
                o.put("fp32_and_quantized_seconds", r.bothSeconds());
                o.put("monitor_seconds", r.monitorSeconds());
                o.put("fp32_rows_per_second", r.rows() / r.fp32Seconds());
                o.put("monitor_rows_per_second", r.rows() / r.monitorSeconds());
                o.put("monitor_to_fp32_ratio", r.ratio());
            }
            Json.print(out, root);
            return 0;
        }
        Table t = new Table("model", "rows", "fp32 rows/s", "fp32+quantized rows/s", "monitor rows/s", "monitor cost (x fp32)");
        for (MonitorBench.Result r : results) {
            t.row(r.model(), r.rows(), fmt(r.rows() / r.fp32Seconds()), fmt(r.rows() / r.bothSeconds()), fmt(r.rows() / r.monitorSeconds()),
                    String.format(Locale.ROOT, "%.2f", r.ratio()));
        }
        t.print(out);
        out.printf(Locale.ROOT, "batch %d, %d threads, median of %d passes over the eval rows in memory.%n", batch, threads, runs);
        out.flush();
        return 0;
    }

    private static String fmt(double v) {
        return String.format(Locale.ROOT, "%,.0f", v);
    }
}
