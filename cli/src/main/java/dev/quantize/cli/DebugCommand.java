package dev.quantize.cli;

import dev.quantize.calibration.CalibrationConfig;
import dev.quantize.calibration.CalibrationRunner;
import dev.quantize.calibration.CalibrationStats;
import dev.quantize.calibration.Method;
import dev.quantize.core.data.Dataset;
import dev.quantize.core.data.Datasets;
import dev.quantize.core.graph.Model;
import dev.quantize.core.kernel.Parallelism;
import dev.quantize.core.onnx.OnnxReader;
import dev.quantize.debugger.DebugSession;
import dev.quantize.debugger.repl.CommandShell;
import dev.quantize.debugger.repl.Repl;
import dev.quantize.quantizer.artifact.Artifact;
import dev.quantize.quantizer.job.QuantizeJob;
import dev.quantize.quantizer.plan.ActivationRange;
import dev.quantize.quantizer.plan.QuantPlan;
import dev.quantize.quantizer.search.UniformPlans;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.concurrent.Callable;
import org.jline.terminal.Terminal;
import org.jline.terminal.TerminalBuilder;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;
import picocli.CommandLine.Model.CommandSpec;

/** {@code quantize debug MODEL_OR_ARTIFACT --data DATA}: the numeric debugger (REPL, or a script with --script / piped input). */
@Command(name = "debug", mixinStandardHelpOptions = true,
        description = {"The numeric debugger: the FP32 and the quantized model side by side, layer by layer.",
                "Interactive on a terminal (TAB completes commands, layers and formats; history in ~/.quantize_debug_history);",
                "with --script FILE or piped standard input it runs the commands non-interactively (--json: one JSON line each).",
                "Script exit codes: 0 ok, 1 a check failed (diverge found a layer, bisect missed its budget), 2 a command failed."})
final class DebugCommand implements Callable<Integer> {
    @Spec
    CommandSpec spec;

    @Parameters(paramLabel = "MODEL", description = "An FP32 .onnx model or a quantized artifact.")
    Path modelPath;

    @Option(names = "--data", required = true, description = "Data to run (.npy folder, Arrow IPC, Parquet); labels enable task metrics for bisect.")
    Path data;

    @Option(names = "--plan", description = "For an .onnx model: start from this plan (JSON).")
    Path plan;

    @Option(names = "--format", description = "For an .onnx model: start from this format everywhere (e.g. int8_per_tensor, int8, mxfp8_e4m3).")
    String format;

    @Option(names = "--calib", description = "Calibration data for the activation ranges of a --format plan (per-tensor INT8 and FP8 need them).")
    Path calib;

    @Option(names = "--calib-method", defaultValue = "percentile", description = "Activation range method (default: ${DEFAULT-VALUE}).")
    String calibMethod;

    @Option(names = "--fp32", description = "For an artifact: its FP32 .onnx model (the true reference; needed to edit weight formats and to save artifacts).")
    Path fp32;

    @Option(names = "--batch", defaultValue = "256", description = "Rows per batch (default: ${DEFAULT-VALUE}).")
    int batch;

    @Option(names = "--rows", defaultValue = "2048", description = "Rows bisect evaluates plans on (default: ${DEFAULT-VALUE}).")
    int rows;

    @Option(names = "--threads", description = "Worker threads (default: every core).")
    Integer threads;

    @Option(names = "--script", description = "Run the commands of this file (one per line) and exit.")
    Path script;

    @Option(names = "--json", description = "Script mode: print one JSON object per command.")
    boolean json;

    @Override
    public Integer call() throws IOException {
        Parallelism par = threads == null ? Parallelism.defaultForMachine() : Parallelism.of(threads);
        Model model;
        QuantPlan start;
        boolean baked = false;
        DebugSession.Fp32Source source = null;
        if (Artifact.isArtifact(modelPath)) {
            if (plan != null || format != null) {
                throw new IllegalArgumentException(modelPath + " is an artifact: it brings its own plan (drop --plan/--format)");
            }
            try (Artifact a = Artifact.open(modelPath)) {
                start = a.plan();
                if (fp32 != null) {
                    source = read(fp32);
                    model = source.model();
                } else {
                    model = a.emulationModel();
                    baked = true;
                    spec.commandLine().getErr().println("quantize debug: note: no --fp32 model: the reference runs the artifact's "
                            + "quantized weights with FP32 activations, and weight formats cannot be edited");
                }
            }
        } else {
            source = read(modelPath);
            model = source.model();
            if (plan != null && format != null) {
                throw new IllegalArgumentException("give --plan or --format, not both");
            }
            if (plan != null) {
                start = QuantPlan.fromJson(Files.readString(plan));
            } else {
                Map<String, ActivationRange> ranges = Map.of();
                if (calib != null) {
                    try (Dataset c = Datasets.open(calib)) {
                        CalibrationStats stats = CalibrationRunner.run(model, c,
                                CalibrationConfig.defaults().withBatchSize(batch).withWeights(false));
                        ranges = QuantizeJob.activationRanges(model, stats, Method.parse(calibMethod));
                    }
                } else if (format != null) {
                    spec.commandLine().getErr().println("quantize debug: note: no --calib data: per-tensor INT8/FP8 activations "
                            + "take their scale from each batch (dynamic)");
                }
                start = UniformPlans.plan(model, format == null ? "fp32" : format, ranges);
            }
        }
        try (Dataset ds = Datasets.open(data)) {
            DebugSession session = new DebugSession(model, start, baked, ds, batch, rows, par, source);
            CommandShell shell = new CommandShell(session, VersionProvider.version());
            if (script != null) {
                try (BufferedReader in = Files.newBufferedReader(script, StandardCharsets.UTF_8)) {
                    return Repl.script(shell, in, spec.commandLine().getOut(), json);
                }
            }
            if (System.console() == null || json) {
                return Repl.script(shell, new BufferedReader(new InputStreamReader(System.in, StandardCharsets.UTF_8)),
                        spec.commandLine().getOut(), json);
            }
            try (Terminal t = TerminalBuilder.builder().system(true).build()) {
                Repl.interactive(shell, t, Path.of(System.getProperty("user.home"), ".quantize_debug_history"));
            }
            return 0;
        }
    }

    private static DebugSession.Fp32Source read(Path p) throws IOException {
        byte[] bytes = Files.readAllBytes(p);
        Model m = OnnxReader.read(bytes, p.getFileName().toString(), p.toAbsolutePath().getParent());
        return new DebugSession.Fp32Source(m, bytes, p.getFileName().toString());
    }
}
