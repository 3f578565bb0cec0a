package dev.quantize.debugger.repl;

import com.fasterxml.jackson.core.JsonGenerator;
import com.fasterxml.jackson.databind.JsonSerializer;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializerProvider;
import com.fasterxml.jackson.databind.module.SimpleModule;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.quantize.core.format.FormatRegistry;
import dev.quantize.debugger.DebugSession;
import dev.quantize.debugger.LayerError;
import dev.quantize.debugger.Results;
import dev.quantize.quantizer.search.Budget;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import org.jline.reader.impl.DefaultParser;

/**
 * The debugger's command language over a {@link DebugSession}: one line in, one result out, as a
 * text table (the REPL) or one JSON object (scripts). A bad command, layer or format gives a
 * one-line error and leaves the session as it was.
 */
public final class CommandShell {
    /** A command's name, arguments and one-line help. */
    public record Command(String name, String usage, String help) {
    }

    public static final List<Command> COMMANDS = List.of(
            new Command("layers", "layers", "the quantizable layers with their formats"),
            new Command("run", "run [N]", "run N rows (default 256) through the FP32 and the quantized executor, keeping per-layer outputs"),
            new Command("compare", "compare", "per layer: local error (layer alone on FP32 input) and cumulative error, plus the model output"),
            new Command("diverge", "diverge [--sqnr X]", "the first layer whose cumulative SQNR falls below X dB (default 30)"),
            new Command("show", "show LAYER [--top K]", "reference vs quantized statistics, histograms and the K worst elements (default 5)"),
            new Command("set", "set LAYER FORMAT", "what-if: give a layer another format"),
            new Command("fp32", "fp32 LAYER", "what-if: keep a layer in fp32"),
            new Command("reset", "reset", "back to the starting plan"),
            new Command("bisect", "bisect [--budget B]", "the smallest set of layers to keep in fp32 so the model meets the budget (e.g. acc-0.5%); the plan becomes it"),
            new Command("save", "save FILE", "FILE.json: the plan; other names: an artifact and FILE.plan.json"),
            new Command("dump", "dump LAYER FILE.arrow", "reference, quantized and local outputs of a layer as Arrow IPC"),
            new Command("help", "help [COMMAND]", "this list, or one command's help"),
            new Command("quit", "quit", "leave the debugger"));

    /** The outcome of one line: text for people, JSON for scripts; {@code ok} false for errors. */
    public record Outcome(String command, boolean ok, boolean quit, boolean checkFailed, String text, Object result) {
    }

    static final ObjectMapper JSON = new ObjectMapper();

    static {
        // JSON has no Infinity or NaN: exact SQNR is written as "inf", unmeasured values as null.
        SimpleModule m = new SimpleModule();
        JsonSerializer<Double> d = new JsonSerializer<>() {
            @Override
            public void serialize(Double v, JsonGenerator g, SerializerProvider p) throws IOException {
                if (v.isNaN()) {
                    g.writeNull();
                } else if (v.isInfinite()) {
                    g.writeString(v > 0 ? "inf" : "-inf");
                } else {
                    g.writeNumber(v);
                }
            }
        };
        m.addSerializer(Double.class, d);
        m.addSerializer(double.class, d);
        JSON.registerModule(m);
    }

    private final DebugSession session;
    private final String toolVersion;
    private final DefaultParser parser = new DefaultParser();

    public CommandShell(DebugSession session, String toolVersion) {
        this.session = session;
        this.toolVersion = toolVersion;
    }

    public DebugSession session() {
        return session;
    }

    /** Runs one line; never throws for user errors. */
    public Outcome execute(String line) {
        List<String> words;
        try {
            words = new ArrayList<>(parser.parse(line, line.length()).words());
        } catch (RuntimeException e) {
            return error("?", "cannot parse the line: " + e.getMessage());
        }
        words.removeIf(String::isEmpty);
        if (words.isEmpty() || words.get(0).startsWith("#")) {
            return new Outcome("", true, false, false, "", null);
        }
        String name = words.get(0).toLowerCase(Locale.ROOT);
        List<String> args = words.subList(1, words.size());
        try {
            return dispatch(name, args);
        } catch (IllegalArgumentException | IllegalStateException | IOException | UnsupportedOperationException e) {
            return error(name, e.getMessage());
        } catch (RuntimeException e) {
            // A failure inside the executor or a writer: report it on one line and keep the session alive.
            return error(name, e.getClass().getSimpleName() + ": " + e.getMessage());
        }
    }

