package dev.quantize.core.onnx;

import com.google.protobuf.CodedInputStream;
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
import dev.quantize.core.onnx.proto.OnnxProto.TensorProto;
import dev.quantize.core.onnx.proto.OnnxProto.TensorShapeProto;
import dev.quantize.core.onnx.proto.OnnxProto.TypeProto;
import dev.quantize.core.onnx.proto.OnnxProto.ValueInfoProto;
import dev.quantize.core.tensor.DataType;
import dev.quantize.core.tensor.Tensor;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Reads ONNX model files (ModelProto) into the project's graph IR, and TensorProto files (the
 * conformance tests' input_*.pb / output_*.pb) into tensors. Accepts IR versions 3 to 10 and
 * default-domain opsets 1 to 21 (the project targets 11 to 21; older files read because the
 * operator registry dispatches by opset); anything else, and anything malformed, is an
 * {@link OnnxFormatException} whose message starts with the file name.
 */
public final class OnnxReader {
    public static final long MIN_IR_VERSION = 3;
    public static final long MAX_IR_VERSION = 10;
    public static final long MIN_OPSET = 1;
    public static final long MAX_OPSET = 21;

    private final String file;
    private final Path baseDir;

    private OnnxReader(String file, Path baseDir) {
        this.file = file;
        this.baseDir = baseDir;
    }

    /** Reads a model file; external tensor data is looked up next to it. */
    public static Model read(Path path) throws IOException {
        byte[] bytes = Files.readAllBytes(path);
        Path dir = path.toAbsolutePath().getParent();
        return read(bytes, path.getFileName().toString(), dir);
    }

    /**
     * Reads a model from bytes. {@code fileName} names it in messages; {@code baseDir} is the folder
     * external data is relative to (null if the model has none).
     */
    public static Model read(byte[] bytes, String fileName, Path baseDir) {
        ModelProto proto;
        try {
            proto = ModelProto.parseFrom(newCodedStream(bytes));
        } catch (IOException e) { // from a byte array, only InvalidProtocolBufferException
            throw new OnnxFormatException(fileName + ": not a valid ONNX model protobuf (" + e.getMessage() + ")", e);
        }
        return new OnnxReader(fileName, baseDir).model(proto);
    }

    /** Reads a model from a stream (read fully; ONNX files are one protobuf message). */
    public static Model read(InputStream in, String fileName, Path baseDir) throws IOException {
        return read(in.readAllBytes(), fileName, baseDir);
    }

    /** Reads a TensorProto file, as the ONNX conformance data stores inputs and outputs. */
    public static NamedTensor readTensor(Path pb) throws IOException {
        byte[] bytes = Files.readAllBytes(pb);
        String name = pb.getFileName().toString();
        TensorProto proto;
        try {
            proto = TensorProto.parseFrom(newCodedStream(bytes));
        } catch (IOException e) {
            throw new OnnxFormatException(name + ": not a valid ONNX tensor protobuf (" + e.getMessage() + ")", e);
        }
        Path dir = pb.toAbsolutePath().getParent();
        Tensor t = TensorCodec.decode(proto, name + ": tensor '" + proto.getName() + "'", dir);
        return new NamedTensor(proto.getName(), t);
    }

    private static CodedInputStream newCodedStream(byte[] bytes) {
        CodedInputStream in = CodedInputStream.newInstance(bytes);
        // Large models exceed protobuf's default 64 MB guard; the protobuf format itself caps at 2 GB.
        in.setSizeLimit(Integer.MAX_VALUE);
        // raw_data can then alias the byte array instead of being copied.
        in.enableAliasing(true);
        return in;
    }

    // ---------------------------------------------------------------- model

