package dev.quantize.cli;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.quantize.cli.bench.ExecutorBench;
import dev.quantize.cli.bench.LowpBench;
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

/** {@code quantize bench lowp}: the INT8 and weight-only GEMM kernels vs the FP32 Gemm on the models' layer shapes. */
@Command(name = "lowp", mixinStandardHelpOptions = true,
        description = {"Throughput of the low-precision GEMM kernels (INT8 with fused requantization; weight-only",
                "formats decoded a panel at a time) vs the FP32 Gemm with a prepacked weight, on the Gemm layers",
                "of the models at one batch size. Default models: every shared model."})
final class LowpBenchCommand implements Callable<Integer> {
    @Spec
    CommandSpec spec;

    @Option(names = "--model", paramLabel = "PATH", description = "A model file or a folder holding model.onnx (repeatable; default: the shared models).")
    List<Path> models = new ArrayList<>();

    @Option(names = "--batch", defaultValue = "1024", description = "Rows M of the activations (default ${DEFAULT-VALUE}).")
    int batch;

    @Option(names = "--threads", split = ",", defaultValue = "1,2", description = "Thread counts (default ${DEFAULT-VALUE}).")
    int[] threads;

    @Option(names = "--runs", defaultValue = "9", description = "Timed runs per measurement; the median is kept (default ${DEFAULT-VALUE}).")
    int runs;

    @Option(names = "--format", split = ",", description = "Weight-only formats for the decoding GEMM (default: int4_per_group, mxint8, mxfp8/6/4, mx9/6/4, fp16, bf16).")
    List<String> formats = new ArrayList<>();

    @Option(names = "--json", description = "Print JSON instead of a table.")
    boolean json;

    @Override
    public Integer call() throws IOException {
        if (batch < 1 || runs < 1) {
            throw new IllegalArgumentException("--batch and --runs must be at least 1");
        }
        for (int t : threads) {
            if (t < 1) {
                throw new IllegalArgumentException("--threads must be at least 1, got " + t);
            }
        }
        List<Path> files = new ArrayList<>();
        if (models.isEmpty()) {
            files.addAll(ExecutorBench.defaultModels(ExecutorBench.sharedModels(System.getProperty("quantize.shared"),
                    System.getenv("QUANTIZE_SHARED"), System.getProperty("quantize.home"))));
        } else {
            models.forEach(m -> files.add(ExecutorBench.modelFile(m)));
        }
        List<String> names = formats.isEmpty() ? LowpBench.DEFAULT_FORMATS : formats;
        List<LowpBench.Result> results;
        try (Progress p = new Progress("benchmarking", LowpBench.steps(files, names, threads))) {
            results = LowpBench.run(files, batch, names, threads, runs, p::step);
        }
        PrintWriter out = spec.commandLine().getOut();
        if (json) {
            ObjectNode root = Json.object();
            root.put("batch", batch);
            root.put("runs", runs);
            ArrayNode arr = root.putArray("results");
            for (LowpBench.Result r : results) {
                ObjectNode o = arr.addObject();
                o.put("model", r.model());
                o.put("layer", r.layer());
                o.put("m", r.m());
                o.put("k", r.k());
                o.put("n", r.n());
                o.put("kernel", r.kernel());
                o.put("threads", r.threads());
                o.put("seconds", r.seconds());
                o.put("fp32_seconds", r.fp32Seconds());
                o.put("gops", r.gops());
                o.put("ratio_to_fp32", r.ratio());
                o.put("weight_bytes", r.weightBytes());
            }
            Json.print(out, root);
            return 0;
        }
        Table t = new Table("model", "layer", "M", "K", "N", "kernel", "threads", "GOP/s", "ratio to FP32", "weight bytes");
        for (LowpBench.Result r : results) {
            t.row(r.model(), r.layer(), r.m(), r.k(), r.n(), r.kernel(), r.threads(), String.format("%.1f", r.gops()),
                    String.format("%.2f", r.ratio()), r.weightBytes());
        }
        t.print(out);
        out.println("GOP/s counts 2*M*N*K; ratio = FP32 Gemm time / kernel time, the FP32 Gemm (prepacked weight, bias"
                + " as beta*C) timed just before each kernel; median of " + runs + " runs.");
        out.flush();
        return 0;
    }
}
