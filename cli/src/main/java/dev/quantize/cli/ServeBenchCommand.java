package dev.quantize.cli;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.quantize.cli.bench.ServeBench;
import dev.quantize.core.graph.ModelSummary;
import dev.quantize.quantizer.artifact.Artifact;
import dev.quantize.quantizer.artifact.ArtifactWriter;
import dev.quantize.quantizer.plan.QuantPlan;
import java.io.IOException;
import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

/** {@code quantize bench serve ARTIFACT --fp32 MODEL}: packed execution vs the FP32 executor vs ONNX Runtime. */
@Command(name = "serve", mixinStandardHelpOptions = true,
        description = {"Rows/s and weight memory of an artifact served from its packed bytes, against the FP32",
                "executor (the yardstick) and ONNX Runtime on the FP32 model, in one run."})
final class ServeBenchCommand implements Callable<Integer> {
    @Spec
    CommandSpec spec;

    @Parameters(paramLabel = "ARTIFACT", description = "The quantized artifact.")
    Path artifact;

    @Option(names = "--fp32", required = true, paramLabel = "MODEL", description = "The FP32 .onnx model the artifact was made from (its SHA-256 must match the artifact's provenance).")
    Path fp32;

    @Option(names = "--data", description = "Input rows (default: the 'eval' folder or eval.arrow next to the FP32 model, else synthetic).")
    Path data;

    @Option(names = "--batch", split = ",", defaultValue = "1,64,1024", description = "Batch sizes (default ${DEFAULT-VALUE}).")
    int[] batches;

    @Option(names = "--threads", defaultValue = "1", description = "Threads per engine (default ${DEFAULT-VALUE}).")
    int threads;

    @Option(names = "--runs", defaultValue = "7", description = "Timed groups per engine; the median is kept (default ${DEFAULT-VALUE}).")
    int runs;

    @Option(names = "--tables", paramLabel = "FORMAT",
            description = "Re-pack the artifact's embedding tables in this format (e.g. rowwise_8bit) into a temporary artifact and serve that.")
    String tables;

    @Option(names = "--int8-layers", description = "Re-plan every Gemm/MatMul with a weight as INT8 (per-channel weights, per-tensor activations "
            + "with the artifact's calibrated ranges) into a temporary artifact and serve that.")
    boolean int8Layers;

    @Option(names = "--json", description = "Print JSON instead of tables.")
    boolean json;

    @Override
    public Integer call() throws IOException {
        if (runs < 1 || threads < 1 || batches.length == 0 || java.util.Arrays.stream(batches).anyMatch(b -> b < 1)) {
            throw new IllegalArgumentException("--runs, --threads and every --batch must be at least 1");
        }
        Path served = artifact;
        Path tmp = null;
        try (Artifact a = Artifact.open(artifact)) {
            String sha = sha256(Files.readAllBytes(fp32));
            if (!sha.equals(a.provenance().sourceSha256())) {
                throw new IllegalArgumentException(fp32 + " is not the model " + artifact.getFileName() + " was made from (its SHA-256 "
                        + sha + ", the artifact's provenance " + a.provenance().sourceSha256() + ")");
            }
            if (tables != null || int8Layers) {
                QuantPlan plan = a.plan().map(l -> l.role() == ModelSummary.Role.EMBEDDING && tables != null ? l.withWeightFormat(tables) : l);
                if (int8Layers) {
                    plan = plan.map(l -> {
                        if (l.role() != ModelSummary.Role.WEIGHTS_AND_ACTIVATIONS) {
                            return l;
                        }
                        if (l.activationRange() == null) {
                            throw new IllegalArgumentException(artifact.getFileName() + ": layer '" + l.node()
                                    + "' has no calibrated activation range; --int8-layers needs one");
                        }
                        return l.withWeightFormat("int8_per_channel").withActivationFormat("int8_per_tensor");
                    });
                }
                tmp = Files.createTempFile(artifact.toAbsolutePath().getParent(), "bench-", ".qz");
                ArtifactWriter.write(tmp, fp32, plan, a.calibrationJson().orElse(null), a.reportJson().orElse(null),
                        a.provenance().toolVersion());
                served = tmp;
            }
        }
        try {
            ServeBench.Result r;
            try (Progress p = new Progress("benchmarking", batches.length)) {
                r = ServeBench.run(served, fp32, data != null ? data : defaultData(), batches, threads, runs, p::step);
            }
            print(r);
            return 0;
        } finally {
            if (tmp != null) {
                Files.deleteIfExists(tmp);
            }
        }
    }

