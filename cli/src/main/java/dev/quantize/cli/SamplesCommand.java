package dev.quantize.cli;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.quantize.samples.SampleGenerator;
import dev.quantize.samples.SampleReport;
import dev.quantize.samples.Samples;
import java.io.IOException;
import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/** {@code quantize samples}: the embedded sample models and data, listed or regenerated. */
@Command(name = "samples", mixinStandardHelpOptions = true,
        description = {"List the embedded samples (models, data, the FP32 metrics the generator measured), or regenerate them.",
                "Regeneration trains the models in Java from a fixed seed and rewrites every file bit for bit."})
final class SamplesCommand implements Callable<Integer> {
    @Spec
    CommandSpec spec;

    @Option(names = "--regenerate", description = "Train and write the samples again (deterministic).")
    boolean regenerate;

    @Option(names = "--out", paramLabel = "DIR",
            description = "Samples folder (default: the embedded one, <quantize home>/samples/data).")
    Path out;

    @Option(names = "--seed", paramLabel = "N", defaultValue = "" + Samples.SEED,
            description = "Seed for --regenerate (default: ${DEFAULT-VALUE}, the committed samples' seed).")
    long seed;

    @Option(names = "--json", description = "Print JSON instead of text.")
    boolean json;

    @Override
    public Integer call() throws IOException {
        Path root = (out != null ? out : Samples.location()).toAbsolutePath().normalize();
        PrintWriter out = spec.commandLine().getOut();
        double seconds = -1;
        if (regenerate) {
            PrintWriter err = spec.commandLine().getErr();
            if (!json) {
                err.println("regenerating " + String.join(", ", Samples.names()) + " into " + root + " (seed " + seed + ")...");
                err.flush();
            }
            long t0 = System.nanoTime();
            SampleGenerator.generate(root, seed);
            seconds = (System.nanoTime() - t0) / 1e9;
        }
        List<SampleReport> reports = new ArrayList<>();
        for (String name : Samples.names()) {
            Path dir = Samples.folder(root, name);
            if (!Files.isDirectory(dir)) {
                throw new IOException("no sample '" + name + "' in " + root + "; create it with 'quantize samples --regenerate"
                        + (this.out != null ? " --out " + this.out : "") + "'");
            }
            reports.add(Samples.readReport(dir));
        }
        if (json) {
            printJson(out, root, reports, seconds);
        } else {
            printText(out, root, reports, seconds);
        }
        return 0;
    }

    private void printJson(PrintWriter out, Path root, List<SampleReport> reports, double seconds) throws IOException {
        ObjectNode o = Json.object();
        o.put("location", root.toString());
        o.put("regenerated", regenerate);
        if (regenerate) {
            o.put("seed", seed);
            Json.put(o, "seconds", seconds);
        }
        ArrayNode samples = o.putArray("samples");
        for (SampleReport r : reports) {
            ObjectNode s = samples.addObject();
            s.put("name", r.name());
            s.put("task", r.task());
            Path dir = root.resolve(r.name());
            s.put("path", dir.toString());
            ArrayNode files = s.putArray("files");
            for (String f : Samples.FILES) {
                ObjectNode file = files.addObject();
                file.put("name", f);
                file.put("bytes", Files.size(dir.resolve(f)));
            }
            ObjectNode metrics = s.putObject("metrics");
            r.splits().forEach((split, m) -> {
                ObjectNode sm = metrics.putObject(split);
                m.forEach((k, v) -> Json.put(sm, k, v));
            });
        }
        Json.print(out, o);
    }

    private void printText(PrintWriter out, Path root, List<SampleReport> reports, double seconds) throws IOException {
        out.println((regenerate ? String.format(Locale.ROOT, "regenerated in %.1f s: ", seconds) : "samples in ") + root);
        for (SampleReport r : reports) {
            Path dir = root.resolve(r.name());
            long total = 0;
            StringBuilder files = new StringBuilder();
            for (String f : Samples.FILES) {
                long size = Files.size(dir.resolve(f));
                total += size;
                files.append(files.length() == 0 ? "" : ", ").append(f).append(' ').append(Bytes.human(size));
            }
            out.println();
            out.println(r.name() + " (" + r.task() + ", " + Bytes.human(total) + "): " + dir);
            out.println("  " + files);
            List<String> metricNames = new ArrayList<>();
            for (Map<String, Double> m : r.splits().values()) {
                m.keySet().stream().filter(k -> !k.equals("rows") && !metricNames.contains(k)).forEach(metricNames::add);
            }
            List<String> header = new ArrayList<>(List.of("split", "rows"));
            header.addAll(metricNames);
            Table t = new Table(header.toArray(String[]::new));
            r.splits().forEach((split, m) -> {
                List<Object> row = new ArrayList<>(List.of(split, String.format(Locale.ROOT, "%.0f", m.getOrDefault("rows", Double.NaN))));
                for (String k : metricNames) {
                    row.add(m.containsKey(k) ? String.format(Locale.ROOT, "%.4f", m.get(k)) : "-");
                }
                t.row(row.toArray());
            });
            t.print(out);
        }
        out.flush();
    }
}
