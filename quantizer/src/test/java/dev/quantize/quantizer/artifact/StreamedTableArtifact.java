package dev.quantize.quantizer.artifact;

import dev.quantize.core.graph.Dim;
import dev.quantize.core.graph.Graph;
import dev.quantize.core.graph.Model;
import dev.quantize.core.graph.ModelSummary;
import dev.quantize.core.graph.Node;
import dev.quantize.core.graph.ValueInfo;
import dev.quantize.core.onnx.OnnxWriter;
import dev.quantize.core.tensor.DataType;
import dev.quantize.core.tensor.Tensor;
import dev.quantize.quantizer.plan.LayerPlan;
import dev.quantize.quantizer.plan.QuantPlan;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.channels.FileChannel;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.List;
import java.util.Map;
import java.util.zip.CRC32C;

/**
 * Writes an artifact holding one large row-wise 8-bit table without ever holding the table in memory
 * (ArtifactWriter packs everything in memory first): the rows are generated from their index by
 * {@link #code}, {@link #scale} and {@link #bias}, streamed to the file while their CRC32C is
 * computed, and the manifest (whose size does not depend on the checksum) is written last. The model:
 * {@code out = ReduceSum(Gather(table, idx), axis 1)}, idx int64 (batch, {@link #BAG}).
 */
public final class StreamedTableArtifact {
    public static final int BAG = 4;

    private StreamedTableArtifact() {
    }

    public static int code(long row, int col) {
        long h = row * 0x9E3779B97F4A7C15L + col * 0xC2B2AE3D27D4EB4FL;
        return (int) ((h ^ (h >>> 29)) >>> 56);
    }

    public static float scale(long row) {
        return (1 + row % 7) / 64f;
    }

    public static float bias(long row) {
        return (row % 13) - 6f;
    }

    /** Writes the artifact of a rows x cols table; returns the file size. */
    public static long write(Path out, int rows, int cols) throws IOException {
        int rowBytes = cols + 8;
        long tableBytes = (long) rows * rowBytes;
        Node gather = new Node("/emb/Gather", "Gather", List.of("table", "idx"), List.of("gathered"), List.of());
        Node sum = new Node("/emb/ReduceSum", "ReduceSum", "", List.of("gathered", "axes"), List.of("pooled"),
                Map.of("keepdims", dev.quantize.core.graph.Attribute.of("keepdims", 0L)));
        Graph g = new Graph("streamed", List.of(gather, sum),
                List.of(new ValueInfo("idx", DataType.INT64, List.of(Dim.symbolic("batch"), Dim.of(BAG)))),
                List.of(new ValueInfo("pooled", DataType.FLOAT32, List.of(Dim.symbolic("batch"), Dim.of(cols)))),
                Map.of("axes", Tensor.ofLongs(new int[] {1}, new long[] {1})), List.of());
        byte[] graph = OnnxWriter.toBytes(new Model(8, Map.of("", 13L), "test", "1", g, Map.of()));
        QuantPlan plan = new QuantPlan(List.of(new LayerPlan("/emb/Gather", "Gather", ModelSummary.Role.EMBEDDING, "table",
                "rowwise_8bit", LayerPlan.FP32, null)));
        long tableOffset = ArtifactHeader.align(graph.length);
        Manifest.Blob graphBlob = new Manifest.Blob(0, graph.length, ArtifactHeader.crc(graph, 0, graph.length));
        Provenance prov = new Provenance("test", "streamed.onnx", "0".repeat(64));
        byte[] draft = manifest(prov, graphBlob, plan, rows, cols, tableOffset, tableBytes, 0);
        long dataOffset = ArtifactHeader.align(ArtifactHeader.SIZE + draft.length);
        long fileLength = dataOffset + tableOffset + tableBytes;
        CRC32C crc = new CRC32C();
        try (FileChannel ch = FileChannel.open(out, StandardOpenOption.CREATE, StandardOpenOption.WRITE,
                StandardOpenOption.TRUNCATE_EXISTING)) {
            writeAt(ch, ByteBuffer.wrap(graph), dataOffset);
            int chunkRows = 1 << 16;
            ByteBuffer chunk = ByteBuffer.allocate(chunkRows * rowBytes).order(ByteOrder.LITTLE_ENDIAN);
            long pos = dataOffset + tableOffset;
            for (long r0 = 0; r0 < rows; r0 += chunkRows) {
                chunk.clear();
                long r1 = Math.min(rows, r0 + chunkRows);
                for (long r = r0; r < r1; r++) {
                    for (int j = 0; j < cols; j++) {
                        chunk.put((byte) code(r, j));
                    }
                    chunk.putFloat(scale(r));
                    chunk.putFloat(bias(r));
                }
                chunk.flip();
                crc.update(chunk.duplicate());
                pos = writeAt(ch, chunk, pos);
            }
            byte[] manifest = manifest(prov, graphBlob, plan, rows, cols, tableOffset, tableBytes, (int) crc.getValue());
            if (manifest.length != draft.length) {
                throw new IllegalStateException("the manifest's size changed with its checksum");
            }
            ArtifactHeader h = new ArtifactHeader(ArtifactHeader.VERSION, manifest.length,
                    ArtifactHeader.crc(manifest, 0, manifest.length), dataOffset, fileLength);
            writeAt(ch, ByteBuffer.wrap(h.toBytes()), 0);
            writeAt(ch, ByteBuffer.wrap(manifest), ArtifactHeader.SIZE);
        }
        return fileLength;
    }

    private static byte[] manifest(Provenance prov, Manifest.Blob graph, QuantPlan plan, int rows, int cols, long offset,
                                   long length, int crc) {
        TensorEntry table = new TensorEntry("table", new int[] {rows, cols}, new TensorEntry.Packed("rowwise_8bit", 1, 1f),
                offset, length, crc);
        return new Manifest(prov, graph, plan, null, null, List.of(table)).toBytes();
    }

    private static long writeAt(FileChannel ch, ByteBuffer b, long position) throws IOException {
        while (b.hasRemaining()) {
            position += ch.write(b, position);
        }
        return position;
    }
}
