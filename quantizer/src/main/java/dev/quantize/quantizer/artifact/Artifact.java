package dev.quantize.quantizer.artifact;

import dev.quantize.core.format.FormatRegistry;
import dev.quantize.core.format.NumericFormat;
import dev.quantize.core.format.PackedTensor;
import dev.quantize.core.graph.Graph;
import dev.quantize.core.graph.Model;
import dev.quantize.core.onnx.OnnxFormatException;
import dev.quantize.core.onnx.OnnxReader;
import dev.quantize.core.tensor.Tensor;
import dev.quantize.quantizer.emulate.FakeQuantizer;
import dev.quantize.quantizer.plan.LayerPlan;
import dev.quantize.quantizer.plan.QuantPlan;
import java.io.IOException;
import java.io.InputStream;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.MappedByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * An opened artifact. Opening checks everything before anything is used: the header, the manifest's
 * checksum, that every tensor lies inside the file at a 64-byte boundary with the length its format
 * implies, that every padding byte is zero, and every tensor's CRC32C (so the whole file is read
 * once). Anything wrong is an {@link ArtifactException} naming the file and the problem.
 *
 * <p>Tensor bytes are memory-mapped, one read-only mapping per tensor (so a tensor is limited to
 * 2 GB, the size of a Java buffer; the file itself is not), and handed out as views without
 * copying. Java cannot unmap a buffer on demand: the mappings live until they are garbage-collected,
 * also after {@link #close}.
 */
public final class Artifact implements AutoCloseable {
    private final Path path;
    private final String file;
    private final ArtifactHeader header;
    private final Manifest manifest;
    private final Model strippedModel;
    private final Map<String, TensorEntry> tensors = new LinkedHashMap<>();
    private final Map<String, MappedByteBuffer> data = new LinkedHashMap<>();
    private final FileChannel channel;
    private boolean closed;

    private Artifact(Path path, FileChannel channel) throws IOException {
        this.path = path;
        this.file = path.getFileName().toString();
        this.channel = channel;
        long size = channel.size();
        byte[] head = read(0, (int) Math.min(ArtifactHeader.SIZE, size));
        if (!ArtifactHeader.hasMagic(head) && !(head.length < ArtifactHeader.MAGIC.length && isMagicPrefix(head))) {
            throw new ArtifactException(file + ": not a quantize artifact (bad magic)");
        }
        if (head.length < ArtifactHeader.SIZE) {
            throw new ArtifactException(file + ": truncated: the header needs " + ArtifactHeader.SIZE
                    + " bytes but the file has " + size);
        }
        header = ArtifactHeader.parse(head, file);
        long manifestEnd = ArtifactHeader.SIZE + header.manifestLength();
        if (manifestEnd > size) {
            throw new ArtifactException(file + ": truncated: the manifest ends at byte " + String.format("%,d", manifestEnd)
                    + " but the file has " + String.format("%,d", size));
        }
        byte[] manifestBytes = read(ArtifactHeader.SIZE, (int) header.manifestLength());
        int computed = ArtifactHeader.crc(manifestBytes, 0, manifestBytes.length);
        if (computed != header.manifestCrc()) {
            throw corrupted("manifest", header.manifestCrc(), computed);
        }
        manifest = Manifest.parse(manifestBytes, file);
        if (header.dataOffset() > size) {
            throw new ArtifactException(file + ": truncated: the tensor section starts at byte "
                    + String.format("%,d", header.dataOffset()) + " but the file has " + String.format("%,d", size));
        }
        checkZero(manifestEnd, header.dataOffset(), "after the manifest");
        long end = 0;
        Manifest.Blob g = manifest.graph();
        ByteBuffer graphBytes = place("graph", g.offset(), g.length(), g.length(), end, size);
        checkCrc("graph", graphBytes, g.crc32c());
        end = g.offset() + g.length();
        for (TensorEntry t : manifest.tensors()) {
            String what = "tensor '" + t.name() + "'";
            if (tensors.putIfAbsent(t.name(), t) != null) {
                throw new ArtifactException(file + ": manifest lists " + what + " twice");
            }
            MappedByteBuffer b = place(what, t.offset(), t.length(), expectedLength(t), end, size);
            checkCrc(what, b, t.crc32c());
            data.put(t.name(), b);
            end = t.offset() + t.length();
        }
        if (header.dataOffset() + end != header.fileLength() || size != header.fileLength()) {
            throw new ArtifactException(file + (size < header.fileLength() ? ": truncated: " : ": ")
                    + "the header says the file has " + String.format("%,d", header.fileLength()) + " bytes, the last tensor ends at byte "
                    + String.format("%,d", header.dataOffset() + end) + " and the file has " + String.format("%,d", size));
        }
        strippedModel = readGraph(graphBytes);
        checkPlanAgainstTensors();
    }

    /** Opens and verifies an artifact. */
    public static Artifact open(Path path) throws IOException {
        FileChannel ch = FileChannel.open(path, StandardOpenOption.READ);
        try {
            return new Artifact(path, ch);
        } catch (RuntimeException | IOException e) {
            ch.close();
            throw e;
        }
    }

    /** Whether a file starts with the artifact's magic bytes (whatever its name). */
    public static boolean isArtifact(Path path) throws IOException {
        try (InputStream in = Files.newInputStream(path)) {
            return ArtifactHeader.hasMagic(in.readNBytes(ArtifactHeader.MAGIC.length));
        }
    }

    public Path path() {
        return path;
    }

    public int formatVersion() {
        return header.version();
    }

    /** Size of the file in bytes. */
    public long fileLength() {
        return header.fileLength();
    }

    public Provenance provenance() {
        return manifest.provenance();
    }

    public QuantPlan plan() {
        return manifest.plan();
    }

    /** The calibration statistics as stored (JSON), if the artifact has them. */
    public Optional<String> calibrationJson() {
        return Optional.ofNullable(manifest.calibrationJson());
    }

    /** The search report as stored (JSON), if the artifact has one. */
    public Optional<String> reportJson() {
        return Optional.ofNullable(manifest.reportJson());
    }

    /** The named extra sections (JSON documents such as {@code monitor_baseline}), sorted by name; empty for older artifacts. */
    public Map<String, String> extras() {
        return manifest.extras();
    }

    /** One extra section, if the artifact has it. */
    public Optional<String> extra(String name) {
        return Optional.ofNullable(manifest.extras().get(name));
    }

    /** The tensor directory, in file order. */
    public List<TensorEntry> tensors() {
        return Collections.unmodifiableList(new ArrayList<>(tensors.values()));
    }

    public TensorEntry tensor(String name) {
        TensorEntry t = tensors.get(name);
        if (t == null) {
            throw new IllegalArgumentException(file + ": no tensor '" + name + "'");
        }
        return t;
    }

    /**
     * The stored bytes of a tensor as a read-only little-endian view of the file mapping (no copy):
     * the packed format's bytes for a packed tensor, the raw elements otherwise.
     */
    public ByteBuffer packedTensor(String name) {
        checkOpen();
        tensor(name);
        return data.get(name).asReadOnlyBuffer().order(ByteOrder.LITTLE_ENDIAN);
    }

    /** A packed tensor copied out as the format API takes it (decode with its format, then multiply by the scale). */
    public PackedTensor packed(String name) {
        TensorEntry t = tensor(name);
        if (!(t.storage() instanceof TensorEntry.Packed p)) {
            throw new IllegalArgumentException(file + ": tensor '" + name + "' is stored raw, not packed");
        }
        ByteBuffer b = packedTensor(name);
        byte[] bytes = new byte[b.remaining()];
        b.get(bytes);
        return new PackedTensor(p.format(), t.shape(), p.axis(), bytes);
    }

    /** The values a tensor stands for: a packed weight decoded (the emulated weight, bit for bit), a raw one as stored. */
    public Tensor value(String name) {
        TensorEntry t = tensor(name);
        if (t.storage() instanceof TensorEntry.Packed p) {
            return new FakeQuantizer(p.format()).unpack(new FakeQuantizer.Packed(packed(name), p.scale()));
        }
        return RawTensors.decode(((TensorEntry.Raw) t.storage()).type(), t.shape(), packedTensor(name));
    }

    /**
     * The FP32 graph with every initializer restored, quantized weights as their decoded values. Run
     * it with a {@code PlanInterceptor} that quantizes activations only ({@code quantizeWeights}
     * false) to reproduce the emulated model exactly.
     */
    public Model emulationModel() {
        Graph g = strippedModel.graph();
        Map<String, Tensor> inits = new LinkedHashMap<>();
        for (String name : tensors.keySet()) {
            inits.put(name, value(name));
        }
        inits.putAll(g.initializers());
        Graph full = new Graph(g.name(), g.nodes(), g.inputs(), g.outputs(), inits, g.valueInfos());
        return new Model(strippedModel.irVersion(), strippedModel.opsets(), strippedModel.producerName(),
                strippedModel.producerVersion(), full, strippedModel.metadata());
    }

    @Override
    public void close() throws IOException {
        closed = true;
        channel.close();
    }

    private void checkOpen() {
        if (closed) {
            throw new IllegalStateException(file + " is closed");
        }
    }

    private static boolean isMagicPrefix(byte[] head) {
        for (int i = 0; i < head.length; i++) {
            if (head[i] != ArtifactHeader.MAGIC[i]) {
                return false;
            }
        }
        return true;
    }

    /** The byte length a tensor's storage implies for its shape. */
    private long expectedLength(TensorEntry t) {
        long elements = t.elements();
        if (elements > Integer.MAX_VALUE) {
            throw new ArtifactException(file + ": tensor '" + t.name() + "' has " + elements
                    + " elements; tensors of more than 2^31-1 elements are not supported");
        }
        if (t.storage() instanceof TensorEntry.Raw r) {
            return RawTensors.byteLength(r.type(), elements);
        }
        TensorEntry.Packed p = (TensorEntry.Packed) t.storage();
        try {
            NumericFormat f = FormatRegistry.parse(p.format());
            if (!f.name().equals(p.format())) {
                throw new IllegalArgumentException("'" + p.format() + "' is not a canonical format name (" + f.name() + ")");
            }
            return f.packedBytes(t.shape(), p.axis());
        } catch (IllegalArgumentException e) {
            throw new ArtifactException(file + ": tensor '" + t.name() + "': " + e.getMessage(), e);
        }
    }

    /**
     * Checks where a blob lies (aligned, after the previous one, its length as expected, inside the
     * file; the gap before it zero) and maps it.
     */
    private MappedByteBuffer place(String what, long offset, long length, long expected, long previousEnd, long size)
            throws IOException {
        if (length != expected) {
            throw new ArtifactException(file + ": " + what + " is " + length + " bytes but its shape and storage need "
                    + expected + ": the manifest is inconsistent");
        }
        if (offset % ArtifactHeader.ALIGNMENT != 0 || offset < previousEnd) {
            throw new ArtifactException(file + ": " + what + " at section offset " + offset
                    + " is not 64-byte aligned after the previous tensor (which ends at " + previousEnd + ")");
        }
        if (length > Integer.MAX_VALUE) {
            throw new ArtifactException(file + ": " + what + " is " + length + " bytes; tensors over 2 GB are not supported");
        }
        long start = header.dataOffset() + offset;
        long end = start + length;
        if (end > size) {
            throw new ArtifactException(file + ": truncated: " + what + " ends at byte " + String.format("%,d", end)
                    + " but the file has " + String.format("%,d", size));
        }
        checkZero(header.dataOffset() + previousEnd, start, "before " + what);
        return channel.map(FileChannel.MapMode.READ_ONLY, start, length);
    }

    private void checkCrc(String what, ByteBuffer bytes, int stored) {
        int computed = ArtifactHeader.crc(bytes);
        if (computed != stored) {
            throw corrupted(what, stored, computed);
        }
    }

    private ArtifactException corrupted(String what, int stored, int computed) {
        return new ArtifactException(file + ": " + what + " checksum mismatch (stored " + ArtifactHeader.hex(stored)
                + ", computed " + ArtifactHeader.hex(computed) + "): the file is corrupted");
    }

    /** Padding must be zero, so that no byte of the file goes unchecked. */
    private void checkZero(long from, long to, String where) throws IOException {
        byte[] pad = read(from, Math.toIntExact(to - from));
        for (int i = 0; i < pad.length; i++) {
            if (pad[i] != 0) {
                throw new ArtifactException(file + ": padding byte " + String.format("%,d", from + i) + " " + where
                        + " is not zero: the file is corrupted");
            }
        }
    }

    private byte[] read(long position, int length) throws IOException {
        ByteBuffer b = ByteBuffer.allocate(length);
        while (b.hasRemaining()) {
            int n = channel.read(b, position + b.position());
            if (n < 0) {
                throw new ArtifactException(file + ": truncated: expected " + length + " bytes at byte " + position);
            }
        }
        return b.array();
    }

    private Model readGraph(ByteBuffer bytes) {
        byte[] b = new byte[bytes.remaining()];
        bytes.duplicate().get(b);
        try {
            return OnnxReader.read(b, file + " (graph)", null);
        } catch (OnnxFormatException e) {
            throw new ArtifactException(file + ": the stored graph is not readable: " + e.getMessage(), e);
        }
    }

    /** Every weight the plan quantizes is in the file, packed in the plan's format. */
    private void checkPlanAgainstTensors() {
        for (LayerPlan l : manifest.plan().layers()) {
            if (l.weightFormat().equals(LayerPlan.FP32)) {
                continue;
            }
            TensorEntry t = tensors.get(l.weight());
            String want;
            try {
                want = FormatRegistry.parse(l.weightFormat()).name();
            } catch (IllegalArgumentException e) {
                throw new ArtifactException(file + ": plan layer '" + l.node() + "': " + e.getMessage(), e);
            }
            if (t == null || !(t.storage() instanceof TensorEntry.Packed p) || !p.format().equals(want)) {
                throw new ArtifactException(file + ": the plan quantizes '" + l.weight() + "' as " + want
                        + " but the file " + (t == null ? "has no such tensor" : "stores it as " + t.storage()));
            }
        }
    }
}
