package dev.quantize.cli;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.quantize.cli.bench.ExecutorBench;
import java.io.IOException;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;
import picocli.CommandLine.Model.CommandSpec;

/** {@code quantize bench executor}: the project's executor against ONNX Runtime, FP32, rows per second. */
@Command(name = "executor", mixinStandardHelpOptions = true,
        description = {"FP32 inference throughput of the project's executor vs ONNX Runtime (through DJL):",
                "same process, same thread count, same input batches (the model folder's eval/ split when",
                "present, else made up from the declared inputs). Default models: every shared model."})
final class ExecutorBenchCommand implements Callable<Integer> {
    @Spec
    CommandSpec spec;

    @Option(names = "--model", paramLabel = "PATH", description = "A model file or a folder holding model.onnx (repeatable; default: the shared models).")
    List<Path> models = new ArrayList<>();

    @Option(names = "--batch", split = ",", defaultValue = "1,64,1024", description = "Batch sizes (default ${DEFAULT-VALUE}).")
    int[] batches;

    @Option(names = "--threads", defaultValue = "2", description = "Threads for both engines (default ${DEFAULT-VALUE}).")
    int threads;

    @Option(names = "--runs", defaultValue = "7", description = "Timed runs per measurement; the median is kept (default ${DEFAULT-VALUE}).")
    int runs;

    @Option(names = "--json", description = "Print JSON instead of a table.")
    boolean json;

    @Override
    public Integer call() throws IOException {
        if (threads < 1 || runs < 1) {
            throw new IllegalArgumentException("--threads and --runs must be at least 1");
        }
        for (int b : batches) {
            if (b < 1) {
                throw new IllegalArgumentException("--batch sizes must be at least 1, got " + b);
            }
        }
        List<Path> files = new ArrayList<>();
        if (models.isEmpty()) {
            files.addAll(ExecutorBench.defaultModels(ExecutorBench.sharedModels(System.getProperty("quantize.shared"),
                    System.getenv("QUANTIZE_SHARED"), System.getProperty("quantize.home"))));
        } else {
            models.forEach(m -> files.add(ExecutorBench.modelFile(m)));
        }
        List<ExecutorBench.Result> results;
        try (Progress p = new Progress("benchmarking", (long) files.size() * batches.length)) {
            results = ExecutorBench.run(files, batches, threads, runs, p::step);
        }
        PrintWriter out = spec.commandLine().getOut();
        if (json) {
            ObjectNode root = Json.object();
            root.put("threads", threads);
            root.put("runs", runs);
            ArrayNode arr = root.putArray("results");
            for (ExecutorBench.Result r : results) {
                ObjectNode o = arr.addObject();
                o.put("model", r.model());
                o.put("batch", r.batch());
                o.put("inputs", r.inputs());
                o.put("executor_seconds", r.executorSeconds());
                o.put("ort_seconds", r.ortSeconds());
                o.put("executor_rows_per_s", r.executorRowsPerSecond());
                o.put("ort_rows_per_s", r.ortRowsPerSecond());
                o.put("ratio", r.ratio());
                Json.put(o, "max_rel_diff", r.maxRelDiff());
            }
            Json.print(out, root);
            return 0;
        }
        Table t = new Table("model", "batch", "inputs", "executor rows/s", "ORT rows/s", "ratio", "max rel diff");
        for (ExecutorBench.Result r : results) {
            t.row(r.model(), r.batch(), r.inputs(), String.format("%.0f", r.executorRowsPerSecond()),
                    String.format("%.0f", r.ortRowsPerSecond()), String.format("%.2f", r.ratio()),
                    String.format("%.1e", r.maxRelDiff()));
        }
        t.print(out);
        out.println("FP32, " + threads + " thread(s) each; ratio = ORT time / executor time (above 1: executor faster); "
                + "median of " + runs + " runs; max rel diff = max |exec-ORT|/max(1,|ORT|).");
        out.flush();
        return 0;
    }
}
