package dev.quantize.core.format;

import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Assumptions;

/** Finds ../shared (the system property quantize.shared, set by the build) and skips a test when it is absent. */
public final class SharedData {
    private SharedData() {
    }

    public static Path root() {
        String p = System.getProperty("quantize.shared");
        Path root = p != null ? Path.of(p) : Path.of("..", "..", "shared");
        Assumptions.assumeTrue(Files.isDirectory(root), "shared material not found at " + root.toAbsolutePath()
                + " (set -Dquantize.shared); skipping");
        return root.normalize();
    }
}