    private Path defaultData() {
        Path dir = fp32.toAbsolutePath().getParent();
        for (String name : new String[] {"eval", "eval.arrow"}) {
            if (Files.exists(dir.resolve(name))) {
                return dir.resolve(name);
            }
        }
        return null;
    }

    private void print(ServeBench.Result r) {
        PrintWriter out = spec.commandLine().getOut();
        ServeBench.Memory m = r.memory();
        Map<String, Integer> kernelCounts = new TreeMap<>();
        r.kernels().values().forEach(k -> kernelCounts.merge(k, 1, Integer::sum));
        if (json) {
            ObjectNode root = Json.object();
            root.put("model", r.model());
            root.put("artifact", artifact.toString());
            root.put("threads", r.threads());
            root.put("inputs", r.inputs());
            ArrayNode arr = root.putArray("timings");
            for (ServeBench.Timing t : r.timings()) {
                ObjectNode o = arr.addObject();
                o.put("batch", t.batch());
                o.put("fp32_rows_per_second", t.fp32RowsPerSecond());
                o.put("packed_rows_per_second", t.packedRowsPerSecond());
                o.put("ort_rows_per_second", t.ortRowsPerSecond());
                o.put("packed_to_fp32", t.fp32Seconds() / t.packedSeconds());
                o.put("ort_to_fp32", t.fp32Seconds() / t.ortSeconds());
            }
            ObjectNode mem = root.putObject("weight_memory");
            mem.put("fp32_parameters", m.fp32Parameters());
            mem.put("fp32_heap", m.fp32Heap());
            mem.put("packed_heap", m.packedHeap());
            mem.put("packed_mapped_resident", m.packedMapped());
            mem.put("packed_to_fp32", (double) m.packed() / m.fp32Heap());
            mem.put("ort_rss", m.ortRss());
            ObjectNode k = root.putObject("kernels");
            kernelCounts.forEach(k::put);
            Json.print(out, root);
            return;
        }
        out.printf("%s, %d thread(s), %s inputs; artifact %s%n", r.model(), r.threads(), r.inputs(), artifact.getFileName());
        Table t = new Table("batch", "fp32 rows/s", "packed rows/s", "ort rows/s", "packed / fp32", "ort / fp32");
        for (ServeBench.Timing x : r.timings()) {
            t.row(x.batch(), String.format(Locale.ROOT, "%,.0f", x.fp32RowsPerSecond()), String.format(Locale.ROOT, "%,.0f", x.packedRowsPerSecond()),
                    String.format(Locale.ROOT, "%,.0f", x.ortRowsPerSecond()), String.format(Locale.ROOT, "%.2fx", x.fp32Seconds() / x.packedSeconds()),
                    String.format(Locale.ROOT, "%.2fx", x.fp32Seconds() / x.ortSeconds()));
        }
        t.print(out);
        Table mt = new Table("weight memory", "bytes", "ratio to fp32");
        mt.row("fp32 parameters (file)", Bytes.human(m.fp32Parameters()), String.format(Locale.ROOT, "%.2f", (double) m.fp32Parameters() / m.fp32Heap()));
        mt.row("fp32 executor (heap)", Bytes.human(m.fp32Heap()), "1.00");
        mt.row("packed (heap " + Bytes.human(m.packedHeap()) + " + mapped resident " + Bytes.human(m.packedMapped()) + ")",
                Bytes.human(m.packed()), String.format(Locale.ROOT, "%.2f (%.2f of the parameters)", (double) m.packed() / m.fp32Heap(),
                        (double) m.packed() / m.fp32Parameters()));
        // The Java heap may shrink while ORT loads, hiding ORT's growth: no figure then.
        mt.row("onnx runtime (process RSS growth)", m.ortRss() > 0 ? Bytes.human(m.ortRss()) : "n/a (heap resized)",
                m.ortRss() > 0 ? String.format(Locale.ROOT, "%.2f", (double) m.ortRss() / m.fp32Heap()) : "-");
        mt.print(out);
        out.println("kernels: " + String.join(", ", kernelCounts.entrySet().stream().map(e -> e.getValue() + " x " + e.getKey()).toList()));
        out.flush();
    }

    private static String sha256(byte[] bytes) {
        try {
            return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(bytes));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }
}
