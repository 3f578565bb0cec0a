package dev.quantize.cli;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.quantize.core.format.golden.GoldenCase;
import dev.quantize.core.format.golden.GoldenSuite;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;
import picocli.CommandLine.Model.CommandSpec;

/** {@code quantize golden DIR}: checks the format library against golden vectors. */
@Command(name = "golden", mixinStandardHelpOptions = true,
        description = {"Check the numeric formats against golden vectors.",
                "DIR is a folder with manifest.json, or a folder of such folders. Prints one line per failing case",
                "and 'N passed, N failed'. Exit 1 if any case failed, 2 on a malformed manifest or a missing file."})
final class GoldenCommand implements Callable<Integer> {
    @Spec
    CommandSpec spec;

    @Parameters(paramLabel = "DIR", description = "Golden-vector folder, e.g. ../shared/golden/mx")
    Path dir;

    @Option(names = "--json", description = "Print JSON instead of text.")
    boolean json;

    @Override
    public Integer call() {
        List<GoldenCase> cases = GoldenSuite.load(dir);
        List<GoldenSuite.Result> failed = new ArrayList<>();
        int passed = 0;
        try (Progress p = new Progress("golden cases", cases.size())) {
            for (GoldenCase c : cases) {
                String failure = GoldenSuite.check(c);
                if (failure == null) {
                    passed++;
                } else {
                    failed.add(new GoldenSuite.Result(c, failure));
                }
                p.step();
            }
        }
        PrintWriter out = spec.commandLine().getOut();
        if (json) {
            ObjectNode root = Json.object();
            root.put("passed", passed);
            root.put("failed", failed.size());
            ArrayNode arr = root.putArray("failures");
            for (GoldenSuite.Result r : failed) {
                ObjectNode o = arr.addObject();
                o.put("set", r.goldenCase().set());
                o.put("case", r.goldenCase().name());
                o.put("format", r.goldenCase().formatSpec());
                o.put("reason", r.failure());
            }
            Json.print(out, root);
        } else {
            for (GoldenSuite.Result r : failed) {
                out.println("FAIL " + r.goldenCase().set() + "/" + r.goldenCase().name() + " [" + r.goldenCase().formatSpec() + "]: " + r.failure());
            }
            out.println(passed + " passed, " + failed.size() + " failed");
            out.flush();
        }
        return failed.isEmpty() ? 0 : 1;
    }
}
