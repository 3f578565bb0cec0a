package dev.quantize.debugger.repl;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import dev.quantize.core.data.Dataset;
import dev.quantize.core.data.Datasets;
import dev.quantize.core.graph.Model;
import dev.quantize.core.kernel.Parallelism;
import dev.quantize.core.onnx.OnnxReader;
import dev.quantize.debugger.DebugSession;
import dev.quantize.quantizer.search.UniformPlans;
import java.io.BufferedReader;
import java.io.PrintWriter;
import java.io.StringReader;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Random;
import org.jline.reader.Candidate;
import org.jline.reader.impl.DefaultParser;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** The command language: errors stay one line and never end the session; completion; JSON script output. */
class CommandShellTest {
    static final Path SAMPLE = Path.of("..", "samples", "data", "mlp");
    Dataset data;
    CommandShell shell;

    @BeforeEach
    void open() throws Exception {
        Assumptions.assumeTrue(Files.isRegularFile(SAMPLE.resolve("model.onnx")), "embedded sample not found at " + SAMPLE);
        Model model = OnnxReader.read(SAMPLE.resolve("model.onnx"));
        data = Datasets.open(SAMPLE.resolve("eval.arrow"));
        shell = new CommandShell(new DebugSession(model, UniformPlans.plan(model, "int8_per_tensor", Map.of()), false, data,
                64, 256, Parallelism.single(), null), "test");
    }

    @AfterEach
    void close() throws Exception {
        if (data != null) {
            data.close();
        }
    }

    @Test
    void badInputGivesOneLineErrorsAndTheSessionCarriesOn() {
        for (String bad : List.of("frobnicate", "show nope", "set nope fp16", "set " + layer(0) + " int3", "run -4", "run x",
                "diverge --sqnr", "diverge --what 3", "compare extra", "bisect --budget acc+5%", "dump nope f.arrow", "\"unclosed")) {
            CommandShell.Outcome o = shell.execute(bad);
            assertFalse(o.ok(), bad);
            assertTrue(o.text().startsWith("error: ") && o.text().indexOf('\n') == o.text().length() - 1, bad + " -> " + o.text());
        }
        CommandShell.Outcome o = shell.execute("compare");
        assertTrue(o.ok());
        assertTrue(o.text().contains(layer(0)));
    }

    @Test
    void randomLinesNeverThrow() {
        Random r = new Random(42);
        String[] words = {"show", "set", "fp32", "run", "diverge", "--sqnr", "--top", "help", "layers", layer(0), "fp16", "-1", "1e99", "\"", "'", "\\"};
        for (int i = 0; i < 200; i++) {
            StringBuilder sb = new StringBuilder();
            for (int k = r.nextInt(4); k >= 0; k--) {
                sb.append(words[r.nextInt(words.length)]).append(' ');
            }
            CommandShell.Outcome o = shell.execute(sb.toString());
            assertFalse(o.quit());
        }
        assertTrue(shell.execute("layers").ok());
    }

    @Test
    void completesCommandsLayersAndFormats() {
        assertTrue(complete("comp").contains("compare"));
        assertEquals(shell.session().layerNames(), complete("show "));
        assertTrue(complete("set " + layer(0) + " ").containsAll(List.of("int8_per_tensor", "mxfp4_e2m1", "fp16")));
    }

    @Test
    void scriptModePrintsOneJsonLinePerCommandAndExitCodes() throws Exception {
        StringWriter out = new StringWriter();
        int code = Repl.script(shell, new BufferedReader(new StringReader("layers\n# comment\n\ncompare\nbogus\nquit\nlayers\n")),
                new PrintWriter(out), true);
        assertEquals(2, code);
        String[] lines = out.toString().split("\n");
        assertEquals(3, lines.length);
        JsonNode compare = CommandShell.JSON.readTree(lines[1]);
        assertEquals("compare", compare.get("command").asText());
        assertEquals(shell.session().layerNames().size(), compare.get("result").get("layers").size());
        assertTrue(compare.get("result").get("output").get("sqnrDb").isNumber());
        assertFalse(CommandShell.JSON.readTree(lines[2]).get("ok").asBoolean());
        StringWriter out2 = new StringWriter();
        assertEquals(1, Repl.script(shell, new BufferedReader(new StringReader("diverge --sqnr 1000\n")), new PrintWriter(out2), true));
        assertEquals(0, Repl.script(shell, new BufferedReader(new StringReader("diverge --sqnr -1000\n")), new PrintWriter(out2), true));
    }

    private String layer(int i) {
        return shell.session().layerNames().get(i);
    }

    private List<String> complete(String line) {
        List<Candidate> c = new ArrayList<>();
        Repl.completer(shell).complete(null, new DefaultParser().parse(line, line.length()), c);
        return c.stream().map(Candidate::value).filter(v -> v.startsWith(lastWord(line))).toList();
    }

    private static String lastWord(String line) {
        return line.endsWith(" ") ? "" : line.substring(line.lastIndexOf(' ') + 1);
    }
}