    private Model model(ModelProto p) {
        long ir = p.getIrVersion();
        if (!p.hasIrVersion()) {
            throw new OnnxFormatException(file + ": model has no ir_version (is this an ONNX model?)");
        }
        if (ir < MIN_IR_VERSION || ir > MAX_IR_VERSION) {
            throw new OnnxFormatException(file + ": IR version " + ir + " is not supported (supported: "
                    + MIN_IR_VERSION + " to " + MAX_IR_VERSION + ")");
        }
        Map<String, Long> opsets = new LinkedHashMap<>();
        for (OperatorSetIdProto o : p.getOpsetImportList()) {
            String domain = o.getDomain().equals("ai.onnx") ? "" : o.getDomain();
            if (opsets.put(domain, o.getVersion()) != null) {
                throw new OnnxFormatException(file + ": opset for domain '" + domain + "' is imported twice");
            }
        }
        Long opset = opsets.get("");
        boolean usesDefaultDomain = p.getGraph().getNodeList().stream()
                .anyMatch(n -> n.getDomain().isEmpty() || n.getDomain().equals("ai.onnx"));
        if (opset == null && usesDefaultDomain) {
            throw new OnnxFormatException(file + ": model uses ai.onnx operators but imports no ai.onnx opset");
        }
        if (opset != null && (opset < MIN_OPSET || opset > MAX_OPSET)) {
            throw new OnnxFormatException(file + ": opset " + opset + " is not supported (supported: "
                    + MIN_OPSET + " to " + MAX_OPSET + ")");
        }
        if (!p.hasGraph()) {
            throw new OnnxFormatException(file + ": model has no graph");
        }
        Map<String, String> metadata = new LinkedHashMap<>();
        for (StringStringEntryProto e : p.getMetadataPropsList()) {
            metadata.put(e.getKey(), e.getValue());
        }
        Graph g = graph(p.getGraph(), "graph '" + p.getGraph().getName() + "'");
        return new Model(ir, opsets, p.getProducerName(), p.getProducerVersion(), g, metadata);
    }

    // ---------------------------------------------------------------- graph

    private Graph graph(GraphProto p, String where) {
        if (p.getSparseInitializerCount() > 0) {
            throw new OnnxFormatException(file + ": " + where + " has sparse initializers, which are not supported");
        }
        Map<String, Tensor> inits = new LinkedHashMap<>();
        for (TensorProto t : p.getInitializerList()) {
            if (t.getName().isEmpty()) {
                throw new OnnxFormatException(file + ": " + where + " has an initializer without a name");
            }
            Tensor tensor = TensorCodec.decode(t, file + ": initializer '" + t.getName() + "'", baseDir);
            if (inits.put(t.getName(), tensor) != null) {
                throw new OnnxFormatException(file + ": " + where + " has two initializers named '" + t.getName() + "'");
            }
        }
        List<Node> nodes = new ArrayList<>(p.getNodeCount());
        for (int i = 0; i < p.getNodeCount(); i++) {
            nodes.add(node(p.getNode(i), i, where));
        }
        return new Graph(p.getName(), nodes, valueInfos(p.getInputList(), where, "input"),
                valueInfos(p.getOutputList(), where, "output"), inits,
                valueInfos(p.getValueInfoList(), where, "value_info"));
    }

    private Node node(NodeProto p, int index, String graphWhere) {
        String label = p.getName().isEmpty() ? "#" + index + " (" + p.getOpType() + ")" : "'" + p.getName() + "'";
        String where = graphWhere + " node " + label;
        if (p.getOpType().isEmpty()) {
            throw new OnnxFormatException(file + ": " + where + " has no op_type");
        }
        Map<String, Attribute> attrs = new LinkedHashMap<>();
        for (AttributeProto a : p.getAttributeList()) {
            Attribute attr = attribute(a, where);
            if (attrs.put(attr.name(), attr) != null) {
                throw new OnnxFormatException(file + ": " + where + " has attribute '" + attr.name() + "' twice");
            }
        }
        return new Node(p.getName(), p.getOpType(), p.getDomain(), p.getInputList(), p.getOutputList(), attrs);
    }

