package dev.quantize.samples;

import dev.quantize.core.graph.Attribute;
import dev.quantize.core.graph.Dim;
import dev.quantize.core.graph.Graph;
import dev.quantize.core.graph.Model;
import dev.quantize.core.graph.Node;
import dev.quantize.core.graph.ValueInfo;
import dev.quantize.core.tensor.DataType;
import dev.quantize.core.tensor.Tensor;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/** Assembles a sample's graph IR node by node, in topological order, for the ONNX writer. */
public final class GraphBuilder {
    /** The opset the samples import: 17 has LayerNormalization and takes ReduceSum/Unsqueeze axes as inputs. */
    public static final long OPSET = 17;
    /** IR version 8 goes with opset 17. */
    public static final long IR_VERSION = 8;
    /** The name of every sample's symbolic batch dimension. */
    public static final String BATCH = "batch";

    private final String name;
    private final List<Node> nodes = new ArrayList<>();
    private final List<ValueInfo> inputs = new ArrayList<>();
    private final List<ValueInfo> outputs = new ArrayList<>();
    private final Map<String, Tensor> initializers = new LinkedHashMap<>();

    public GraphBuilder(String name) {
        this.name = name;
    }

    /** A runtime input of shape [batch, rowDims...]. */
    public String input(String input, DataType type, int... rowDims) {
        inputs.add(new ValueInfo(input, type, batchShape(rowDims)));
        return input;
    }

    public void output(String output, DataType type, int... rowDims) {
        outputs.add(new ValueInfo(output, type, batchShape(rowDims)));
    }

    private static List<Dim> batchShape(int... rowDims) {
        List<Dim> dims = new ArrayList<>();
        dims.add(Dim.symbolic(BATCH));
        for (int d : rowDims) {
            dims.add(Dim.of(d));
        }
        return dims;
    }

    /** Registers a constant tensor and returns its name. */
    public String constant(String constant, Tensor value) {
        if (initializers.put(constant, value) != null) {
            throw new IllegalStateException("initializer '" + constant + "' defined twice");
        }
        return constant;
    }

    public String floats(String constant, int[] shape, float[] values) {
        return constant(constant, Tensor.ofFloats(shape, values.clone()));
    }

    public String longs(String constant, long... values) {
        return constant(constant, Tensor.ofLongs(new int[] {values.length}, values));
    }

    /** Adds a node with one output named {@code nodeName + ".out"} unless given, and returns the output name. */
    public String node(String nodeName, String opType, List<String> nodeInputs, Attribute... attributes) {
        return node(nodeName, opType, nodeInputs, nodeName + ".out", attributes);
    }

    public String node(String nodeName, String opType, List<String> nodeInputs, String output, Attribute... attributes) {
        nodes.add(new Node(nodeName, opType, nodeInputs, List.of(output), List.of(attributes)));
        return output;
    }

    /** A fully connected layer: Gemm with the weight stored (out, in), transB = 1, as in PyTorch's Linear. */
    public String gemm(String nodeName, String x, int[] weightShape, float[] weight, float[] bias) {
        String w = floats(nodeName + ".weight", weightShape, weight);
        String b = floats(nodeName + ".bias", new int[] {weightShape[0]}, bias);
        return node(nodeName, "Gemm", List.of(x, w, b), Attribute.of("transB", 1L));
    }

    public Model build(Map<String, String> metadata) {
        Graph graph = new Graph(name, nodes, inputs, outputs, initializers, List.of());
        return new Model(IR_VERSION, Map.of("", OPSET), "quantize-samples", "1", graph, metadata);
    }
}
