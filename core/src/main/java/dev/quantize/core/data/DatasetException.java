package dev.quantize.core.data;

/**
 * A dataset could not be read, written or bound: the message names the file (or dataset) and what is
 * wrong, so the CLI can print it as one line. Unchecked because it surfaces from iterators.
 */
public class DatasetException extends RuntimeException {
    private static final long serialVersionUID = 1L;

    public DatasetException(String message) {
        super(message);
    }

    public DatasetException(String message, Throwable cause) {
        super(message, cause);
    }
}
