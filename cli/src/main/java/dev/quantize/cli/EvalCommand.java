package dev.quantize.cli;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.quantize.core.data.Batch;
import dev.quantize.core.data.BatchReader;
import dev.quantize.core.data.Dataset;
import dev.quantize.core.data.DatasetBinding;
import dev.quantize.core.data.Datasets;
import dev.quantize.core.exec.Executor;
import dev.quantize.core.onnx.OnnxReader;
import dev.quantize.core.tensor.Tensor;
import dev.quantize.quantizer.search.Metric;
import dev.quantize.quantizer.search.MetricsPartial;
import dev.quantize.quantizer.search.Task;
import dev.quantize.quantizer.search.TaskMetrics;
import java.io.IOException;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;
import picocli.CommandLine.Model.CommandSpec;

/** {@code quantize eval MODEL --data DATA}: the task's metrics of a model or an artifact on labelled data. */
@Command(name = "eval", mixinStandardHelpOptions = true,
        description = {"Measure a model or a quantized artifact on a dataset, in the task's metrics.",
                "Binary outputs: AUC, normalized entropy, calibration; class scores: top-1 accuracy. With --reference",
                "(the FP32 model) also SQNR and cosine against it. An artifact is evaluated on the rows and batch size",
                "its search used unless --rows/--batch say otherwise, so it reproduces the reported metric exactly.",
                "An artifact runs from its packed bytes (memory-mapped, packed kernels); --emulate runs it by fake quantization."})
final class EvalCommand implements Callable<Integer> {
    @Spec
    CommandSpec spec;

    @Parameters(paramLabel = "MODEL", description = "An .onnx model or a quantized artifact.")
    Path modelPath;

    @Option(names = "--data", required = true, description = "Labelled data (.npy folder, Arrow IPC, Parquet).")
    Path data;

    @Option(names = "--reference", description = "The FP32 .onnx model, for SQNR and cosine against it.")
    Path reference;

    @Option(names = "--batch", description = "Rows per batch (default: the artifact's search batch, else 512).")
    Integer batch;

    @Option(names = "--rows", description = "Evaluate the first ROWS rows (default: the artifact's search rows, else all).")
    Long rows;

    @Option(names = "--threads", description = "Worker threads (default: every core).")
    Integer threads;

    @picocli.CommandLine.Mixin
    LoadedModel.Options loading = new LoadedModel.Options();

    @Option(names = "--json", description = "Print JSON instead of a table.")
    boolean json;

    @Option(names = "--spark", paramLabel = "MASTER", description = "Evaluate as a Spark job on MASTER (local[2], "
            + "spark://host:port, or submit under spark-submit); DATA is then Parquet, a file or a folder.")
    String spark;

    @Override
    public Integer call() throws Exception {
        LoadedModel m = LoadedModel.load(modelPath, threads, loading);
        JsonNode report = m.reportJson().map(EvalCommand::parse).orElse(null);
        int batchSize = batch != null ? batch : report != null && report.has("batch_size") ? report.get("batch_size").asInt() : 512;
        long maxRows = rows != null ? rows : report != null && report.has("eval_rows") ? report.get("eval_rows").asLong() : Long.MAX_VALUE;
        if (batchSize < 1 || maxRows < 1) {
            throw new IllegalArgumentException("--batch and --rows must be at least 1");
        }
        Task task;
        Map<Metric, Double> metrics;
        long n;
        if (spark != null) {
            MetricsPartial partial = SparkBridge.call("evaluate", new Class<?>[] {String.class, Path.class, Path.class,
                    Path.class, int.class, long.class}, spark, modelPath, reference, data, batchSize,
                    maxRows == Long.MAX_VALUE ? 0L : maxRows);
            task = partial.task();
            metrics = partial.metrics();
            n = partial.rows();
        } else {
            Executor ref = reference == null ? null : Executor.builder(OnnxReader.read(reference)).parallelism(m.executor().parallelism()).build();
            String output = m.model().graph().outputs().get(0).name();
            FloatList outputs = new FloatList();
            FloatList refOutputs = new FloatList();
            FloatList labels = new FloatList();
            long nRows = 0;
            try (Dataset ds = Datasets.open(data); BatchReader r = ds.batches(batchSize);
                 Progress p = new Progress("evaluating", Math.min(maxRows, ds.rowCount().orElse(0)))) {
                DatasetBinding binding = DatasetBinding.bind(ds, m.model().graph().runtimeInputs());
                while (r.hasNext() && nRows < maxRows) {
                    Batch b = r.next();
                    Map<String, Tensor> in = binding.feed(b);
                    outputs.add(m.executor().run(in).get(output).floats());
                    if (ref != null) {
                        refOutputs.add(ref.run(in).get(output).floats());
                    }
                    b.labels().ifPresent(l -> {
                        for (int i = 0; i < l.size(); i++) {
                            labels.add((float) l.getDouble(i));
                        }
                    });
                    nRows += b.rows();
                    p.advance(b.rows());
                }
            }
            if (nRows == 0) {
                throw new IllegalArgumentException(data + ": no rows");
            }
            float[] out = outputs.toArray();
            float[] y = labels.size() == nRows ? labels.toArray() : null;
            int perRow = (int) (out.length / nRows);
            n = nRows;
            task = TaskMetrics.taskOf(y, perRow);
            metrics = TaskMetrics.compute(task, out, y, perRow, ref == null ? null : refOutputs.toArray());
        }
        PrintWriter pw = spec.commandLine().getOut();
        if (json) {
            ObjectNode root = Json.object();
            root.put("model", modelPath.toString());
            root.put("artifact", m.artifact());
            root.put("task", task.name().toLowerCase(Locale.ROOT));
            root.put("rows", n);
            root.put("batch_size", batchSize);
            ObjectNode mm = root.putObject("metrics");
            metrics.forEach((k, v) -> Json.put(mm, k.id(), v));
            Json.print(pw, root);
        } else {
            pw.printf("%s on %s: %s task, %d rows, batch %d%n", modelPath, data, task.name().toLowerCase(Locale.ROOT), n, batchSize);
            Table t = new Table("metric", "value");
            metrics.forEach((k, v) -> t.row(k.label(), Double.isInfinite(v) ? "exact" : String.format(Locale.ROOT, "%.6f", v)));
            t.print(pw);
        }
        if (task == Task.NONE && reference == null) {
            spec.commandLine().getErr().println("quantize eval: note: the data has no labels; give --reference to compare with FP32");
        }
        return 0;
    }

    private static JsonNode parse(String json) {
        try {
            return Json.MAPPER.readTree(json);
        } catch (IOException e) {
            return null;
        }
    }

    /** A growable float array: outputs and labels of the whole split. */
    private static final class FloatList {
        private float[] data = new float[1024];
        private int size;

        void add(float v) {
            if (size == data.length) {
                data = java.util.Arrays.copyOf(data, size * 2);
            }
            data[size++] = v;
        }

        void add(float[] v) {
            while (size + v.length > data.length) {
                data = java.util.Arrays.copyOf(data, data.length * 2);
            }
            System.arraycopy(v, 0, data, size, v.length);
            size += v.length;
        }

        int size() {
            return size;
        }

        float[] toArray() {
            return java.util.Arrays.copyOf(data, size);
        }
    }
}
