package dev.quantize.debugger.repl;

import java.util.ArrayList;
import java.util.List;

/** A plain text table: columns padded to their widest cell, numbers right-aligned. */
final class TextTable {
    private final List<String[]> rows = new ArrayList<>();
    private final int columns;

    TextTable(String... header) {
        rows.add(header);
        columns = header.length;
    }

    TextTable row(Object... cells) {
        String[] r = new String[columns];
        for (int i = 0; i < columns; i++) {
            r[i] = i < cells.length && cells[i] != null ? cells[i].toString() : "";
        }
        rows.add(r);
        return this;
    }

    String render() {
        int[] w = new int[columns];
        for (String[] r : rows) {
            for (int i = 0; i < columns; i++) {
                w[i] = Math.max(w[i], r[i].length());
            }
        }
        StringBuilder sb = new StringBuilder();
        for (int k = 0; k < rows.size(); k++) {
            String[] r = rows.get(k);
            for (int i = 0; i < columns; i++) {
                boolean number = k > 0 && r[i].matches("[-+]?[0-9.]+(e[-+]?[0-9]+)?%?|inf|-inf");
                String pad = " ".repeat(w[i] - r[i].length());
                sb.append(i == 0 ? "" : "  ").append(number ? pad + r[i] : r[i] + (i == columns - 1 ? "" : pad));
            }
            sb.append('\n');
            if (k == 0) {
                for (int i = 0; i < columns; i++) {
                    sb.append(i == 0 ? "" : "  ").append("-".repeat(w[i]));
                }
                sb.append('\n');
            }
        }
        return sb.toString();
    }
}
