package dev.quantize.monitor.history;

/** A history database that cannot be used: not SQLite, corrupted, a newer schema, or an I/O failure. */
public class HistoryException extends RuntimeException {
    private static final long serialVersionUID = 1L;

    public HistoryException(String message) {
        super(message);
    }

    public HistoryException(String message, Throwable cause) {
        super(message, cause);
    }
}