    private Outcome dispatch(String name, List<String> args) throws IOException {
        switch (name) {
            case "layers" -> {
                none(name, args);
                List<Results.Layer> ls = session.layers();
                TextTable t = new TextTable("#", "layer", "op", "role", "weight", "activation", "activation range");
                ls.forEach(l -> t.row(l.index(), l.node(), l.op(), l.role(), l.weightFormat(), l.activationFormat(), l.activationRange()));
                return ok(name, t.render(), ls);
            }
            case "run" -> {
                int n = args.isEmpty() ? 256 : parseInt(name, args.get(0));
                if (args.size() > 1) {
                    throw new IllegalArgumentException("run takes at most one argument (rows)");
                }
                Results.RunSummary r = session.run(n);
                return ok(name, String.format(Locale.ROOT, "ran %d rows (%d batches) through both executors; %d layers kept%n",
                        r.rows(), r.batches(), r.layers()), r);
            }
            case "compare" -> {
                none(name, args);
                Results.Comparison c = session.compare();
                TextTable t = new TextTable("layer", "format", "local sqnr", "local cos", "local max|e|", "local relL2",
                        "cum sqnr", "cum cos", "cum max|e|", "cum relL2", "clipped");
                for (Results.CompareRow r : c.layers()) {
                    t.row(r.node(), r.format(), db(r.local().sqnrDb()), num(r.local().cosine(), 6), sci(r.local().maxAbsError()),
                            sci(r.local().relativeL2()), db(r.cumulative().sqnrDb()), num(r.cumulative().cosine(), 6),
                            sci(r.cumulative().maxAbsError()), sci(r.cumulative().relativeL2()), pct(r.cumulative().clippedShare()));
                }
                t.row("(output)", "", "", "", "", "", db(c.output().sqnrDb()), num(c.output().cosine(), 6),
                        sci(c.output().maxAbsError()), sci(c.output().relativeL2()), "");
                return ok(name, c.rows() + " rows; sqnr in dB; local = the layer alone on FP32 input, cum = in the quantized model\n"
                        + t.render(), c);
            }
            case "diverge" -> {
                Map<String, String> o = options(name, args, "--sqnr");
                double x = o.containsKey("--sqnr") ? parseDouble(name, o.get("--sqnr")) : 30;
                Results.Divergence d = session.diverge(x);
                String text = d.node() == null
                        ? String.format(Locale.ROOT, "no layer falls below %s dB%n", num(x, 2))
                        : String.format(Locale.ROOT, "first below %s dB: %s (cumulative %s dB, local %s dB): %s%n", num(x, 2),
                        d.node(), db(d.cumulative().sqnrDb()), db(d.local().sqnrDb()),
                        d.ownFault() ? "the layer itself is bad" : "error propagated from earlier layers");
                return new Outcome(name, true, false, d.node() != null, text, d);
            }
            case "show" -> {
                if (args.isEmpty()) {
                    throw new IllegalArgumentException("usage: show LAYER [--top K]");
                }
                Map<String, String> o = options(name, args.subList(1, args.size()), "--top");
                int top = o.containsKey("--top") ? parseInt(name, o.get("--top")) : 5;
                Results.LayerDetail d = session.show(args.get(0), top, 12);
                return ok(name, renderShow(d), d);
            }
            case "set" -> {
                if (args.size() != 2) {
                    throw new IllegalArgumentException("usage: set LAYER FORMAT");
                }
                Results.Edited e = session.set(args.get(0), args.get(1));
                return ok(name, e.message() + " (weight " + e.weightFormat() + ", activation " + e.activationFormat() + ")\n", e);
            }
            case "fp32" -> {
                if (args.size() != 1) {
                    throw new IllegalArgumentException("usage: fp32 LAYER");
                }
                Results.Edited e = session.fp32(args.get(0));
                return ok(name, e.message() + "\n", e);
            }
            case "reset" -> {
                none(name, args);
                Results.Edited e = session.reset();
                return ok(name, e.message() + "\n", e);
            }
            case "bisect" -> {
                Map<String, String> o = options(name, args, "--budget");
                Budget b = o.containsKey("--budget") ? Budget.parse(o.get("--budget")) : null;
                Results.Bisection r = session.bisect(b);
                String text = String.format(Locale.ROOT, "budget %s on %d rows: fp32 %s = %.6f, plan before %.6f, after %.6f: %s%n"
                                + "keep in fp32 (%d): %s%n(%d evaluations; the session's plan is now this one: compare, save or reset)%n",
                        r.budget(), session.evaluator().rows(), r.metric().id(), r.fp32(), r.before(), r.after(),
                        r.met() ? "met" : "NOT met", r.keptFp32().size(), r.keptFp32().isEmpty() ? "none" : String.join(", ", r.keptFp32()),
                        r.evaluations());
                return new Outcome(name, true, false, !r.met(), text, r);
            }
            case "save" -> {
                if (args.size() != 1) {
                    throw new IllegalArgumentException("usage: save FILE (FILE.json: the plan; otherwise an artifact)");
                }
                Results.Saved s = session.save(Path.of(args.get(0)), toolVersion);
                return ok(name, s.note() + (s.artifact() != null ? ": " + s.artifact() + ", " + s.plan() : "") + "\n", s);
            }
            case "dump" -> {
                if (args.size() != 2) {
                    throw new IllegalArgumentException("usage: dump LAYER FILE.arrow");
                }
                Results.Dumped d = session.dump(args.get(0), Path.of(args.get(1)));
                return ok(name, "wrote " + d.file() + ": " + d.rows() + " rows, columns " + String.join(", ", d.columns()) + "\n", d);
            }
            case "help" -> {
                if (args.size() > 1) {
                    throw new IllegalArgumentException("usage: help [COMMAND]");
                }
                StringBuilder sb = new StringBuilder();
                for (Command c : COMMANDS) {
                    if (args.isEmpty() || c.name().equals(args.get(0))) {
                        sb.append(String.format(Locale.ROOT, "  %-24s %s%n", c.usage(), c.help()));
                    }
                }
                if (sb.length() == 0) {
                    throw new IllegalArgumentException("no command '" + args.get(0) + "'");
                }
                return ok(name, sb.toString(), COMMANDS.stream().filter(c -> args.isEmpty() || c.name().equals(args.get(0))).toList());
            }
            case "quit", "exit" -> {
                return new Outcome("quit", true, true, false, "", null);
            }
            default -> throw new IllegalArgumentException("unknown command '" + name + "' (type help for the list)");
        }
    }

