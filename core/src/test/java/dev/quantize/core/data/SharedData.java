package dev.quantize.core.data;

import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Assumptions;

/** Finds the shared models folder (system property quantize.shared, else ../shared) or skips the test. */
final class SharedData {
    private SharedData() {
    }

    static Path models() {
        String prop = System.getProperty("quantize.shared");
        Path shared = prop != null ? Path.of(prop) : Path.of("..", "shared");
        if (!Files.isDirectory(shared.resolve("models"))) {
            shared = Path.of("..", "..", "shared");
        }
        Path models = shared.resolve("models");
        Assumptions.assumeTrue(Files.isDirectory(models), "shared models not found at " + models.toAbsolutePath()
                + " (set -Dquantize.shared); skipping");
        return models;
    }
}
