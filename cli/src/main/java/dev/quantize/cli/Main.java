package dev.quantize.cli;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/**
 * Entry point of the {@code quantize} command. With a model it runs the main job (calibrate, search,
 * emit, report; see {@link MainJob}); otherwise one of the subcommands.
 */
@Command(name = "quantize", mixinStandardHelpOptions = true, versionProvider = VersionProvider.class,
        description = {"Calibrate, search, pack, serve, debug and monitor low-precision models.", "",
                "The main job, quantize MODEL.onnx --calib DATA --eval DATA -o OUT.qz,",
                "calibrates activation ranges, searches a format per layer under the",
                "accuracy budget, writes the quantized artifact and prints the report.",
                "Exit 1 if no plan meets the budget.", ""},
        subcommands = {CommandLine.HelpCommand.class, FormatsCommand.class, GoldenCommand.class, InspectCommand.class, PredictCommand.class, EvalCommand.class,
                ConformanceCommand.class, CalibrateCommand.class, DebugCommand.class, ExportCommand.class, SamplesCommand.class,
                BenchCommand.class,
                MonitorCommand.class})
public final class Main implements Callable<Integer> {
    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    @Parameters(arity = "0..1", paramLabel = "MODEL", description = "The FP32 .onnx model to quantize.")
    Path model;

    @Option(names = "--calib", paramLabel = "DATA", description = "Calibration data (.npy folder, Arrow IPC, Parquet).")
    Path calib;

    @Option(names = "--eval", paramLabel = "DATA", description = "Evaluation data with labels when the task has them.")
    Path eval;

    @Option(names = {"-o", "--output"}, paramLabel = "OUT", description = "The quantized artifact to write.")
    Path output;

    @Option(names = "--budget", description = "Accuracy budget in the task's metric, e.g. ne+0.1%%, acc-0.5%%, auc-0.001, sqnr>=30 (default: 0.1%% relative on the primary metric).")
    String budget;

    @Option(names = "--formats", split = ",", description = "Candidate formats (default: fp16,bf16,int8,fp8_e4m3,mxint8,mxfp8_e4m3,mxfp6_e2m3,mxfp4_e2m1; tables also rowwise_8bit,rowwise_4bit).")
    List<String> formats = new ArrayList<>();

    @Option(names = "--calib-method", defaultValue = "percentile", description = "Activation range method: min-max, moving-average-min-max, percentile, entropy, mse (default: ${DEFAULT-VALUE}).")
    String calibrationMethod;

    @Option(names = "--calib-rows", description = "Use at most this many calibration rows (default: all).")
    Long calibRows;

    @Option(names = "--eval-rows", defaultValue = "4096", description = "Evaluation rows the search verifies plans on (default: ${DEFAULT-VALUE}).")
    int evalRows;

    @Option(names = "--batch", defaultValue = "512", description = "Rows per batch (default: ${DEFAULT-VALUE}).")
    int batch;

    @Option(names = "--threads", description = "Worker threads (default: every core).")
    Integer threads;

    @Option(names = "--cost", defaultValue = "weight-bytes", description = "What the search minimises: weight-bytes (model size), bit-ops (multiply-adds x weight bits x activation bits per row) "
            + "or serve-time (estimated time per row served packed: INT8 layers with static ranges and row-wise 8-bit tables; ties go to fewer bytes) (default: ${DEFAULT-VALUE}).")
    String cost;

    @Option(names = "--compare-uniform", description = "Also evaluate uniform plans (fp16, int8, mxfp8, mxfp6, mxfp4 everywhere) on the same data.")
    boolean compareUniform;

    @Option(names = "--json", description = "Print the report as JSON.")
    boolean json;

    @Option(names = "--spark", paramLabel = "MASTER", description = "Calibrate as Spark jobs on MASTER (local[2], spark://host:port, "
            + "or submit under spark-submit); --calib is then Parquet. The search's sensitivity trials run as Spark tasks over the --eval sample; the rest of the search runs here.")
    String spark;

    public static void main(String[] args) {
        System.exit(run(args));
    }

    /** Runs the command line and returns the exit code (0 ok, 1 a check failed, 2 bad usage or input). */
    public static int run(String... args) {
        return commandLine().execute(args);
    }

    public static CommandLine commandLine() {
        CommandLine cl = new CommandLine(new Main());
        cl.setExecutionExceptionHandler(new UserErrorHandler());
        cl.setExitCodeExceptionMapper(t -> 2);
        return cl;
    }

    @Override
    public Integer call() throws Exception {
        if (model == null) {
            spec.commandLine().usage(spec.commandLine().getOut());
            return 0;
        }
        List<String> missing = new ArrayList<>();
        if (calib == null) {
            missing.add("--calib DATA");
        }
        if (eval == null) {
            missing.add("--eval DATA");
        }
        if (output == null) {
            missing.add("-o OUT");
        }
        if (!missing.isEmpty()) {
            throw new CommandLine.ParameterException(spec.commandLine(), "the main job needs " + String.join(", ", missing));
        }
        return new MainJob(this).run();
    }
}
