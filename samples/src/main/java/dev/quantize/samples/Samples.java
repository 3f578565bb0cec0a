package dev.quantize.samples;

import com.fasterxml.jackson.databind.JsonNode;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The embedded samples: where they live and what each holds. They are committed under
 * {@code samples/data/} in the repository (not packed into the jar: users and the README point tools at
 * the files themselves, and {@code quantize samples --regenerate} rewrites them in place).
 */
public final class Samples {
    /** The seed the committed samples were generated with. */
    public static final long SEED = 20240607L;
    /** The folder of the samples, relative to the repository root. */
    public static final Path RELATIVE_LOCATION = Path.of("samples", "data");
    public static final String MODEL = "model.onnx";
    public static final String METRICS = "metrics.json";
    /** The data splits, each written as {@code <split>.arrow}. */
    public static final List<String> SPLITS = List.of("calib", "eval", "drift");
    /** Every file of a sample folder. */
    public static final List<String> FILES = List.of(MODEL, "calib.arrow", "eval.arrow", "drift.arrow", METRICS);

    private Samples() {
    }

    /** The sample names, in generation order. */
    public static List<String> names() {
        return SampleGenerator.samples().stream().map(SampleGenerator.Sample::name).toList();
    }

    /**
     * The embedded samples folder: under the {@code quantize.home} system property (set by bin/quantize)
     * when present; else the first {@code samples/data} found from the working directory upwards; else
     * {@code samples/data} under the working directory.
     */
    public static Path location() {
        String home = System.getProperty("quantize.home");
        if (home != null && !home.isBlank()) {
            return Path.of(home).resolve(RELATIVE_LOCATION).toAbsolutePath().normalize();
        }
        Path cwd = Path.of("").toAbsolutePath();
        for (Path dir = cwd; dir != null; dir = dir.getParent()) {
            Path candidate = dir.resolve(RELATIVE_LOCATION);
            if (Files.isDirectory(candidate)) {
                return candidate.normalize();
            }
        }
        return cwd.resolve(RELATIVE_LOCATION);
    }

    /** The folder of one sample in {@code root}; throws naming the known samples when the name is unknown. */
    public static Path folder(Path root, String name) {
        if (!names().contains(name)) {
            throw new IllegalArgumentException("no sample named '" + name + "' (samples: " + String.join(", ", names()) + ")");
        }
        return root.resolve(name);
    }

    /** The split metrics recorded in a sample folder's metrics.json. */
    public static SampleReport readReport(Path sampleDir) throws IOException {
        Path file = sampleDir.resolve(METRICS);
        if (!Files.isRegularFile(file)) {
            throw new IOException(file + ": no such file; regenerate the samples with 'quantize samples --regenerate'");
        }
        JsonNode root;
        try {
            root = SampleFiles.JSON.readTree(file.toFile());
        } catch (IOException e) {
            throw new IOException(file + ": not valid JSON: " + e.getMessage(), e);
        }
        if (root == null || !root.path("sample").isTextual() || !root.path("task").isTextual()) {
            throw new IOException(file + ": expected an object with 'sample' and 'task' strings");
        }
        Map<String, Map<String, Double>> splits = new LinkedHashMap<>();
        for (String split : SPLITS) {
            JsonNode s = root.get(split);
            if (s == null || !s.isObject()) {
                throw new IOException(file + ": no '" + split + "' metrics object");
            }
            Map<String, Double> m = new LinkedHashMap<>();
            for (Iterator<Map.Entry<String, JsonNode>> it = s.fields(); it.hasNext(); ) {
                Map.Entry<String, JsonNode> e = it.next();
                if (!e.getValue().isNumber()) {
                    throw new IOException(file + ": metric '" + split + "." + e.getKey() + "' is not a number");
                }
                m.put(e.getKey(), e.getValue().asDouble());
            }
            splits.put(split, m);
        }
        return new SampleReport(root.get("sample").asText(), root.get("task").asText(), splits);
    }
}
