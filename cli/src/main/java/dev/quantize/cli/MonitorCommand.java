package dev.quantize.cli;

import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Spec;

/** {@code quantize monitor}: drift monitoring of a quantized model against FP32, with its history and reports. */
@Command(name = "monitor", mixinStandardHelpOptions = true,
        description = {"Monitor a quantized model for drift against FP32: history and reports."},
        subcommands = {MonitorHistoryCommand.class, MonitorReportCommand.class})
final class MonitorCommand implements Callable<Integer> {
    @Spec
    CommandSpec spec;

    @Override
    public Integer call() {
        spec.commandLine().usage(spec.commandLine().getOut());
        return 0;
    }
}
