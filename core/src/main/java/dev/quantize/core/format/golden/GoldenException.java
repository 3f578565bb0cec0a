package dev.quantize.core.format.golden;

/** A golden-vector folder that cannot be read: a malformed manifest or a missing or short file. */
public final class GoldenException extends RuntimeException {
    public GoldenException(String message) {
        super(message);
    }

    public GoldenException(String message, Throwable cause) {
        super(message, cause);
    }
}
