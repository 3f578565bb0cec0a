package dev.quantize.quantizer.artifact;

import dev.quantize.core.graph.Graph;
import dev.quantize.core.graph.Model;
import dev.quantize.core.graph.Node;
import dev.quantize.core.graph.ValueInfo;
import dev.quantize.core.io.AtomicFiles;
import dev.quantize.core.onnx.OnnxWriter;
import dev.quantize.core.tensor.DataType;
import dev.quantize.core.tensor.Tensor;
import dev.quantize.quantizer.emulate.FakeQuantizer;
import dev.quantize.quantizer.emulate.LayerAxes;
import dev.quantize.quantizer.plan.LayerPlan;
import dev.quantize.quantizer.plan.QuantPlan;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Writes a quantized model as one artifact file (layout in docs/artifact-format.md): every weight the
 * plan quantizes packed in its format exactly as {@code PlanInterceptor} emulates it, every other
 * initializer raw, the graph without its initializers, the plan, the calibration statistics and the
 * search report. Same inputs give the same bytes. The file appears whole or not at all.
 *
 * <p>Everything to be written is held in memory once (packed, so at most the FP32 size) because the
 * manifest, which precedes the tensors, records their checksums.
 */
public final class ArtifactWriter {
    private ArtifactWriter() {
    }

    /** Reads the FP32 model file and writes the artifact; provenance names that file. */
    public static void write(Path out, Path fp32ModelFile, QuantPlan plan, String calibrationJson, String reportJson,
                             String toolVersion) throws IOException {
        byte[] bytes = Files.readAllBytes(fp32ModelFile);
        Model model = dev.quantize.core.onnx.OnnxReader.read(bytes, fp32ModelFile.getFileName().toString(),
                fp32ModelFile.toAbsolutePath().getParent());
        write(out, model, bytes, fp32ModelFile.getFileName().toString(), plan, calibrationJson, reportJson, toolVersion);
    }

    /** Writes the artifact of a model read from {@code fp32ModelBytes} (hashed for the provenance). */
    public static void write(Path out, Model fp32Model, byte[] fp32ModelBytes, QuantPlan plan, String calibrationJson,
                             String reportJson, String toolVersion) throws IOException {
        write(out, fp32Model, fp32ModelBytes, "", plan, calibrationJson, reportJson, toolVersion);
    }

    /**
     * Writes the artifact. {@code sourceModel} is the FP32 model's file name for the provenance;
     * {@code calibrationJson} and {@code reportJson} are stored verbatim and may be null.
     */
    public static void write(Path out, Model fp32Model, byte[] fp32ModelBytes, String sourceModel, QuantPlan plan,
                             String calibrationJson, String reportJson, String toolVersion) throws IOException {
        write(out, fp32Model, fp32ModelBytes, sourceModel, plan, calibrationJson, reportJson, toolVersion, Map.of());
    }

    /**
     * As above, with named extra sections: JSON documents other tools keep with the model (e.g.
     * {@code monitor_baseline}), stored verbatim under the manifest's {@code extras}.
     */
    public static void write(Path out, Model fp32Model, byte[] fp32ModelBytes, String sourceModel, QuantPlan plan,
                             String calibrationJson, String reportJson, String toolVersion,
                             Map<String, String> extras) throws IOException {
        Contents c = contents(fp32Model, fp32ModelBytes, sourceModel, plan, calibrationJson, reportJson, toolVersion, extras);
        Path abs = out.toAbsolutePath();
        Path tmp = AtomicFiles.createTemp(abs, ".tmp");
        try {
            try (FileChannel ch = FileChannel.open(tmp, StandardOpenOption.WRITE, StandardOpenOption.TRUNCATE_EXISTING)) {
                long pos = writeAt(ch, c.header.toBytes(), 0);
                pos = writeAt(ch, c.manifest, pos);
                for (int i = 0; i < c.blobs.size(); i++) {
                    long at = c.header.dataOffset() + c.offsets.get(i);
                    pos = writeAt(ch, new byte[Math.toIntExact(at - pos)], pos); // zero padding, checked on load
                    pos = writeAt(ch, c.blobs.get(i), pos);
                }
                if (ch.size() != c.header.fileLength()) {
                    throw new IOException(abs + ": wrote " + ch.size() + " bytes, expected " + c.header.fileLength());
                }
                ch.force(true);
            }
            AtomicFiles.commit(tmp, abs);
        } finally {
            Files.deleteIfExists(tmp);
        }
    }

    /** Writes all of {@code bytes} at {@code position}; returns the position after them. */
    private static long writeAt(FileChannel ch, byte[] bytes, long position) throws IOException {
        ByteBuffer b = ByteBuffer.wrap(bytes);
        while (b.hasRemaining()) {
            position += ch.write(b, position);
        }
        return position;
    }

    /** The header, the manifest and the blobs (graph first, then tensors) with their section offsets. */
    private record Contents(ArtifactHeader header, byte[] manifest, List<byte[]> blobs, List<Long> offsets) {
    }

