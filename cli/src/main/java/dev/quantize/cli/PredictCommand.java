package dev.quantize.cli;

import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.quantize.core.data.ArrowWriter;
import dev.quantize.core.data.Batch;
import dev.quantize.core.data.BatchReader;
import dev.quantize.core.data.ColumnSpec;
import dev.quantize.core.data.Dataset;
import dev.quantize.core.data.DatasetBinding;
import dev.quantize.core.data.Datasets;
import dev.quantize.core.data.NpyWriter;
import dev.quantize.core.exec.Executor;
import dev.quantize.core.graph.Model;
import dev.quantize.core.graph.ValueInfo;
import dev.quantize.core.tensor.Tensor;
import java.io.IOException;
import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;
import picocli.CommandLine.Model.CommandSpec;

/** {@code quantize predict MODEL --data DATA -o OUT}: runs a model over a dataset and writes its outputs. */
@Command(name = "predict", mixinStandardHelpOptions = true,
        description = {"Run a model over a dataset and write its outputs.",
                "OUT ending in .arrow/.feather/.ipc is one Arrow IPC file with a column per output; any other OUT",
                "is a folder with one OUTPUT.npy per output. Prints rows per second.",
                "An artifact runs from its packed bytes (memory-mapped, packed kernels); --emulate runs it by fake quantization."})
final class PredictCommand implements Callable<Integer> {
    @Spec
    CommandSpec spec;

    @Parameters(paramLabel = "MODEL", description = "An .onnx model, or a quantized artifact (recognised by its content, not its name).")
    Path modelPath;

    @Option(names = "--data", required = true, description = "Input data: a folder of .npy files, an Arrow IPC file, or Parquet.")
    Path data;

    @Option(names = {"-o", "--output"}, required = true, description = "Where to write the outputs (.arrow file or .npy folder).")
    Path output;

    @Option(names = "--batch", defaultValue = "1024", description = "Rows per batch (default ${DEFAULT-VALUE}).")
    int batchSize;

    @Option(names = "--threads", description = "Worker threads (default: every core).")
    Integer threads;

    @picocli.CommandLine.Mixin
    LoadedModel.Options loading = new LoadedModel.Options();

    @Option(names = "--json", description = "Print a JSON summary instead of text.")
    boolean json;

    /** The writer for one kind of output, created when the first batch shows the output shapes. */
    private interface Sink extends AutoCloseable {
        void write(Map<String, Tensor> outputs, int rows);

        void commit();

        @Override
        void close();
    }

    @Override
    public Integer call() throws IOException {
        if (batchSize < 1) {
            throw new IllegalArgumentException("--batch must be at least 1");
        }
        LoadedModel loaded = LoadedModel.load(modelPath, threads, loading);
        Model model = loaded.model();
        Executor executor = loaded.executor();
        List<String> outputNames = model.graph().outputs().stream().map(ValueInfo::name).toList();
        long rows = 0;
        long start = System.nanoTime();
        double seconds;
        try (Dataset ds = Datasets.open(data);
             BatchReader reader = ds.batches(batchSize);
             Progress progress = new Progress("predicting", ds.rowCount().orElse(0))) {
            DatasetBinding binding = DatasetBinding.bind(ds, model.graph().runtimeInputs());
            Sink sink = null;
            try {
                while (reader.hasNext()) {
                    Batch batch = reader.next();
                    Map<String, Tensor> out = executor.run(binding.feed(batch));
                    Map<String, Tensor> ordered = new LinkedHashMap<>();
                    for (String n : outputNames) {
                        ordered.put(n, out.get(n));
                    }
                    if (sink == null) {
                        sink = openSink(ordered, batch.rows());
                    }
                    sink.write(ordered, batch.rows());
                    rows += batch.rows();
                    progress.advance(batch.rows());
                }
                seconds = (System.nanoTime() - start) / 1e9;
                if (sink == null) {
                    throw new IllegalArgumentException(ds.name() + ": no rows");
                }
                sink.commit();
            } finally {
                if (sink != null) {
                    sink.close();
                }
            }
        }
        PrintWriter out = spec.commandLine().getOut();
        double rowsPerSecond = rows / seconds;
        if (json) {
            ObjectNode root = Json.object();
            root.put("model", modelPath.toString());
            root.put("rows", rows);
            root.put("seconds", seconds);
            root.put("rows_per_second", rowsPerSecond);
            root.put("output", output.toString());
            Json.print(out, root);
        } else {
            out.printf("%d rows in %.3f s (%,.0f rows/s) -> %s%n", rows, seconds, rowsPerSecond, output);
            out.flush();
        }
        return 0;
    }

    private static ColumnSpec spec(String name, Tensor t, int rows) {
        int[] shape = t.shape();
        if (shape.length == 0 || shape[0] != rows) {
            throw new IllegalArgumentException("output '" + name + "' has shape " + Arrays.toString(shape)
                    + ", which has no batch axis of " + rows + " rows; it cannot be written row by row");
        }
        return new ColumnSpec(name, t.type(), Arrays.copyOfRange(shape, 1, shape.length));
    }

    private Sink openSink(Map<String, Tensor> first, int rows) throws IOException {
        List<ColumnSpec> specs = new ArrayList<>();
        first.forEach((n, t) -> specs.add(spec(n, t, rows)));
        String name = output.getFileName().toString().toLowerCase();
        if (name.endsWith(".arrow") || name.endsWith(".feather") || name.endsWith(".ipc")) {
            ArrowWriter w = ArrowWriter.create(output, specs);
            return new Sink() {
                public void write(Map<String, Tensor> outputs, int n) {
                    w.write(new Batch(outputs, n));
                }

                public void commit() {
                    w.commit();
                }

                public void close() {
                    w.close();
                }
            };
        }
        Files.createDirectories(output);
        Map<String, NpyWriter> writers = new LinkedHashMap<>();
        try {
            for (ColumnSpec c : specs) {
                writers.put(c.name(), NpyWriter.create(output.resolve(safeFileName(c.name()) + ".npy"), c.type(), c.rowShape()));
            }
        } catch (RuntimeException e) {
            writers.values().forEach(NpyWriter::close);
            throw e;
        }
        return new Sink() {
            public void write(Map<String, Tensor> outputs, int n) {
                outputs.forEach((k, t) -> writers.get(k).append(t));
            }

            public void commit() {
                writers.values().forEach(NpyWriter::commit);
            }

            public void close() {
                writers.values().forEach(NpyWriter::close);
            }
        };
    }

    /** Output names may hold characters a file name cannot. */
    static String safeFileName(String name) {
        return name.replaceAll("[^A-Za-z0-9._-]", "_");
    }
}
