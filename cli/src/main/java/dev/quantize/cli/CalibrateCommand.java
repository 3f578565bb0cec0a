package dev.quantize.cli;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.quantize.calibration.CalibrationConfig;
import dev.quantize.calibration.CalibrationRunner;
import dev.quantize.calibration.CalibrationStats;
import dev.quantize.calibration.Method;
import dev.quantize.calibration.Range;
import dev.quantize.calibration.RangeSelection;
import dev.quantize.calibration.TensorStats;
import dev.quantize.core.data.Dataset;
import dev.quantize.core.data.Datasets;
import dev.quantize.core.exec.Executor;
import dev.quantize.core.graph.Model;
import dev.quantize.core.onnx.OnnxReader;
import java.io.IOException;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;
import picocli.CommandLine.Model.CommandSpec;

/** {@code quantize calibrate MODEL --data DATA -o stats.json}: two streaming passes, statistics saved as JSON. */
@Command(name = "calibrate", mixinStandardHelpOptions = true,
        description = {"Calibrate a model over a dataset: weights, then two streaming passes over the data",
                "(min/max statistics, then |x| histograms). Writes mergeable statistics as JSON and prints",
                "each observed tensor's range per method."})
final class CalibrateCommand implements Callable<Integer> {
    @Spec
    CommandSpec spec;

    @Parameters(paramLabel = "MODEL", description = "An .onnx model.")
    Path modelPath;

    @Option(names = "--data", required = true, description = "Calibration data: a folder of .npy files, an Arrow IPC file, or Parquet.")
    Path data;

    @Option(names = {"-o", "--output"}, required = true, description = "Where to write the statistics (JSON).")
    Path output;

    @Option(names = "--method", split = ",", paramLabel = "METHOD",
            description = "Methods to show (comma-separated): min-max, moving-average-min-max, percentile, entropy, mse "
                    + "(default: all). The statistics file serves every method.")
    List<String> methods;

    @Option(names = "--percentile", defaultValue = "99.999", description = "Percentile for the percentile method (default ${DEFAULT-VALUE}).")
    double percentile;

    @Option(names = "--batch", defaultValue = "256", description = "Rows per batch (default ${DEFAULT-VALUE}).")
    int batchSize;

    @Option(names = "--max-rows", defaultValue = "0", description = "Use at most this many rows (default: all).")
    long maxRows;

    @Option(names = "--per-channel", description = "Also build per-channel histograms (per-channel percentile, entropy, MSE).")
    boolean perChannel;

    @Option(names = "--value", split = ",", paramLabel = "NAME", description = "Further values to observe (graph inputs, node outputs).")
    List<String> values = List.of();

    @Option(names = "--threads", description = "Worker threads (default: every core).")
    Integer threads;

    @Option(names = "--json", description = "Print JSON instead of a table.")
    boolean json;

    @Option(names = "--spark", paramLabel = "MASTER", description = "Run the passes as Spark jobs on MASTER (local[2], "
            + "spark://host:port, or submit under spark-submit); DATA is then Parquet, a file or a folder.")
    String spark;

    @Override
    public Integer call() throws Exception {
        CalibrationConfig config = CalibrationConfig.defaults().withBatchSize(batchSize).withMaxRows(maxRows)
                .withPerChannelHistograms(perChannel).withExtraValues(values);
        List<RangeSelection> selections = new ArrayList<>();
        for (Method m : methods == null ? List.of(Method.values()) : methods.stream().map(Method::parse).toList()) {
            selections.add(RangeSelection.of(m).withPercentile(percentile));
        }
        if (spark != null) {
            long start = System.nanoTime();
            CalibrationStats stats = SparkBridge.call("calibrate",
                    new Class<?>[] {String.class, Path.class, Path.class, CalibrationConfig.class}, spark, modelPath, data, config);
            stats.write(output);
            print(stats, selections, (System.nanoTime() - start) / 1e9);
            return 0;
        }
        Model model = OnnxReader.read(modelPath);
        Executor.Builder b = Executor.builder(model);
        if (threads != null) {
            b.threads(threads);
        }
        Executor executor = b.build();
        CalibrationStats stats;
        long start = System.nanoTime();
        try (Dataset ds = Datasets.open(data)) {
            long perPass = ds.rowCount().isPresent()
                    ? (maxRows > 0 ? Math.min(maxRows, ds.rowCount().getAsLong()) : ds.rowCount().getAsLong()) : maxRows;
            try (Progress progress = new Progress("calibrating", 2 * perPass)) {
                long[] shown = {0};
                stats = CalibrationRunner.run(executor, ds, config, (pass, done, total) -> {
                    long overall = (pass - 1) * Math.max(total, 0) + done;
                    progress.advance(Math.max(0, overall - shown[0]));
                    shown[0] = Math.max(shown[0], overall);
                });
            }
        }
        double seconds = (System.nanoTime() - start) / 1e9;
        stats.write(output);
        print(stats, selections, seconds);
        return 0;
    }

    private void print(CalibrationStats stats, List<RangeSelection> selections, double seconds) {
        PrintWriter out = spec.commandLine().getOut();
        if (json) {
            ObjectNode root = Json.object();
            root.put("model", modelPath.toString());
            root.put("rows", stats.rows());
            root.put("seconds", seconds);
            root.put("output", output.toString());
            ArrayNode tensors = root.putArray("tensors");
            for (Map.Entry<String, TensorStats> e : stats.tensors().entrySet()) {
                ObjectNode t = tensors.addObject();
                t.put("name", e.getKey());
                t.put("kind", e.getValue().kind().name().toLowerCase());
                t.put("count", e.getValue().stats().count());
                t.put("nan", e.getValue().stats().nanCount());
                t.put("inf", e.getValue().stats().infCount());
                ObjectNode ranges = t.putObject("ranges");
                for (RangeSelection s : selections) {
                    Range r = rangeOrNull(stats, e.getKey(), s);
                    if (r != null) {
                        ArrayNode a = ranges.putArray(s.label());
                        a.add(r.lo());
                        a.add(r.hi());
                    }
                }
            }
            Json.print(out, root);
            return;
        }
        List<String> header = new ArrayList<>(List.of("tensor", "kind", "values"));
        selections.forEach(s -> header.add(s.label()));
        Table table = new Table(header.toArray(String[]::new));
        for (Map.Entry<String, TensorStats> e : stats.tensors().entrySet()) {
            List<Object> row = new ArrayList<>(Arrays.asList(e.getKey(), e.getValue().kind().name().toLowerCase(),
                    String.format("%,d", e.getValue().stats().count())));
            for (RangeSelection s : selections) {
                Range r = rangeOrNull(stats, e.getKey(), s);
                row.add(r == null ? "-" : String.format("[%.4g, %.4g]", r.lo(), r.hi()));
            }
            table.row(row.toArray());
        }
        table.print(out);
        out.printf("%d rows in %.2f s; statistics -> %s%n", stats.rows(), seconds, output);
        out.flush();
    }

    /** A tensor with no finite values has no range: shown as "-". */
    private static Range rangeOrNull(CalibrationStats stats, String tensor, RangeSelection s) {
        return stats.tensor(tensor).stats().count() == 0 ? null : stats.range(tensor, s);
    }
}
