package dev.quantize.cli;

import dev.quantize.core.data.Dataset;
import dev.quantize.core.data.Datasets;
import dev.quantize.core.onnx.OnnxWriter;
import dev.quantize.quantizer.artifact.Artifact;
import dev.quantize.quantizer.export.ExportCheck;
import dev.quantize.quantizer.export.ExportResult;
import dev.quantize.quantizer.export.OrtProbe;
import dev.quantize.quantizer.export.QdqExporter;
import java.io.IOException;
import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

/** {@code quantize export ARTIFACT -o model.qdq.onnx}: the artifact as a standard ONNX model with QuantizeLinear/DequantizeLinear. */
@Command(name = "export", mixinStandardHelpOptions = true,
        description = {"Export a quantized artifact as an ONNX model that ONNX Runtime runs: weights stored in the",
                "narrowest ONNX type that holds them exactly (int8, int4, float8, float16) behind DequantizeLinear,",
                "activations as QuantizeLinear/DequantizeLinear pairs. The forms are tried in the bundled ONNX Runtime",
                "first; what it cannot run falls back to an exact equivalent, or to FP32 (listed in the model's metadata).",
                "--check runs the export in ONNX Runtime and the emulation on --data and fails (exit 1) when they disagree",
                "by more than one 8-bit step of the output's range (see docs/export.md)."})
final class ExportCommand implements Callable<Integer> {
    @Spec
    CommandSpec spec;

    @Parameters(paramLabel = "ARTIFACT", description = "A quantized artifact (from `quantize MODEL ... -o`).")
    Path artifactPath;

    @Option(names = {"-o", "--output"}, required = true, description = "The ONNX file to write.")
    Path output;

    @Option(names = "--opset", description = "Default-domain opset to write (default: the lowest the forms need, 13 to 21).")
    Integer opset;

    @Option(names = "--check", description = "Run the export in ONNX Runtime and compare with the emulation on --data.")
    boolean check;

    @Option(names = "--data", description = "Rows for --check (.npy folder, Arrow IPC, Parquet).")
    Path data;

    @Option(names = "--rows", defaultValue = "1024", description = "Rows compared by --check (default: ${DEFAULT-VALUE}).")
    long rows;

    @Option(names = "--batch", defaultValue = "256", description = "Rows per batch for --check (default: ${DEFAULT-VALUE}).")
    int batch;

    @Option(names = "--threads", defaultValue = "2", description = "Threads for --check (default: ${DEFAULT-VALUE}).")
    int threads;

    @Override
    public Integer call() throws IOException {
        if (check && data == null) {
            throw new IllegalArgumentException("--check needs --data (the rows to compare on)");
        }
        if (rows < 1 || batch < 1 || threads < 1) {
            throw new IllegalArgumentException("--rows, --batch and --threads must be at least 1");
        }
        if (!Files.isRegularFile(artifactPath)) {
            throw new java.nio.file.NoSuchFileException(artifactPath.toString());
        }
        if (!Artifact.isArtifact(artifactPath)) {
            throw new IllegalArgumentException(artifactPath + ": not a quantize artifact (export takes the output of `quantize MODEL ... -o`)");
        }
        PrintWriter out = spec.commandLine().getOut();
        try (Artifact a = Artifact.open(artifactPath)) {
            OrtProbe.Cache probe = new OrtProbe.Cache();
            ExportResult r = QdqExporter.export(a, new QdqExporter.Options(opset, probe));
            out.printf("ONNX Runtime %s (bundled) on the forms of this export:%n", OrtProbe.runtimeVersion());
            Table t = new Table("form", "runs", "detail");
            for (OrtProbe.Support s : probe.results()) {
                t.row(s.form().toString(), s.runs() ? "yes" : "no", s.runs() ? "" : shorten(s.detail()));
            }
            t.print(out);
            for (ExportResult.Fallback f : r.fallbacks()) {
                out.println("  fallback: " + f);
            }
            OnnxWriter.write(r.model(), output);
            out.printf("wrote %s: opset %d, %d nodes, %s; %d planned tensors without their format%n", output, r.model().opset(),
                    r.model().graph().nodes().size(), Bytes.human(Files.size(output)), r.fallbacks().size());
            if (!check) {
                return 0;
            }
            List<ExportCheck.OutputDiff> diffs;
            try (Dataset ds = Datasets.open(data)) {
                diffs = ExportCheck.compare(output, a.emulationModel(), a.plan(), ds, rows, batch, threads);
            }
            Table c = new Table("output", "elements", "max |diff|", "tolerance", "over", "max |y|");
            boolean ok = true;
            for (ExportCheck.OutputDiff d : diffs) {
                c.row(d.output(), Long.toString(d.elements()), fmt(d.maxAbsDiff()), fmt(d.tolerance()), Long.toString(d.overTolerance()),
                        fmt(d.maxAbsOutput()));
                ok &= d.passes();
            }
            out.println("ONNX Runtime vs the emulation:");
            c.print(out);
            out.println(ok ? "check passed" : "check FAILED: outputs differ by more than the tolerance"
                    + (r.fallbacks().isEmpty() ? "" : " (" + r.fallbacks().size() + " planned tensors were exported without their"
                    + " format, listed above, while the emulation applies it; a plan whose formats all have an ONNX form"
                    + " would match)"));
            return ok ? 0 : 1;
        }
    }

    private static String fmt(double v) {
        return String.format(Locale.ROOT, "%.3g", v);
    }

    private static String shorten(String s) {
        String one = s.replace('\n', ' ');
        return one.length() > 100 ? one.substring(0, 97) + "..." : one;
    }
}
