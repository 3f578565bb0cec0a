package dev.quantize.samples;

import com.fasterxml.jackson.core.util.DefaultIndenter;
import com.fasterxml.jackson.core.util.DefaultPrettyPrinter;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.quantize.core.data.ArrowWriter;
import dev.quantize.core.data.Batch;
import dev.quantize.core.data.ColumnSpec;
import dev.quantize.core.tensor.Tensor;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/** Writes a sample's data splits (Arrow IPC) and metrics.json, byte for byte the same for the same content. */
final class SampleFiles {
    /** Rows per Arrow record batch. */
    static final int RECORD_BATCH_ROWS = 1024;
    static final ObjectMapper JSON = new ObjectMapper();

    private SampleFiles() {
    }

    /** Writes whole columns (each of shape [rows, ...]) as an Arrow IPC file, in record batches of 1024 rows. */
    static void writeArrow(Path file, Map<String, Tensor> columns) {
        List<ColumnSpec> specs = new ArrayList<>();
        int rows = -1;
        for (Map.Entry<String, Tensor> e : columns.entrySet()) {
            int[] shape = e.getValue().shape();
            specs.add(new ColumnSpec(e.getKey(), e.getValue().type(), Arrays.copyOfRange(shape, 1, shape.length)));
            rows = shape[0];
        }
        try (ArrowWriter writer = ArrowWriter.create(file, specs)) {
            for (int start = 0; start < rows; start += RECORD_BATCH_ROWS) {
                int end = Math.min(rows, start + RECORD_BATCH_ROWS);
                Map<String, Tensor> slice = new LinkedHashMap<>();
                for (Map.Entry<String, Tensor> e : columns.entrySet()) {
                    slice.put(e.getKey(), rows(e.getValue(), start, end));
                }
                writer.write(new Batch(slice, end - start));
            }
            writer.commit();
        }
    }

    /** Rows [from, to) of a tensor whose first axis is rows. */
    static Tensor rows(Tensor t, int from, int to) {
        int[] shape = t.shape();
        int rowSize = 1;
        for (int i = 1; i < shape.length; i++) {
            rowSize *= shape[i];
        }
        shape[0] = to - from;
        return switch (t.type().storage()) {
            case FLOAT -> Tensor.ofFloats(t.type(), shape, Arrays.copyOfRange(t.floats(), from * rowSize, to * rowSize));
            case LONG -> Tensor.ofLongs(t.type(), shape, Arrays.copyOfRange(t.longs(), from * rowSize, to * rowSize));
            default -> throw new IllegalArgumentException("samples hold float32 and int64 columns only, not " + t.type());
        };
    }

    /** Pretty JSON with '\n' line ends on every platform, so the file's bytes never depend on the machine. */
    static void writeJson(Path file, ObjectNode root) throws IOException {
        DefaultPrettyPrinter printer = new DefaultPrettyPrinter()
                .withObjectIndenter(new DefaultIndenter("  ", "\n"))
                .withArrayIndenter(new DefaultIndenter("  ", "\n"));
        String text = JSON.writer(printer).writeValueAsString(root) + "\n";
        Files.writeString(file, text, StandardCharsets.UTF_8);
    }
}
