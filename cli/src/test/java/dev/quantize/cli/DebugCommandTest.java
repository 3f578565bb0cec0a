package dev.quantize.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code quantize debug}: as a person uses it (a real terminal in tmux) and as CI does (scripts, JSON). */
class DebugCommandTest {
    static final Path SAMPLE = Path.of("..", "samples", "data", "mlp");

    @Test
    void acceptanceOnMlpTabular(@TempDir Path dir) throws Exception {
        Path m = CliRun.shared().resolve("models").resolve("mlp_tabular");
        Assumptions.assumeTrue(Files.isRegularFile(m.resolve("model.onnx")), "mlp_tabular not found at " + m);
        Path script = dir.resolve("s.txt");
        Path artifact = dir.resolve("fixed.qart");
        Files.writeString(script, "compare\nbisect --budget acc-0.5%\nsave " + artifact + "\n");
        CliRun r = CliRun.of("debug", m.resolve("model.onnx").toString(), "--data", m.resolve("eval").toString(),
                "--format", "int8_per_tensor", "--calib", m.resolve("calib").toString(), "--calib-method", "min-max",
                "--threads", "2", "--script", script.toString(), "--json");
        assertEquals(0, r.exitCode(), r.err());
        String[] lines = r.out().split("\n");
        JsonNode compare = Json.MAPPER.readTree(lines[0]).get("result");
        // The layer with outlier channels (fc2) has by far the worst local SQNR.
        String worst = null;
        double worstDb = Double.POSITIVE_INFINITY;
        for (JsonNode l : compare.get("layers")) {
            double db = l.get("local").get("sqnrDb").asDouble();
            if (db < worstDb) {
                worstDb = db;
                worst = l.get("node").asText();
            }
        }
        assertEquals("/fc2/Gemm", worst);
        JsonNode bisect = Json.MAPPER.readTree(lines[1]).get("result");
        assertTrue(bisect.get("met").asBoolean());
        assertEquals(List.of("/fc2/Gemm"), Json.MAPPER.convertValue(bisect.get("keptFp32"), List.class));
        double after = bisect.get("after").asDouble();
        // quantize eval on the saved artifact confirms the metric bisect reported (same rows and batch).
        CliRun eval = CliRun.of("eval", artifact.toString(), "--data", m.resolve("eval").toString(), "--rows", "2048",
                "--batch", "256", "--json");
        assertEquals(0, eval.exitCode(), eval.err());
        assertEquals(after, Json.MAPPER.readTree(eval.out()).get("metrics").get("acc").asDouble(), 1e-12);
        assertTrue(after >= bisect.get("fp32").asDouble() * (1 - 0.005));
    }

    @Test
    void scriptErrorsExitTwoButEveryCommandRuns(@TempDir Path dir) throws Exception {
        Assumptions.assumeTrue(Files.isRegularFile(SAMPLE.resolve("model.onnx")), "embedded sample not found");
        Path script = dir.resolve("s.txt");
        Files.writeString(script, "layers\nnonsense\nshow nope\ncompare\n");
        CliRun r = CliRun.of("debug", SAMPLE.resolve("model.onnx").toString(), "--data", SAMPLE.resolve("eval.arrow").toString(),
                "--format", "int8", "--script", script.toString());
        assertEquals(2, r.exitCode());
        assertTrue(r.out().contains("error: unknown command 'nonsense'"), r.out());
        assertTrue(r.out().contains("error: unknown layer 'nope'"), r.out());
        assertTrue(r.out().contains("(output)"), "compare ran after the errors: " + r.out());
    }

    @Test
    void artifactsReproduceTheSessionTheyCameFrom(@TempDir Path dir) throws Exception {
        Assumptions.assumeTrue(Files.isRegularFile(SAMPLE.resolve("model.onnx")), "embedded sample not found");
        String model = SAMPLE.resolve("model.onnx").toString();
        String data = SAMPLE.resolve("eval.arrow").toString();
        Path art = dir.resolve("a.qz");
        Path s1 = dir.resolve("s1.txt");
        Files.writeString(s1, "fp32 fc2\nsave " + art + "\ncompare\n");
        CliRun made = CliRun.of("debug", model, "--data", data, "--format", "mxfp6_e2m3", "--script", s1.toString(), "--json");
        assertEquals(0, made.exitCode(), made.out() + made.err());
        double sqnr = Json.MAPPER.readTree(made.out().split("\n")[2]).get("result").get("output").get("sqnrDb").asDouble();
        Path s2 = dir.resolve("s2.txt");
        Files.writeString(s2, "compare\ndump fc3 " + dir.resolve("b.arrow") + "\nset fc1 fp16\n");
        // Without the FP32 model the weights are baked into the reference, and weight edits are refused.
        CliRun baked = CliRun.of("debug", art.toString(), "--data", data, "--script", s2.toString(), "--json");
        assertEquals(2, baked.exitCode());
        String[] lines = baked.out().split("\n");
        assertTrue(lines[2].contains("--fp32"), lines[2]);
        // With it, the session is the one the artifact was saved from.
        Files.writeString(s2, "compare\ndump fc3 " + dir.resolve("f.arrow") + "\nset fc1 fp16\n");
        CliRun withFp32 = CliRun.of("debug", art.toString(), "--fp32", model, "--data", data, "--script", s2.toString(), "--json");
        assertEquals(0, withFp32.exitCode(), withFp32.out());
        assertEquals(sqnr, Json.MAPPER.readTree(withFp32.out().split("\n")[0]).get("result").get("output").get("sqnrDb").asDouble(), 0);
        // Either way the quantized model is the artifact's: its outputs agree bit for bit.
        try (var a = dev.quantize.core.data.Datasets.open(dir.resolve("b.arrow")); var ra = a.batches(100_000);
             var b = dev.quantize.core.data.Datasets.open(dir.resolve("f.arrow")); var rb = b.batches(100_000)) {
            org.junit.jupiter.api.Assertions.assertArrayEquals(rb.next().column("quantized").floats(), ra.next().column("quantized").floats());
        }
    }