    private Attribute attribute(AttributeProto a, String nodeWhere) {
        String where = nodeWhere + " attribute '" + a.getName() + "'";
        if (a.getName().isEmpty()) {
            throw new OnnxFormatException(file + ": " + nodeWhere + " has an attribute without a name");
        }
        if (!a.getRefAttrName().isEmpty()) {
            throw new OnnxFormatException(file + ": " + where + " refers to function attribute '"
                    + a.getRefAttrName() + "', which only functions may do");
        }
        Attribute.Kind kind = Attribute.Kind.fromOnnx(a.getType());
        if (kind == null) {
            throw new OnnxFormatException(file + ": " + where + " has type " + attributeTypeName(a.getType())
                    + ", which is not supported");
        }
        Object value = switch (kind) {
            case FLOAT -> a.getF();
            case INT -> a.getI();
            case STRING -> a.getS().toStringUtf8();
            case TENSOR -> TensorCodec.decode(a.getT(), file + ": " + where, baseDir);
            case GRAPH -> graph(a.getG(), where + " subgraph '" + a.getG().getName() + "'");
            case FLOATS -> List.copyOf(a.getFloatsList());
            case INTS -> List.copyOf(a.getIntsList());
            case STRINGS -> a.getStringsList().stream().map(s -> s.toStringUtf8()).toList();
            case TENSORS -> {
                List<Tensor> ts = new ArrayList<>();
                for (int i = 0; i < a.getTensorsCount(); i++) {
                    ts.add(TensorCodec.decode(a.getTensors(i), file + ": " + where + " tensor #" + i, baseDir));
                }
                yield List.copyOf(ts);
            }
            case GRAPHS -> {
                List<Graph> gs = new ArrayList<>();
                for (int i = 0; i < a.getGraphsCount(); i++) {
                    gs.add(graph(a.getGraphs(i), where + " subgraph #" + i));
                }
                yield List.copyOf(gs);
            }
        };
        return new Attribute(a.getName(), kind, value);
    }

    private static String attributeTypeName(int code) {
        return switch (code) {
            case 0 -> "UNDEFINED (0)";
            case 11 -> "SPARSE_TENSOR (11)";
            case 12 -> "SPARSE_TENSORS (12)";
            case 13 -> "TYPE_PROTO (13)";
            case 14 -> "TYPE_PROTOS (14)";
            default -> "unknown " + code;
        };
    }

    // ---------------------------------------------------------------- value infos

    private List<ValueInfo> valueInfos(List<ValueInfoProto> list, String graphWhere, String role) {
        List<ValueInfo> out = new ArrayList<>(list.size());
        for (ValueInfoProto v : list) {
            out.add(valueInfo(v, graphWhere + " " + role + " '" + v.getName() + "'"));
        }
        return out;
    }

    private ValueInfo valueInfo(ValueInfoProto v, String where) {
        if (v.getName().isEmpty()) {
            throw new OnnxFormatException(file + ": " + where + " has no name");
        }
        if (!v.hasType()) {
            return new ValueInfo(v.getName(), null, null);
        }
        TypeProto type = v.getType();
        if (type.getValueCase() == TypeProto.ValueCase.VALUE_NOT_SET) {
            return new ValueInfo(v.getName(), null, null);
        }
        if (type.getValueCase() != TypeProto.ValueCase.TENSOR_TYPE) {
            throw new OnnxFormatException(file + ": " + where + " has type " + type.getValueCase()
                    + "; only tensors are supported");
        }
        TypeProto.Tensor tt = type.getTensorType();
        DataType dt = tt.getElemType() == 0 ? null : TensorCodec.dataType(tt.getElemType(), file + ": " + where);
        if (!tt.hasShape()) {
            return new ValueInfo(v.getName(), dt, null);
        }
        List<Dim> dims = new ArrayList<>();
        for (TensorShapeProto.Dimension d : tt.getShape().getDimList()) {
            dims.add(switch (d.getValueCase()) {
                case DIM_VALUE -> {
                    if (d.getDimValue() < 0) {
                        throw new OnnxFormatException(file + ": " + where + " has negative dimension " + d.getDimValue());
                    }
                    yield Dim.of(d.getDimValue());
                }
                case DIM_PARAM -> d.getDimParam().isEmpty() ? Dim.UNKNOWN : Dim.symbolic(d.getDimParam());
                case VALUE_NOT_SET -> Dim.UNKNOWN;
            });
        }
        return new ValueInfo(v.getName(), dt, dims);
    }
}
