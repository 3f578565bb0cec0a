package dev.quantize.core.format.golden;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.quantize.core.format.FormatRegistry;
import dev.quantize.core.format.NumericFormat;
import dev.quantize.core.format.PackedTensor;
import dev.quantize.core.tensor.Shape;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.function.Consumer;

/**
 * Reads golden-vector folders and checks the format library against them. A folder is either a
 * case set (its manifest.json has "cases") or a collection (its manifest.json lists "case_sets", or
 * it has no manifest and holds case-set folders). Each case is checked three ways: fake
 * quantization equals the expected output, decode(encode(x)) equals it too, and for row-wise cases
 * the packed bytes equal the expected bytes exactly.
 */
public final class GoldenSuite {
    private static final ObjectMapper JSON = new ObjectMapper();

    /** The outcome of one case; {@code failure} is null when it passed. */
    public record Result(GoldenCase goldenCase, String failure) {
        public boolean passed() {
            return failure == null;
        }
    }

    private GoldenSuite() {
    }

    /** Every case under {@code dir}, or a GoldenException naming the manifest or file at fault. */
    public static List<GoldenCase> load(Path dir) {
        Path manifest = dir.resolve("manifest.json");
        List<GoldenCase> cases = new ArrayList<>();
        if (!Files.isRegularFile(manifest)) {
            if (!Files.isDirectory(dir)) {
                throw new GoldenException(dir + ": no such folder");
            }
            try (var children = Files.list(dir)) {
                List<Path> sets = children.filter(p -> Files.isRegularFile(p.resolve("manifest.json"))).sorted().toList();
                if (sets.isEmpty()) {
                    throw new GoldenException(dir + ": no manifest.json here or in any sub-folder");
                }
                for (Path s : sets) {
                    cases.addAll(load(s));
                }
            } catch (IOException e) {
                throw new GoldenException(dir + ": " + e.getMessage(), e);
            }
            return cases;
        }
        JsonNode root = readJson(manifest);
        if (root.has("case_sets")) {
            for (JsonNode set : root.get("case_sets")) {
                String rel = text(set, "path", manifest);
                Path setManifest = dir.resolve(rel).normalize();
                if (!Files.isRegularFile(setManifest)) {
                    throw new GoldenException(manifest + ": case set '" + rel + "' does not exist");
                }
                cases.addAll(load(setManifest.getParent()));
            }
            return cases;
        }
        JsonNode list = root.get("cases");
        if (list == null || !list.isArray()) {
            throw new GoldenException(manifest + ": neither \"cases\" nor \"case_sets\" is a list");
        }
        String set = root.has("case_set") ? root.get("case_set").asText() : dir.getFileName().toString();
        for (JsonNode c : list) {
            cases.add(parseCase(set, c, dir, manifest));
        }
        return cases;
    }

    private static JsonNode readJson(Path manifest) {
        try {
            return JSON.readTree(manifest.toFile());
        } catch (com.fasterxml.jackson.core.JsonProcessingException e) {
            throw new GoldenException(manifest + ": not valid JSON: " + e.getOriginalMessage(), e);
        } catch (IOException e) {
            throw new GoldenException(manifest + ": cannot read: " + e.getMessage(), e);
        }
    }

    private static String text(JsonNode n, String field, Path manifest) {
        JsonNode v = n.get(field);
        if (v == null || !v.isTextual()) {
            String which = n.has("name") ? " case '" + n.get("name").asText() + "'" : "";
            throw new GoldenException(manifest + ":" + which + " missing text field \"" + field + "\"");
        }
        return v.asText();
    }

    private static Integer optInt(JsonNode n, String field, Path manifest) {
        JsonNode v = n.get(field);
        if (v == null || v.isNull()) {
            return null;
        }
        if (!v.canConvertToInt()) {
            throw new GoldenException(manifest + ": case '" + n.path("name").asText() + "' field \"" + field + "\" is not an integer");
        }
        return v.asInt();
    }

    private static Path file(Path dir, JsonNode n, String field, Path manifest) {
        return n.has(field) ? dir.resolve(text(n, field, manifest)).normalize() : null;
    }

