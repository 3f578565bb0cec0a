package dev.quantize.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Without Spark on the class path (the CLI's own tests never have it), {@code --spark} fails in one
 * line that says what is missing and how to get it, exit 2, and writes nothing. The spark module's
 * tests run the same options with Spark present.
 */
class SparkOptionTest {
    @TempDir
    Path tmp;

    @Test
    void withoutSparkEveryCommandSaysWhatIsMissingInOneLine() throws Exception {
        Path dir = Path.of("..", "samples", "data", "dlrm").toAbsolutePath().normalize();
        org.junit.jupiter.api.Assumptions.assumeTrue(Files.isDirectory(dir), "embedded samples not found at " + dir);
        String model = dir.resolve("model.onnx").toString();
        String data = dir.resolve("eval.arrow").toString();
        Path out = tmp.resolve("stats.json");
        for (String[] args : new String[][] {
                {"calibrate", model, "--data", data, "-o", out.toString(), "--spark", "local[2]"},
                {"eval", model, "--data", data, "--spark", "local[2]"},
                {model, "--calib", data, "--eval", data, "-o", tmp.resolve("m.qz").toString(), "--spark", "local[2]"}}) {
            CliRun r = CliRun.of(args);
            assertEquals(2, r.exitCode(), r.err());
            assertEquals(1, r.err().strip().lines().count(), r.err());
            assertTrue(r.err().contains("--spark needs Apache Spark"), r.err());
            assertTrue(r.err().contains("bin/quantize"), r.err());
        }
        assertFalse(Files.exists(out));
        assertFalse(Files.exists(tmp.resolve("m.qz")));
    }
}