    /** The JSON line of an outcome: {"command", "ok", "result"} or {"command", "ok": false, "error"}. */
    public static String toJson(Outcome o) {
        ObjectNode n = JSON.createObjectNode();
        n.put("command", o.command());
        n.put("ok", o.ok());
        if (o.ok()) {
            n.set("result", JSON.valueToTree(o.result()));
        } else {
            n.put("error", o.text().strip());
        }
        return n.toString();
    }

    /** Names a completer offers after a command: layers, then formats for {@code set}. */
    public List<String> formatNames() {
        return FormatRegistry.names();
    }

    private String renderShow(Results.LayerDetail d) {
        StringBuilder sb = new StringBuilder();
        sb.append(d.node()).append(" (").append(d.format()).append("), output row shape ").append(java.util.Arrays.toString(d.rowShape())).append('\n');
        TextTable t = new TextTable("", "count", "min", "max", "mean", "std");
        t.row("reference", d.reference().count(), sci(d.reference().min()), sci(d.reference().max()), sci(d.reference().mean()), sci(d.reference().std()));
        t.row("quantized", d.quantized().count(), sci(d.quantized().min()), sci(d.quantized().max()), sci(d.quantized().mean()), sci(d.quantized().std()));
        sb.append(t.render());
        LayerError e = d.cumulative();
        sb.append(String.format(Locale.ROOT, "sqnr %s dB, cosine %s, max|e| %s, relL2 %s, clipped %s%n", db(e.sqnrDb()),
                num(e.cosine(), 6), sci(e.maxAbsError()), sci(e.relativeL2()), pct(e.clippedShare())));
        long most = 1;
        for (int i = 0; i < d.histogram().reference().length; i++) {
            most = Math.max(most, Math.max(d.histogram().reference()[i], d.histogram().quantized()[i]));
        }
        sb.append("histogram (R reference, Q quantized)\n");
        for (int i = 0; i < d.histogram().reference().length; i++) {
            long r = d.histogram().reference()[i];
            long q = d.histogram().quantized()[i];
            sb.append(String.format(Locale.ROOT, "  %11s  R %-30s %7d%n", sci(d.histogram().edges()[i]), "#".repeat((int) (30 * r / most)), r));
            sb.append(String.format(Locale.ROOT, "  %11s  Q %-30s %7d%n", "", "=".repeat((int) (30 * q / most)), q));
        }
        TextTable w = new TextTable("row", "index", "reference", "quantized", "|error|");
        for (Results.Element x : d.worst()) {
            w.row(x.row(), java.util.Arrays.toString(x.index()), sci(x.reference()), sci(x.quantized()), sci(x.absError()));
        }
        sb.append("worst elements\n").append(w.render());
        return sb.toString();
    }

