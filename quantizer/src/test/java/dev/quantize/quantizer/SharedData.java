package dev.quantize.quantizer;

import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Assumptions;

/** Finds ../shared (system property quantize.shared, set by the build) or skips the calling test with a message. */
public final class SharedData {
    private SharedData() {
    }

    public static Path root() {
        String p = System.getProperty("quantize.shared");
        Path root = p != null ? Path.of(p) : Path.of("..", "..", "shared");
        Assumptions.assumeTrue(Files.isDirectory(root), "shared material not found at " + root.toAbsolutePath() + "; skipping");
        return root.normalize();
    }
}
