package dev.quantize.cli;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.quantize.cli.bench.FormatBench;
import java.io.PrintWriter;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;
import picocli.CommandLine.Model.CommandSpec;

/** {@code quantize bench}: the project's benchmarks, each reported as ratios against a yardstick measured in the same run. */
@Command(name = "bench", mixinStandardHelpOptions = true, description = "Run a benchmark (ratios against a yardstick in the same run).",
        subcommands = {BenchCommand.Formats.class, ExecutorBenchCommand.class, MonitorBenchCommand.class})
final class BenchCommand implements Runnable {
    @Spec
    CommandSpec spec;

    @Override
    public void run() {
        spec.commandLine().usage(spec.commandLine().getOut());
    }

    @Command(name = "formats", mixinStandardHelpOptions = true,
            description = "Quantize-dequantize throughput of MX and BDR formats vs a plain array copy, 1 and 2 threads.")
    static final class Formats implements Callable<Integer> {
        @Spec
        CommandSpec spec;

        @Option(names = "--rows", defaultValue = "4096", description = "Tensor rows (default ${DEFAULT-VALUE}).")
        int rows;

        @Option(names = "--cols", defaultValue = "4096", description = "Tensor columns (default ${DEFAULT-VALUE}).")
        int cols;

        @Option(names = "--runs", defaultValue = "7", description = "Timed runs per measurement; the median is kept (default ${DEFAULT-VALUE}).")
        int runs;

        @Option(names = "--threads", split = ",", defaultValue = "1,2", description = "Thread counts (default ${DEFAULT-VALUE}).")
        int[] threads;

        @Option(names = "--format", split = ",", description = "Formats (default: every MX and BDR format).")
        List<String> formats = new ArrayList<>();

        @Option(names = "--json", description = "Print JSON instead of a table.")
        boolean json;

        @Override
        public Integer call() {
            if (rows < 1 || cols < 1 || runs < 1) {
                throw new IllegalArgumentException("--rows, --cols and --runs must be at least 1");
            }
            List<String> names = formats.isEmpty() ? FormatBench.DEFAULT_FORMATS : formats;
            List<FormatBench.Result> results;
            try (Progress p = new Progress("benchmarking", (long) names.size() * threads.length)) {
                results = FormatBench.run(names, rows, cols, threads, runs, p::step);
            }
            long n = (long) rows * cols;
            PrintWriter out = spec.commandLine().getOut();
            if (json) {
                ObjectNode root = Json.object();
                root.put("shape", "[" + rows + ", " + cols + "]");
                ArrayNode arr = root.putArray("results");
                for (FormatBench.Result r : results) {
                    ObjectNode o = arr.addObject();
                    o.put("format", r.format());
                    o.put("kernel", r.kernel());
                    o.put("threads", r.threads());
                    o.put("seconds", r.seconds());
                    o.put("copy_seconds", r.copySeconds());
                    o.put("gb_per_s", r.gbPerSecond(n));
                    o.put("ratio_to_copy", r.ratioToCopy());
                }
                Json.print(out, root);
                return 0;
            }
            Table t = new Table("format", "kernel", "threads", "ms", "GB/s", "copy ms", "ratio to copy");
            for (FormatBench.Result r : results) {
                t.row(r.format(), r.kernel(), r.threads(), String.format("%.1f", r.seconds() * 1e3), String.format("%.2f", r.gbPerSecond(n)),
                        String.format("%.1f", r.copySeconds() * 1e3), String.format("%.2f", r.ratioToCopy()));
            }
            t.print(out);
            out.println("Tensor " + rows + "x" + cols + " float32, blocks along the last axis; GB/s counts bytes read + written; median of " + runs + " runs.");
            out.flush();
            return 0;
        }
    }
}
