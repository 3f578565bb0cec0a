package dev.quantize.quantizer.artifact;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.util.DefaultIndenter;
import com.fasterxml.jackson.core.util.DefaultPrettyPrinter;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.ObjectWriter;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.quantize.core.tensor.DataType;
import dev.quantize.quantizer.plan.QuantPlan;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.Locale;

/**
 * The artifact's JSON manifest: everything but the bulk bytes. Written deterministically (fixed key
 * order, "\n" line ends whatever the platform, no timestamps) and read strictly: a missing or
 * mistyped field is an {@link ArtifactException} naming it.
 */
record Manifest(Provenance provenance, Blob graph, QuantPlan plan, String calibrationJson, String reportJson,
                List<TensorEntry> tensors, Map<String, String> extras) {
    static final String FORMAT_NAME = "quantize-artifact";

    /** A stretch of the tensor section that is not a tensor (the graph). */
    record Blob(long offset, long length, int crc32c) {
    }

    private static final ObjectMapper JSON = new ObjectMapper();
    private static final ObjectWriter WRITER = JSON.writer(new DefaultPrettyPrinter()
            .withObjectIndenter(new DefaultIndenter("  ", "\n"))
            .withArrayIndenter(DefaultPrettyPrinter.FixedSpaceIndenter.instance));

    Manifest {
        tensors = List.copyOf(tensors);
        extras = Collections.unmodifiableMap(new TreeMap<>(extras == null ? Map.of() : extras));
    }

    byte[] toBytes() {
        ObjectNode root = JSON.createObjectNode();
        root.put("format", FORMAT_NAME);
        root.put("format_version", ArtifactHeader.VERSION);
        ObjectNode p = root.putObject("provenance");
        p.put("tool_version", provenance.toolVersion());
        p.put("source_model", provenance.sourceModel());
        p.put("source_sha256", provenance.sourceSha256());
        ObjectNode g = root.putObject("graph");
        g.put("encoding", "onnx");
        putPlace(g, graph.offset(), graph.length(), graph.crc32c());
        try {
            root.set("plan", JSON.readTree(plan.toJson()));
        } catch (JsonProcessingException e) {
            throw new IllegalStateException("the plan's own JSON does not parse", e);
        }
        root.put("calibration", calibrationJson);
        root.put("search_report", reportJson);
        if (!extras.isEmpty()) { // absent when empty: artifacts without extras keep their bytes
            ObjectNode x = root.putObject("extras");
            extras.forEach(x::put);
        }
        ArrayNode ts = root.putArray("tensors");
        for (TensorEntry t : tensors) {
            ObjectNode o = ts.addObject();
            o.put("name", t.name());
            ArrayNode shape = o.putArray("shape");
            for (int d : t.shape()) {
                shape.add(d);
            }
            if (t.storage() instanceof TensorEntry.Packed pk) {
                o.put("storage", "packed");
                o.put("format", pk.format());
                o.put("axis", pk.axis());
                o.put("scale", Float.toHexString(pk.scale()));
            } else if (t.storage() instanceof TensorEntry.Raw raw) {
                o.put("storage", "raw");
                o.put("dtype", raw.type().name().toLowerCase(Locale.ROOT));
            }
            putPlace(o, t.offset(), t.length(), t.crc32c());
        }
        try {
            return (WRITER.writeValueAsString(root) + "\n").getBytes(StandardCharsets.UTF_8);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException(e);
        }
    }

    private static void putPlace(ObjectNode o, long offset, long length, int crc) {
        o.put("offset", offset);
        o.put("length", length);
        o.put("crc32c", ArtifactHeader.hex(crc));
    }

    /** Parses a manifest whose checksum already matched; {@code file} names the artifact in messages. */
    static Manifest parse(byte[] bytes, String file) {
        Reader r = new Reader(file);
        JsonNode root;
        try {
            root = JSON.readTree(bytes);
        } catch (java.io.IOException e) {
            throw new ArtifactException(file + ": manifest is not valid JSON (" + (e instanceof JsonProcessingException j ? j.getOriginalMessage() : e.getMessage()) + ")", e);
        }
        if (root == null || !root.isObject()) {
            throw new ArtifactException(file + ": manifest is not a JSON object");
        }
        if (!FORMAT_NAME.equals(root.path("format").asText())) {
            throw new ArtifactException(file + ": manifest does not describe a " + FORMAT_NAME);
        }
        JsonNode p = r.object(root, "provenance");
        Provenance provenance = new Provenance(r.text(p, "tool_version"), r.text(p, "source_model"), r.text(p, "source_sha256"));
        JsonNode g = r.object(root, "graph");
        if (!"onnx".equals(r.text(g, "encoding"))) {
            throw new ArtifactException(file + ": manifest: graph encoding '" + g.path("encoding").asText() + "' is not supported");
        }
        Blob graph = new Blob(r.number(g, "offset"), r.number(g, "length"), r.crc(g, "crc32c"));
        QuantPlan plan;
        try {
            plan = QuantPlan.fromJson(r.object(root, "plan").toString());
        } catch (IllegalArgumentException e) {
            throw new ArtifactException(file + ": manifest: " + e.getMessage(), e);
        }
        List<TensorEntry> tensors = new ArrayList<>();
        JsonNode ts = root.get("tensors");
        if (ts == null || !ts.isArray()) {
            throw new ArtifactException(file + ": manifest has no \"tensors\" array");
        }
        for (JsonNode t : ts) {
            String name = r.text(t, "name");
            JsonNode shapeNode = t.get("shape");
            if (shapeNode == null || !shapeNode.isArray()) {
                throw new ArtifactException(file + ": manifest: tensor '" + name + "' has no \"shape\" array");
            }
            int[] shape = new int[shapeNode.size()];
            for (int i = 0; i < shape.length; i++) {
                JsonNode d = shapeNode.get(i);
                if (!d.canConvertToInt() || !d.isIntegralNumber() || d.intValue() < 0) {
                    throw new ArtifactException(file + ": manifest: tensor '" + name + "' has a bad dimension " + d);
                }
                shape[i] = d.intValue();
            }
            String storage = r.text(t, "storage");
            TensorEntry.Storage s = switch (storage) {
                case "packed" -> new TensorEntry.Packed(r.text(t, "format"), (int) r.number(t, "axis"), r.scale(t, name));
                case "raw" -> new TensorEntry.Raw(r.dtype(t, name));
                default -> throw new ArtifactException(file + ": manifest: tensor '" + name + "' has unknown storage '" + storage + "'");
            };
            tensors.add(new TensorEntry(name, shape, s, r.number(t, "offset"), r.number(t, "length"), r.crc(t, "crc32c")));
        }
        Map<String, String> extras = new TreeMap<>();
        JsonNode x = root.get("extras");
        if (x != null && !x.isNull()) {
            if (!x.isObject()) {
                throw new ArtifactException(file + ": manifest: \"extras\" is not an object");
            }
            x.fields().forEachRemaining(e -> extras.put(e.getKey(), r.text(x, e.getKey())));
        }
        return new Manifest(provenance, graph, plan, r.optionalText(root, "calibration"),
                r.optionalText(root, "search_report"), tensors, extras);
    }

    /** Typed field access with messages that name the file and the field. */
    private record Reader(String file) {
        JsonNode object(JsonNode parent, String field) {
            JsonNode n = parent.get(field);
            if (n == null || !n.isObject()) {
                throw missing(field, "an object");
            }
            return n;
        }

        String text(JsonNode parent, String field) {
            JsonNode n = parent.get(field);
            if (n == null || !n.isTextual()) {
                throw missing(field, "a string");
            }
            return n.textValue();
        }

        String optionalText(JsonNode parent, String field) {
            JsonNode n = parent.get(field);
            if (n == null || n.isNull()) {
                return null;
            }
            if (!n.isTextual()) {
                throw missing(field, "a string or null");
            }
            return n.textValue();
        }

        long number(JsonNode parent, String field) {
            JsonNode n = parent.get(field);
            if (n == null || !n.isIntegralNumber() || !n.canConvertToLong() || n.longValue() < 0) {
                throw missing(field, "a non-negative integer");
            }
            return n.longValue();
        }

        int crc(JsonNode parent, String field) {
            String s = text(parent, field);
            if (!s.matches("[0-9a-f]{8}")) {
                throw missing(field, "8 hex digits");
            }
            return Integer.parseUnsignedInt(s, 16);
        }

        float scale(JsonNode t, String tensor) {
            String s = text(t, "scale");
            try {
                float v = Float.parseFloat(s);
                if (!s.startsWith("0x") || !Float.isFinite(v)) {
                    throw new NumberFormatException();
                }
                return v;
            } catch (NumberFormatException e) {
                throw new ArtifactException(file + ": manifest: tensor '" + tensor + "' has a bad scale '" + s
                        + "' (expected a finite hexadecimal float such as 0x1.0p0)");
            }
        }

        DataType dtype(JsonNode t, String tensor) {
            String s = text(t, "dtype");
            for (DataType d : DataType.values()) {
                if (d.name().toLowerCase(Locale.ROOT).equals(s) && RawTensors.supports(d)) {
                    return d;
                }
            }
            throw new ArtifactException(file + ": manifest: tensor '" + tensor + "' has unsupported dtype '" + s + "'");
        }

        private ArtifactException missing(String field, String what) {
            return new ArtifactException(file + ": manifest: \"" + field + "\" is missing or not " + what);
        }
    }
}
