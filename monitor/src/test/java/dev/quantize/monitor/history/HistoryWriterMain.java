package dev.quantize.monitor.history;

import java.nio.file.Path;

/** Child-process writer for the tests: appends windows [from, to) of a model, printing "started" first. */
public final class HistoryWriterMain {
    private HistoryWriterMain() {
    }

    public static void main(String[] args) {
        Path db = Path.of(args[0]);
        String model = args[1];
        int from = Integer.parseInt(args[2]);
        int to = Integer.parseInt(args[3]);
        try (History h = History.open(db)) {
            System.out.println("started");
            System.out.flush();
            for (int i = from; i < to; i++) {
                h.append(Records.window(model, i));
            }
        }
    }
}
