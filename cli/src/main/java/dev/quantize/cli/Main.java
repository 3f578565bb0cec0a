package dev.quantize.cli;

import picocli.CommandLine;
import picocli.CommandLine.Command;

/** Entry point of the {@code quantize} command. */
@Command(name = "quantize", mixinStandardHelpOptions = true, versionProvider = VersionProvider.class,
        description = "Calibrate, search, pack, serve, debug and monitor low-precision models.",
        subcommands = {CommandLine.HelpCommand.class, FormatsCommand.class, GoldenCommand.class, InspectCommand.class, PredictCommand.class,
                ConformanceCommand.class, CalibrateCommand.class, SamplesCommand.class, BenchCommand.class})
public final class Main implements Runnable {
    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

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
    public void run() {
        spec.commandLine().usage(System.out);
    }
}
