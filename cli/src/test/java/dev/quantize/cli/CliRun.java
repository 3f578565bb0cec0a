package dev.quantize.cli;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Assumptions;
import picocli.CommandLine;

/** Runs the command line in-process and keeps what it printed. */
record CliRun(int exitCode, String out, String err) {
    static CliRun of(String... args) {
        CommandLine cl = Main.commandLine();
        StringWriter out = new StringWriter();
        StringWriter err = new StringWriter();
        cl.setOut(new PrintWriter(out, true));
        cl.setErr(new PrintWriter(err, true));
        int code = cl.execute(args);
        return new CliRun(code, out.toString(), err.toString());
    }

    /** ../shared, or the test is skipped. */
    static Path shared() {
        String p = System.getProperty("quantize.shared");
        Path root = p != null ? Path.of(p) : Path.of("..", "..", "shared");
        Assumptions.assumeTrue(Files.isDirectory(root), "shared material not found at " + root + "; skipping");
        return root.normalize();
    }
}
