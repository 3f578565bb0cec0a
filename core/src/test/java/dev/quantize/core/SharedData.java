package dev.quantize.core;

import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Assumptions;

/**
 * Finds ../shared (the system property quantize.shared, which the build sets; else ../../shared from a
 * module folder) and skips the calling test with a message when it is absent.
 */
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

    /** shared/models, or skip. */
    public static Path models() {
        Path models = root().resolve("models");
        Assumptions.assumeTrue(Files.isDirectory(models), "shared models not found at " + models.toAbsolutePath() + "; skipping");
        return models;
    }

    /** shared/models/NAME/model.onnx, or skip. */
    public static Path model(String name) {
        Path model = models().resolve(name).resolve("model.onnx");
        Assumptions.assumeTrue(Files.isRegularFile(model), "shared model absent: " + model.toAbsolutePath());
        return model;
    }
}
