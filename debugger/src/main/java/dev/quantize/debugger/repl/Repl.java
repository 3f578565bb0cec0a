package dev.quantize.debugger.repl;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.jline.reader.Candidate;
import org.jline.reader.Completer;
import org.jline.reader.EndOfFileException;
import org.jline.reader.LineReader;
import org.jline.reader.LineReaderBuilder;
import org.jline.reader.UserInterruptException;
import org.jline.terminal.Terminal;

/**
 * The two ways to drive a {@link CommandShell}: an interactive JLine prompt (tab completion of
 * commands, layer names and formats; history kept in a file) and a script (a file or standard
 * input), printing text or one JSON line per command.
 */
public final class Repl {
    private Repl() {
    }

    /** Completes the first word to a command, then layer names, then (for {@code set}) format names. */
    static Completer completer(CommandShell shell) {
        return (reader, line, candidates) -> {
            List<String> words = line.words();
            int at = line.wordIndex();
            if (at == 0) {
                CommandShell.COMMANDS.forEach(c -> candidates.add(new Candidate(c.name())));
                return;
            }
            String cmd = words.get(0);
            if (at == 1 && List.of("show", "set", "fp32", "dump").contains(cmd)) {
                shell.session().layerNames().forEach(n -> candidates.add(new Candidate(n)));
            } else if (at == 1 && cmd.equals("help")) {
                CommandShell.COMMANDS.forEach(c -> candidates.add(new Candidate(c.name())));
            } else if (at == 2 && cmd.equals("set")) {
                List<String> formats = new ArrayList<>(shell.formatNames());
                formats.add("int8");
                formats.forEach(f -> candidates.add(new Candidate(f)));
            }
        };
    }

    /** The interactive loop; returns when the user quits or closes the input. */
    public static void interactive(CommandShell shell, Terminal terminal, Path history) {
        LineReader reader = LineReaderBuilder.builder().terminal(terminal).appName("quantize debug")
                .completer(completer(shell)).variable(LineReader.HISTORY_FILE, history).build();
        PrintWriter out = terminal.writer();
        out.println("quantize debug: " + shell.session().layerNames().size() + " layers; type help, TAB completes");
        out.flush();
        while (true) {
            String line;
            try {
                line = reader.readLine("debug> ");
            } catch (UserInterruptException e) {
                continue; // Ctrl-C drops the line, not the session
            } catch (EndOfFileException e) {
                break;
            }
            CommandShell.Outcome o = shell.execute(line);
            out.print(o.text());
            out.flush();
            if (o.quit()) {
                break;
            }
        }
        try {
            reader.getHistory().save();
        } catch (IOException e) {
            out.println("note: history not saved: " + e.getMessage());
        }
    }

    /**
     * Runs every line of a script. Returns the exit code: 2 when a command failed, 1 when a check
     * failed ({@code diverge} found a layer, {@code bisect} missed its budget), else 0.
     */
    public static int script(CommandShell shell, BufferedReader in, PrintWriter out, boolean json) throws IOException {
        int code = 0;
        String line;
        while ((line = in.readLine()) != null) {
            CommandShell.Outcome o = shell.execute(line);
            if (o.command().isEmpty()) {
                continue;
            }
            if (o.quit()) {
                break;
            }
            if (json) {
                out.println(CommandShell.toJson(o));
            } else {
                out.print(o.text());
            }
            out.flush();
            if (!o.ok()) {
                code = 2;
            } else if (o.checkFailed() && code == 0) {
                code = 1;
            }
        }
        return code;
    }
}
