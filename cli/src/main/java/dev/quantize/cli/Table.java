package dev.quantize.cli;

import java.io.PrintWriter;
import java.util.ArrayList;
import java.util.List;

/** A plain-text table: left-aligned text, right-aligned numbers (cells that start with a digit, sign or dot). */
final class Table {
    private final List<String> header;
    private final List<List<String>> rows = new ArrayList<>();

    Table(String... header) {
        this.header = List.of(header);
    }

    Table row(Object... cells) {
        List<String> r = new ArrayList<>();
        for (Object c : cells) {
            r.add(String.valueOf(c));
        }
        rows.add(r);
        return this;
    }

    void print(PrintWriter out) {
        int[] width = new int[header.size()];
        for (int i = 0; i < width.length; i++) {
            width[i] = header.get(i).length();
            for (List<String> r : rows) {
                width[i] = Math.max(width[i], r.get(i).length());
            }
        }
        line(out, header, width, false);
        StringBuilder rule = new StringBuilder();
        for (int i = 0; i < width.length; i++) {
            rule.append(i == 0 ? "" : "  ").append("-".repeat(width[i]));
        }
        out.println(rule);
        for (List<String> r : rows) {
            line(out, r, width, true);
        }
        out.flush();
    }

    private static void line(PrintWriter out, List<String> cells, int[] width, boolean alignNumbers) {
        StringBuilder sb = new StringBuilder();
        for (int i = 0; i < width.length; i++) {
            String c = cells.get(i);
            boolean numeric = alignNumbers && i > 0 && c.matches("[-+]?[0-9.][0-9.,eE+-]*( ?[a-zA-Z%/]+)?");
            String pad = " ".repeat(width[i] - c.length());
            sb.append(i == 0 ? "" : "  ").append(numeric ? pad + c : (i == width.length - 1 ? c : c + pad));
        }
        out.println(sb.toString().stripTrailing());
    }
}
