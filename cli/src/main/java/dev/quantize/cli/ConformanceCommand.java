package dev.quantize.cli;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.quantize.core.conformance.ConformanceResults;
import dev.quantize.core.conformance.ConformanceRunner;
import dev.quantize.core.conformance.TestOutcome;
import java.io.IOException;
import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import java.util.stream.Stream;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;
import picocli.CommandLine.Model.CommandSpec;

/** {@code quantize conformance DIR}: the ONNX backend node tests against the executor. */
@Command(name = "conformance", mixinStandardHelpOptions = true,
        description = {"Run the ONNX backend node tests against the executor.",
                "DIR holds one folder per test (model.onnx and test_data_set_*/); outputs are compared within tolerances.",
                "Prints failures and 'N passed, N failed, N skipped' (skipped: unsupported op or unreadable model).",
                "Exit 1 if any test failed."})
final class ConformanceCommand implements Callable<Integer> {
    @Spec
    CommandSpec spec;

    @Parameters(paramLabel = "DIR", description = "Folder of node tests, e.g. /usr/share/libonnx-testdata/data/node")
    Path dir;

    @Option(names = "--rtol", defaultValue = "1e-3", description = "Relative tolerance (default ${DEFAULT-VALUE}).")
    double rtol;

    @Option(names = "--atol", defaultValue = "1e-4", description = "Absolute tolerance (default ${DEFAULT-VALUE}).")
    double atol;

    @Option(names = "--verbose", description = "Also list skipped tests with their reasons.")
    boolean verbose;

    @Option(names = "--json", description = "Print JSON instead of text.")
    boolean json;

    @Override
    public Integer call() throws IOException {
        if (!Files.isDirectory(dir)) {
            throw new IllegalArgumentException(dir + ": not a folder of conformance tests");
        }
        ConformanceRunner.Options defaults = ConformanceRunner.Options.defaults();
        ConformanceRunner runner = new ConformanceRunner(new ConformanceRunner.Options(rtol, atol, defaults.exclusions(),
                defaults.parallelism()));
        List<Path> tests;
        try (Stream<Path> s = Files.list(dir)) {
            tests = s.filter(p -> Files.isRegularFile(p.resolve("model.onnx"))).sorted().toList();
        }
        if (tests.isEmpty()) {
            throw new IllegalArgumentException(dir + ": no test folders (each needs a model.onnx)");
        }
        List<TestOutcome> outcomes = new ArrayList<>();
        try (Progress p = new Progress("node tests", tests.size())) {
            for (Path t : tests) {
                outcomes.add(runner.runOne(t));
                p.step();
            }
        }
        ConformanceResults r = new ConformanceResults(outcomes);
        PrintWriter out = spec.commandLine().getOut();
        long passed = r.count(TestOutcome.Status.PASSED);
        long failed = r.count(TestOutcome.Status.FAILED);
        long skipped = r.count(TestOutcome.Status.SKIPPED);
        long excluded = r.count(TestOutcome.Status.EXCLUDED);
        if (json) {
            ObjectNode root = Json.object();
            root.put("passed", passed);
            root.put("failed", failed);
            root.put("skipped", skipped);
            root.put("excluded", excluded);
            ArrayNode arr = root.putArray("tests");
            for (TestOutcome o : outcomes) {
                ObjectNode n = arr.addObject();
                n.put("name", o.name());
                n.put("status", o.status().name().toLowerCase());
                n.put("reason", o.reason());
            }
            Json.print(out, root);
        } else {
            for (TestOutcome o : outcomes) {
                if (o.status() == TestOutcome.Status.FAILED || (verbose && o.status() != TestOutcome.Status.PASSED)) {
                    out.println(o.status() + " " + o.name() + ": " + o.reason());
                }
            }
            if (!verbose && skipped > 0) {
                out.println("skipped, by reason (--verbose lists each test):");
                for (Map.Entry<String, Integer> e : r.skipReasons().entrySet()) {
                    out.println("  " + e.getValue() + " x " + e.getKey());
                }
            }
            if (excluded > 0) {
                out.println(excluded + " excluded (each with its reason in the exclusion list; --verbose shows them)");
            }
            out.println(passed + " passed, " + failed + " failed, " + skipped + " skipped");
            out.flush();
        }
        return failed == 0 ? 0 : 1;
    }
}
