package dev.quantize.cli;

import java.io.PrintStream;

/**
 * A progress bar on stderr for long work. Drawn only when a person is watching (a console is
 * attached, or QUANTIZE_PROGRESS=1), so logs and pipes stay clean.
 */
final class Progress implements AutoCloseable {
    private static final int WIDTH = 30;
    private final PrintStream err;
    private final String label;
    private final long total;
    private final boolean enabled;
    private long done;
    private long lastDraw;

    Progress(String label, long total) {
        this.err = System.err;
        this.label = label;
        this.total = Math.max(total, 1);
        this.enabled = System.console() != null || "1".equals(System.getenv("QUANTIZE_PROGRESS"));
    }

    void step() {
        advance(1);
    }

    void advance(long n) {
        done += n;
        long now = System.nanoTime();
        if (enabled && (now - lastDraw > 50_000_000L || done >= total)) {
            lastDraw = now;
            int filled = (int) (WIDTH * Math.min(done, total) / total);
            err.print("\r" + label + " [" + "#".repeat(filled) + " ".repeat(WIDTH - filled) + "] " + done + "/" + total);
            err.flush();
        }
    }

    @Override
    public void close() {
        if (enabled) {
            err.print("\r" + " ".repeat(label.length() + WIDTH + 30) + "\r");
            err.flush();
        }
    }
}