    private static GoldenCase parseCase(String set, JsonNode c, Path dir, Path manifest) {
        String name = text(c, "name", manifest);
        JsonNode shapeNode = c.get("shape");
        if (shapeNode == null || !shapeNode.isArray()) {
            throw new GoldenException(manifest + ": case '" + name + "' has no \"shape\" list");
        }
        int[] shape = new int[shapeNode.size()];
        for (int i = 0; i < shape.length; i++) {
            if (!shapeNode.get(i).canConvertToInt() || shapeNode.get(i).asInt() < 0) {
                throw new GoldenException(manifest + ": case '" + name + "' has a bad dimension in \"shape\"");
            }
            shape[i] = shapeNode.get(i).asInt();
        }
        String rounding = c.has("rounding") ? text(c, "rounding", manifest) : null;
        GoldenCase g = new GoldenCase(set, name, text(c, "format", manifest), rounding, optInt(c, "block_size", manifest),
                optInt(c, "axis", manifest), shape, file(dir, c, "input", manifest), file(dir, c, "expected", manifest),
                file(dir, c, "expected_packed", manifest), file(dir, c, "expected_dequant", manifest));
        if (g.input() == null) {
            throw new GoldenException(manifest + ": case '" + name + "' has no \"input\"");
        }
        if (g.expected() == null && (g.expectedPacked() == null || g.expectedDequant() == null)) {
            throw new GoldenException(manifest + ": case '" + name + "' has neither \"expected\" nor \"expected_packed\" with \"expected_dequant\"");
        }
        try {
            FormatRegistry.parse(g.formatSpec());
        } catch (IllegalArgumentException e) {
            throw new GoldenException(manifest + ": case '" + name + "': " + e.getMessage(), e);
        }
        return g;
    }

    /** Runs every case; {@code progress} sees each result as it is made. */
    public static List<Result> run(List<GoldenCase> cases, Consumer<Result> progress) {
        List<Result> results = new ArrayList<>(cases.size());
        for (GoldenCase c : cases) {
            Result r = new Result(c, check(c));
            results.add(r);
            progress.accept(r);
        }
        return results;
    }

    /** Checks one case; returns null when it passes, else what differs. Unreadable files throw GoldenException. */
    public static String check(GoldenCase c) {
        NumericFormat format = FormatRegistry.parse(c.formatSpec());
        int n = Shape.size(c.shape());
        float[] input = readFloats(c.input(), n);
        int axis = c.axis() == null ? Math.max(0, c.shape().length - 1) : c.axis();
        float[] fake = format.quantizeDequantize(input, c.shape(), axis);
        float[] expected = readFloats(c.rowwise() ? c.expectedDequant() : c.expected(), n);
        String diff = compare(expected, fake, "fake quantization");
        if (diff == null && packable(format, input)) {
            diff = compare(expected, format.decode(format.encode(input, c.shape(), axis)), "decode(encode(x))");
        }
        if (diff == null && c.rowwise()) {
            byte[] packed = format.encode(input, c.shape(), axis).bytes();
            byte[] want = readBytes(c.expectedPacked());
            if (!Arrays.equals(packed, want)) {
                int i = Arrays.mismatch(packed, want);
                diff = "packed bytes differ at byte " + i + " (of " + want.length + "): got "
                        + (i < packed.length ? packed[i] & 0xFF : "end") + ", expected " + (i < want.length ? want[i] & 0xFF : "end");
            }
        }
        return diff;
    }

    /**
     * Whether the input can be packed: the bare FP6/FP4/INT8 element types (golden-only formats,
     * used inside MX blocks where NaN lives in the scale) have no code for NaN.
     */
    private static boolean packable(NumericFormat format, float[] input) {
        if (!(format instanceof dev.quantize.core.format.ScalarFormat s) || s.elementType().hasNaN()
                || s.elementType().bits() >= 16) {
            return true;
        }
        for (float x : input) {
            if (Float.isNaN(x)) {
                return false;
            }
        }
        return true;
    }

    /** Float32 equality with NaN = NaN and +0 = -0; the first differing element, or null. */
    static String compare(float[] expected, float[] actual, String what) {
        int bad = 0;
        int first = -1;
        for (int i = 0; i < expected.length; i++) {
            float e = expected[i];
            float a = actual[i];
            boolean same = Float.isNaN(e) ? Float.isNaN(a) : e == a;
            if (!same) {
                if (first < 0) {
                    first = i;
                }
                bad++;
            }
        }
        if (bad == 0) {
            return null;
        }
        return what + ": " + bad + " of " + expected.length + " elements differ; first at " + first + ": got "
                + actual[first] + " (0x" + Integer.toHexString(Float.floatToRawIntBits(actual[first])) + "), expected "
                + expected[first] + " (0x" + Integer.toHexString(Float.floatToRawIntBits(expected[first])) + ")";
    }

    private static byte[] readBytes(Path p) {
        try {
            return Files.readAllBytes(p);
        } catch (IOException e) {
            throw new GoldenException(p + ": cannot read: " + e.getMessage(), e);
        }
    }

    /** A little-endian float32 file of exactly {@code n} values. */
    static float[] readFloats(Path p, int n) {
        byte[] b = readBytes(p);
        if (b.length != 4L * n) {
            throw new GoldenException(p + ": has " + b.length + " bytes, expected " + 4L * n + " (" + n + " float32 values)");
        }
        float[] out = new float[n];
        ByteBuffer.wrap(b).order(ByteOrder.LITTLE_ENDIAN).asFloatBuffer().get(out);
        return out;
    }
}
