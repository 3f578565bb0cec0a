package dev.quantize.quantizer.artifact;

/**
 * An artifact file that cannot be used: not an artifact, from a newer tool, truncated or corrupted.
 * The message is one line and starts with the file name.
 */
public class ArtifactException extends RuntimeException {
    public ArtifactException(String message) {
        super(message);
    }

    public ArtifactException(String message, Throwable cause) {
        super(message, cause);
    }
}