    /** A real terminal: tmux runs the debugger; keys are sent as a person types them. */
    @Test
    void interactiveSessionInTmux(@TempDir Path dir) throws Exception {
        Assumptions.assumeTrue(Files.isRegularFile(SAMPLE.resolve("model.onnx")), "embedded sample not found");
        Assumptions.assumeTrue(run(List.of("tmux", "-V")) == 0, "tmux is not installed; skipping the terminal test");
        String socket = "qdbg" + ProcessHandle.current().pid();
        String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
        String cmd = String.join(" ", java, "--add-opens=java.base/java.nio=ALL-UNNAMED", "--add-modules=jdk.incubator.vector",
                "-Dai.djl.offline=true", "-DOPT_OUT_TRACKING=true", "-Duser.home=" + dir, "-cp", System.getProperty("java.class.path"),
                "dev.quantize.cli.Main", "debug", SAMPLE.resolve("model.onnx").toAbsolutePath().toString(),
                "--data", SAMPLE.resolve("eval.arrow").toAbsolutePath().toString(), "--format", "int8_per_tensor", "--threads", "1",
                "2>" + dir.resolve("stderr.txt") + "; echo DEBUGGER-EXITED-$?; sleep 30");
        try {
            assertEquals(0, run(List.of("tmux", "-L", socket, "new-session", "-d", "-s", "dbg", "-x", "220", "-y", "60", cmd)));
            waitFor(socket, "debug>", 60); // capture-pane trims the trailing space
            keys(socket, "comp", "Tab");
            waitFor(socket, "debug> compare", 10);
            keys(socket, "Enter");
            waitFor(socket, "(output)", 60);
            // Format names complete after a layer name; layer names complete (the sample's are fc1, fc2, fc3).
            keys(socket, "set fc1 mxfp4_e", "Tab");
            waitFor(socket, "debug> set fc1 mxfp4_e2m1", 10);
            keys(socket, "Enter");
            waitFor(socket, "set fc1 to mxfp4_e2m1", 10);
            keys(socket, "show f", "Tab");
            waitFor(socket, "debug> show fc", 10);
            keys(socket, "3", "Tab");
            waitFor(socket, "debug> show fc3", 10);
            keys(socket, "C-u", "layers", "Enter");
            waitFor(socket, "activation range", 10);
            keys(socket, "frobnicate", "Enter");
            waitFor(socket, "error: unknown command 'frobnicate'", 10);
            keys(socket, "quit", "Enter");
            String screen = waitFor(socket, "DEBUGGER-EXITED-0", 20);
            assertTrue(screen.contains("debug> layers"), screen);
        } finally {
            run(List.of("tmux", "-L", socket, "kill-server"));
        }
    }

    private static void keys(String socket, String... keys) throws Exception {
        List<String> c = new ArrayList<>(List.of("tmux", "-L", socket, "send-keys", "-t", "dbg"));
        c.addAll(List.of(keys));
        assertEquals(0, run(c));
    }

    private static String waitFor(String socket, String text, int seconds) throws Exception {
        long end = System.nanoTime() + TimeUnit.SECONDS.toNanos(seconds);
        String screen = "";
        while (System.nanoTime() < end) {
            Process p = new ProcessBuilder("tmux", "-L", socket, "capture-pane", "-p", "-t", "dbg", "-S", "-200").redirectErrorStream(true).start();
            screen = new String(p.getInputStream().readAllBytes());
            p.waitFor();
            if (screen.contains(text)) {
                return screen;
            }
            Thread.sleep(200);
        }
        throw new AssertionError("'" + text + "' did not appear within " + seconds + " s; screen:\n" + screen);
    }

    private static int run(List<String> command) throws Exception {
        try {
            Process p = new ProcessBuilder(command).redirectErrorStream(true).start();
            p.getInputStream().readAllBytes();
            return p.waitFor();
        } catch (java.io.IOException e) {
            return -1;
        }
    }
}