    private static Outcome ok(String name, String text, Object result) {
        return new Outcome(name, true, false, false, text, result);
    }

    private static Outcome error(String name, String message) {
        return new Outcome(name, false, false, false, "error: " + message.replace('\n', ' ') + "\n", null);
    }

    private static void none(String name, List<String> args) {
        if (!args.isEmpty()) {
            throw new IllegalArgumentException(name + " takes no arguments, got " + String.join(" ", args));
        }
    }

    /** {@code --name value} or {@code --name=value} pairs; anything else is an error. */
    private static Map<String, String> options(String name, List<String> args, String... allowed) {
        Map<String, String> out = new LinkedHashMap<>();
        for (int i = 0; i < args.size(); i++) {
            String a = args.get(i);
            String key = a.contains("=") ? a.substring(0, a.indexOf('=')) : a;
            if (!List.of(allowed).contains(key)) {
                throw new IllegalArgumentException(name + ": unexpected '" + a + "' (options: " + String.join(", ", allowed) + ")");
            }
            if (a.contains("=")) {
                out.put(key, a.substring(a.indexOf('=') + 1));
            } else if (i + 1 < args.size()) {
                out.put(key, args.get(++i));
            } else {
                throw new IllegalArgumentException(name + ": " + key + " needs a value");
            }
        }
        return out;
    }

    private static int parseInt(String name, String s) {
        try {
            return Integer.parseInt(s);
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException(name + ": '" + s + "' is not a whole number");
        }
    }

    private static double parseDouble(String name, String s) {
        try {
            return Double.parseDouble(s);
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException(name + ": '" + s + "' is not a number");
        }
    }

    static String db(double v) {
        return Double.isInfinite(v) ? (v > 0 ? "inf" : "-inf") : Double.isNaN(v) ? "nan" : String.format(Locale.ROOT, "%.2f", v);
    }

    static String num(double v, int digits) {
        return Double.isNaN(v) ? "nan" : String.format(Locale.ROOT, "%." + digits + "f", v);
    }

    static String sci(double v) {
        return Double.isNaN(v) ? "nan" : String.format(Locale.ROOT, "%.3e", v);
    }

    static String pct(double v) {
        return Double.isNaN(v) ? "-" : String.format(Locale.ROOT, "%.3f%%", 100 * v);
    }
}
