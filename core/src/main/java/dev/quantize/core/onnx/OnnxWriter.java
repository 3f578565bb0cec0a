package dev.quantize.core.onnx;

import com.google.protobuf.ByteString;
import dev.quantize.core.graph.Attribute;
import dev.quantize.core.graph.Dim;
import dev.quantize.core.graph.Graph;
import dev.quantize.core.graph.Model;
import dev.quantize.core.graph.Node;
import dev.quantize.core.graph.ValueInfo;
import dev.quantize.core.onnx.proto.OnnxProto.AttributeProto;
import dev.quantize.core.onnx.proto.OnnxProto.GraphProto;
import dev.quantize.core.onnx.proto.OnnxProto.ModelProto;
import dev.quantize.core.onnx.proto.OnnxProto.NodeProto;
import dev.quantize.core.onnx.proto.OnnxProto.OperatorSetIdProto;
import dev.quantize.core.onnx.proto.OnnxProto.StringStringEntryProto;
import dev.quantize.core.onnx.proto.OnnxProto.TensorShapeProto;
import dev.quantize.core.onnx.proto.OnnxProto.TypeProto;
import dev.quantize.core.onnx.proto.OnnxProto.ValueInfoProto;
import dev.quantize.core.tensor.Tensor;
import dev.quantize.core.io.AtomicFiles;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;

/**
 * Writes the graph IR as an ONNX model file. Initializers and tensor attributes are stored as
 * little-endian raw_data at their own width (FLOAT16/BFLOAT16/FLOAT8 as their bit patterns, 4-bit
 * integers two per byte); strings as string_data. Files are written whole or not at all.
 */
public final class OnnxWriter {
    private OnnxWriter() {
    }

    /**
     * Writes {@code model} to {@code path} atomically: the bytes go to a temporary file in the same
     * folder, which is then renamed over the target, so readers never see half a model.
     */
    public static void write(Model model, Path path) throws IOException {
        byte[] bytes = toBytes(model);
        Path abs = path.toAbsolutePath();
        Path dir = abs.getParent();
        Path tmp = AtomicFiles.createTemp(abs, ".tmp");
        try {
            try (OutputStream out = Files.newOutputStream(tmp)) {
                out.write(bytes);
            }
            try {
                AtomicFiles.commit(tmp, abs);
            } catch (AtomicMoveNotSupportedException e) {
                throw new IOException("cannot write " + abs + " atomically: the file system of " + dir
                        + " does not support atomic renames", e);
            }
        } finally {
            Files.deleteIfExists(tmp);
        }
    }

    /** The model as ONNX protobuf bytes. */
    public static byte[] toBytes(Model model) {
        ModelProto.Builder b = ModelProto.newBuilder()
                .setIrVersion(model.irVersion())
                .setProducerName(model.producerName())
                .setProducerVersion(model.producerVersion())
                .setGraph(graph(model.graph()));
        for (Map.Entry<String, Long> e : model.opsets().entrySet()) {
            b.addOpsetImport(OperatorSetIdProto.newBuilder().setDomain(e.getKey()).setVersion(e.getValue()));
        }
        for (Map.Entry<String, String> e : model.metadata().entrySet()) {
            b.addMetadataProps(StringStringEntryProto.newBuilder().setKey(e.getKey()).setValue(e.getValue()));
        }
        return b.build().toByteArray();
    }

    private static GraphProto graph(Graph g) {
        GraphProto.Builder b = GraphProto.newBuilder().setName(g.name());
        for (Node n : g.nodes()) {
            b.addNode(node(n));
        }
        for (Map.Entry<String, Tensor> e : g.initializers().entrySet()) {
            b.addInitializer(TensorCodec.encode(e.getKey(), e.getValue()));
        }
        g.inputs().forEach(v -> b.addInput(valueInfo(v)));
        g.outputs().forEach(v -> b.addOutput(valueInfo(v)));
        g.valueInfos().forEach(v -> b.addValueInfo(valueInfo(v)));
        return b.build();
    }

    private static NodeProto node(Node n) {
        NodeProto.Builder b = NodeProto.newBuilder().setOpType(n.opType())
                .addAllInput(n.inputs()).addAllOutput(n.outputs());
        if (!n.name().isEmpty()) {
            b.setName(n.name());
        }
        if (!n.domain().isEmpty()) {
            b.setDomain(n.domain());
        }
        for (Attribute a : n.attributes().values()) {
            b.addAttribute(attribute(a));
        }
        return b.build();
    }

    private static AttributeProto attribute(Attribute a) {
        AttributeProto.Builder b = AttributeProto.newBuilder().setName(a.name()).setType(a.kind().onnxCode());
        switch (a.kind()) {
            case FLOAT -> b.setF(a.asFloat());
            case INT -> b.setI(a.asLong());
            case STRING -> b.setS(ByteString.copyFromUtf8(a.asString()));
            case TENSOR -> b.setT(TensorCodec.encode("", a.asTensor()));
            case GRAPH -> b.setG(graph(a.asGraph()));
            case FLOATS -> {
                for (float f : a.asFloats()) {
                    b.addFloats(f);
                }
            }
            case INTS -> {
                for (long l : a.asLongs()) {
                    b.addInts(l);
                }
            }
            case STRINGS -> a.asStrings().forEach(s -> b.addStrings(ByteString.copyFromUtf8(s)));
            case TENSORS -> a.asTensors().forEach(t -> b.addTensors(TensorCodec.encode("", t)));
            case GRAPHS -> a.asGraphs().forEach(g -> b.addGraphs(graph(g)));
        }
        return b.build();
    }

    private static ValueInfoProto valueInfo(ValueInfo v) {
        ValueInfoProto.Builder b = ValueInfoProto.newBuilder().setName(v.name());
        if (v.type() == null && v.shape() == null) {
            return b.build();
        }
        TypeProto.Tensor.Builder t = TypeProto.Tensor.newBuilder();
        if (v.type() != null) {
            t.setElemType(v.type().onnxCode());
        }
        if (v.shape() != null) {
            TensorShapeProto.Builder s = TensorShapeProto.newBuilder();
            for (Dim d : v.shape()) {
                TensorShapeProto.Dimension.Builder db = TensorShapeProto.Dimension.newBuilder();
                if (d.isFixed()) {
                    db.setDimValue(d.value());
                } else if (d.param() != null) {
                    db.setDimParam(d.param());
                }
                s.addDim(db);
            }
            t.setShape(s);
        }
        return b.setType(TypeProto.newBuilder().setTensorType(t)).build();
    }
}
