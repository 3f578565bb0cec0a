package dev.quantize.calibration;

import com.fasterxml.jackson.annotation.JsonAutoDetect;
import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonPropertyOrder;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.PropertyNamingStrategies;
import com.fasterxml.jackson.databind.SerializationFeature;
import dev.quantize.core.io.AtomicFiles;
import java.io.IOException;
import java.io.Serializable;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The calibration statistics of a model: per observed tensor a {@link TensorStats}, plus the rows
 * seen by pass 1 and pass 2. Every instance is a mergeable partial: {@link #merge} is associative and
 * an empty instance is its identity, so one JVM over a stream and many workers over partitions give
 * the same statistics. The two-pass protocol, for a driver and its workers:
 * <pre>
 *   p1   = merge of pass-1 partials (CalibrationRunner.pass1, weights included)
 *   plan = p1.histogramPlan(...)                        shipped to the workers
 *   p2   = merge of pass-2 partials (CalibrationRunner.pass2 with plan)
 *   full = p1.merge(p2)
 * </pre>
 * Saved as JSON (format {@value #FORMAT}, version {@value #VERSION}, histograms as arrays of counts)
 * and {@link Serializable} for frameworks that move Java objects.
 */
@JsonAutoDetect(fieldVisibility = JsonAutoDetect.Visibility.ANY, getterVisibility = JsonAutoDetect.Visibility.NONE,
        isGetterVisibility = JsonAutoDetect.Visibility.NONE)
@JsonPropertyOrder({"format", "version", "rows", "histogramRows", "tensors"})
public final class CalibrationStats implements Serializable {
    public static final String FORMAT = "quantize-calibration-stats";
    public static final int VERSION = 1;
    private static final long serialVersionUID = 1L;
    private static final ObjectMapper MAPPER = new ObjectMapper()
            .setPropertyNamingStrategy(PropertyNamingStrategies.SNAKE_CASE)
            .setSerializationInclusion(JsonInclude.Include.NON_NULL)
            .enable(SerializationFeature.INDENT_OUTPUT)
            .enable(DeserializationFeature.FAIL_ON_NULL_FOR_PRIMITIVES)
            .enable(DeserializationFeature.FAIL_ON_TRAILING_TOKENS);

    private String format;
    private int version;
    private long rows;
    private long histogramRows;
    private LinkedHashMap<String, TensorStats> tensors;

    /** For Jackson. */
    private CalibrationStats() {
    }

    /** {@code rows}: rows pass 1 saw; {@code histogramRows}: rows pass 2 saw. */
    public CalibrationStats(long rows, long histogramRows, Map<String, TensorStats> tensors) {
        this.format = FORMAT;
        this.version = VERSION;
        this.rows = rows;
        this.histogramRows = histogramRows;
        this.tensors = new LinkedHashMap<>(tensors);
    }

    public static CalibrationStats empty() {
        return new CalibrationStats(0, 0, Map.of());
    }

    /** A new instance holding both; tensors keep this one's order, then the other's new ones. */
    public CalibrationStats merge(CalibrationStats other) {
        LinkedHashMap<String, TensorStats> m = new LinkedHashMap<>();
        tensors.forEach((k, v) -> m.put(k, v.copy()));
        other.tensors.forEach((k, v) -> m.put(k, m.containsKey(k) ? m.get(k).merged(v, k) : v.copy()));
        return new CalibrationStats(rows + other.rows, histogramRows + other.histogramRows, m);
    }

    /** Rows pass 1 observed. */
    public long rows() {
        return rows;
    }

    /** Rows pass 2 observed (0 before pass 2). */
    public long histogramRows() {
        return histogramRows;
    }

    /** The observed tensors by value name (not copies: do not change them). */
    public Map<String, TensorStats> tensors() {
        return Collections.unmodifiableMap(tensors);
    }

    public TensorStats tensor(String name) {
        TensorStats t = tensors.get(name);
        if (t == null) {
            throw new IllegalArgumentException("no calibration statistics for tensor '" + name + "' (have: "
                    + String.join(", ", tensors.keySet()) + ")");
        }
        return t;
    }

    public Range range(String tensor, Method method) {
        return range(tensor, RangeSelection.of(method));
    }

    public Range range(String tensor, RangeSelection selection) {
        return tensor(tensor).range(selection, tensor);
    }

    public List<Range> channelRanges(String tensor, Method method) {
        return channelRanges(tensor, RangeSelection.of(method));
    }

    public List<Range> channelRanges(String tensor, RangeSelection selection) {
        return tensor(tensor).channelRanges(selection, tensor);
    }

    /** The pass-2 plan for these (merged pass-1) statistics; see {@link HistogramPlan#from}. */
    public HistogramPlan histogramPlan(int bins, boolean perChannel, int maxChannels) {
        return HistogramPlan.from(this, bins, perChannel, maxChannels);
    }

    public String toJson() {
        try {
            return MAPPER.writeValueAsString(this);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException("cannot write calibration statistics as JSON", e);
        }
    }

    /** Parses and checks JSON written by {@link #toJson()}; {@code source} names it in errors. */
    public static CalibrationStats fromJson(String json, String source) {
        CalibrationStats s;
        try {
            s = MAPPER.readValue(json, CalibrationStats.class);
        } catch (JsonProcessingException e) {
            throw new IllegalArgumentException(source + ": not valid calibration statistics JSON: "
                    + e.getOriginalMessage(), e);
        }
        if (s == null) {
            throw new IllegalArgumentException(source + ": empty JSON document, expected calibration statistics");
        }
        try {
            s.validate();
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException(source + ": " + e.getMessage(), e);
        }
        return s;
    }

    private void validate() {
        if (format == null) {
            throw new IllegalArgumentException("'format' is missing: not calibration statistics (expected format '"
                    + FORMAT + "')");
        }
        if (!FORMAT.equals(format)) {
            throw new IllegalArgumentException("format is '" + format + "', expected '" + FORMAT + "'");
        }
        if (version != VERSION) {
            throw new IllegalArgumentException("version " + version + " is not supported (this tool reads " + VERSION + ")");
        }
        if (rows < 0 || histogramRows < 0) {
            throw new IllegalArgumentException("negative row count");
        }
        if (tensors == null) {
            throw new IllegalArgumentException("'tensors' is missing");
        }
        for (Map.Entry<String, TensorStats> e : tensors.entrySet()) {
            if (e.getValue() == null) {
                throw new IllegalArgumentException("tensor '" + e.getKey() + "' is null");
            }
            e.getValue().validate(e.getKey());
        }
    }

    /** Writes the JSON to {@code path} atomically (temp file beside it, then rename). */
    public void write(Path path) throws IOException {
        Path temp = AtomicFiles.createTemp(path, ".tmp");
        try {
            Files.writeString(temp, toJson(), StandardCharsets.UTF_8);
            AtomicFiles.commit(temp, path);
        } finally {
            Files.deleteIfExists(temp);
        }
    }

    public static CalibrationStats read(Path path) throws IOException {
        return fromJson(Files.readString(path, StandardCharsets.UTF_8), path.toString());
    }
}
