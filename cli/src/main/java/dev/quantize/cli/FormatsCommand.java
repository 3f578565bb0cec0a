package dev.quantize.cli;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.quantize.core.format.FormatRegistry;
import dev.quantize.core.format.FormatSurvey;
import dev.quantize.core.format.NumericFormat;
import java.io.PrintWriter;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;
import picocli.CommandLine.Model.CommandSpec;

/** {@code quantize formats}: every format with its size, range and the QSNR it reaches. */
@Command(name = "formats", mixinStandardHelpOptions = true,
        description = {"List the numeric formats with their size, range and QSNR.",
                "Bits per element include the scale overhead; QSNR (dB) is measured on a standard-normal and on a",
                "heavy-tailed (Student t, 3 dof) tensor of ROWS x 1024, quantized along the last axis."})
final class FormatsCommand implements Callable<Integer> {
    @Spec
    CommandSpec spec;

    @Parameters(arity = "0..*", paramLabel = "FORMAT", description = "Formats to survey (default: all), e.g. mxfp4_e2m1:k16:rna.")
    List<String> names = new ArrayList<>();

    @Option(names = "--rows", defaultValue = "256", description = "Rows of the survey tensors (default: ${DEFAULT-VALUE}).")
    int rows;

    @Option(names = "--json", description = "Print JSON instead of a table.")
    boolean json;

    @Override
    public Integer call() {
        if (rows < 1) {
            throw new IllegalArgumentException("--rows must be at least 1");
        }
        List<NumericFormat> formats = new ArrayList<>();
        if (names.isEmpty()) {
            formats.addAll(FormatRegistry.standard());
        } else {
            for (String n : names) {
                formats.add(FormatRegistry.parse(n));
            }
        }
        List<FormatSurvey.Row> rowsOut = new ArrayList<>();
        try (Progress p = new Progress("surveying formats", formats.size())) {
            for (NumericFormat f : formats) {
                rowsOut.addAll(FormatSurvey.run(List.of(f), rows));
                p.step();
            }
        }
        PrintWriter out = spec.commandLine().getOut();
        if (json) {
            ArrayNode arr = Json.MAPPER.createArrayNode();
            for (FormatSurvey.Row r : rowsOut) {
                ObjectNode o = arr.addObject();
                o.put("name", r.name());
                o.put("description", r.description());
                o.put("bits_per_element", r.bitsPerElement());
                Json.put(o, "max_value", r.maxValue());
                Json.put(o, "qsnr_normal_db", r.qsnrNormalDb());
                Json.put(o, "qsnr_heavy_tailed_db", r.qsnrHeavyTailedDb());
            }
            ObjectNode root = Json.object();
            root.put("tensor_shape", "[" + rows + ", 1024]");
            root.set("formats", arr);
            Json.print(out, root);
            return 0;
        }
        Table t = new Table("format", "bits/elem", "max value", "QSNR normal (dB)", "QSNR heavy-tailed (dB)", "description");
        for (FormatSurvey.Row r : rowsOut) {
            t.row(r.name(), String.format("%.3f", r.bitsPerElement()), String.format("%.4g", r.maxValue()),
                    db(r.qsnrNormalDb()), db(r.qsnrHeavyTailedDb()), r.description());
        }
        t.print(out);
        out.println("QSNR = 10 log10(sum x^2 / sum (x - q(x))^2) on seeded " + rows + "x1024 tensors; row-wise formats count 64 columns for bits/elem.");
        out.flush();
        return 0;
    }

    private static String db(double v) {
        return Double.isInfinite(v) ? "exact" : String.format("%.2f", v);
    }
}