    private static Contents contents(Model model, byte[] modelBytes, String sourceModel, QuantPlan plan,
                                     String calibrationJson, String reportJson, String toolVersion,
                                     Map<String, String> extras) {
        plan.validate(model);
        Map<String, Planned> planned = plannedWeights(model, plan);
        Graph g = model.graph();
        List<byte[]> blobs = new ArrayList<>();
        List<Long> offsets = new ArrayList<>();
        List<TensorEntry> entries = new ArrayList<>();
        Map<String, Tensor> keptInGraph = new LinkedHashMap<>();
        List<byte[]> tensorBytes = new ArrayList<>();
        List<TensorEntry> pending = new ArrayList<>();
        for (Map.Entry<String, Tensor> e : g.initializers().entrySet()) {
            String name = e.getKey();
            Tensor t = e.getValue();
            Planned p = planned.get(name);
            if (p != null) {
                if (t.type() != DataType.FLOAT32) {
                    throw new IllegalArgumentException("layer '" + p.layer + "': weight '" + name + "' is " + t.type()
                            + ", only float32 weights are quantized");
                }
                FakeQuantizer q = new FakeQuantizer(p.format);
                FakeQuantizer.Packed packed = q.pack(t, p.axes);
                long expected = packed.data().bytes().length;
                if (expected != q.format().packedBytes(t.shape(), packed.data().axis())) {
                    throw new IllegalStateException("format " + p.format + " packed '" + name + "' into " + expected
                            + " bytes, not the " + q.format().packedBytes(t.shape(), packed.data().axis()) + " it declares");
                }
                tensorBytes.add(packed.data().bytes());
                pending.add(new TensorEntry(name, t.shape(),
                        new TensorEntry.Packed(packed.data().format(), packed.data().axis(), packed.scale()), 0, 0, 0));
            } else if (RawTensors.supports(t.type())) {
                tensorBytes.add(RawTensors.encode(t));
                pending.add(new TensorEntry(name, t.shape(), new TensorEntry.Raw(t.type()), 0, 0, 0));
            } else {
                keptInGraph.put(name, t); // strings, 4-bit and FP8 initializers travel inside the ONNX graph
            }
        }
        Graph stripped = new Graph(g.name(), g.nodes(), g.inputs(), g.outputs(), keptInGraph, g.valueInfos());
        byte[] graphBytes = OnnxWriter.toBytes(new Model(model.irVersion(), model.opsets(), model.producerName(),
                model.producerVersion(), stripped, model.metadata()));
        blobs.add(graphBytes);
        offsets.add(0L);
        long end = graphBytes.length;
        for (int i = 0; i < pending.size(); i++) {
            byte[] b = tensorBytes.get(i);
            long offset = ArtifactHeader.align(end);
            TensorEntry t = pending.get(i);
            entries.add(new TensorEntry(t.name(), t.shape(), t.storage(), offset, b.length, ArtifactHeader.crc(b, 0, b.length)));
            blobs.add(b);
            offsets.add(offset);
            end = offset + b.length;
        }
        Manifest m = new Manifest(new Provenance(toolVersion, sourceModel == null ? "" : sourceModel, sha256(modelBytes)),
                new Manifest.Blob(0, graphBytes.length, ArtifactHeader.crc(graphBytes, 0, graphBytes.length)),
                plan, calibrationJson, reportJson, entries, extras);
        byte[] manifest = m.toBytes();
        long dataOffset = ArtifactHeader.align(ArtifactHeader.SIZE + manifest.length);
        ArtifactHeader h = new ArtifactHeader(ArtifactHeader.VERSION, manifest.length,
                ArtifactHeader.crc(manifest, 0, manifest.length), dataOffset, dataOffset + end);
        return new Contents(h, manifest, blobs, offsets);
    }

    /** A weight the plan quantizes: the layer it belongs to, its format, and the axes it is packed along. */
    private record Planned(String layer, String format, LayerAxes axes) {
    }

    /**
     * The weights to pack. The artifact holds one copy of each initializer, so a weight may be
     * quantized only if every use of it sees the same quantized values.
     */
    private static Map<String, Planned> plannedWeights(Model model, QuantPlan plan) {
        Map<String, Node> byName = model.graph().nodesByDisplayName();
        Map<String, Planned> out = new LinkedHashMap<>();
        for (LayerPlan l : plan.layers()) {
            if (l.weightFormat().equals(LayerPlan.FP32)) {
                continue;
            }
            Node n = byName.get(l.node());
            int index = n.inputs().indexOf(l.weight());
            Tensor w = model.graph().initializers().get(l.weight());
            Planned p = new Planned(l.node(), l.weightFormat(), LayerAxes.weight(n, index, w.rank()));
            Planned before = out.putIfAbsent(l.weight(), p);
            if (before != null && !(before.format.equals(p.format) && before.axes.equals(p.axes))) {
                throw new IllegalArgumentException("weight '" + l.weight() + "' is quantized as " + before.format
                        + " for layer '" + before.layer + "' and as " + p.format + " for layer '" + p.layer
                        + "'; an artifact stores one copy of each weight");
            }
        }
        for (Node n : model.graph().nodes()) {
            LayerPlan l = plan.layer(n.displayName());
            for (String in : n.inputs()) {
                Planned p = out.get(in);
                boolean quantizedHere = l != null && l.weight().equals(in) && !l.weightFormat().equals(LayerPlan.FP32);
                if (p != null && !quantizedHere) {
                    throw new IllegalArgumentException("weight '" + in + "' is quantized for layer '" + p.layer
                            + "' but node '" + n.displayName() + "' also reads it unquantized; an artifact stores one copy of each weight");
                }
            }
        }
        for (ValueInfo o : model.graph().outputs()) {
            if (out.containsKey(o.name())) {
                throw new IllegalArgumentException("weight '" + o.name() + "' is quantized but is also a graph output");
            }
        }
        return out;
    }

    static String sha256(byte[] bytes) {
        try {
            return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(bytes));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("SHA-256 is required of every Java platform", e);
        }
    }
}
