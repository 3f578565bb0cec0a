package dev.quantize.core.onnx;

import dev.quantize.core.SharedData;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.fail;

import dev.quantize.core.graph.Attribute;
import dev.quantize.core.graph.Graph;
import dev.quantize.core.graph.Model;
import dev.quantize.core.graph.Node;
import dev.quantize.core.tensor.Tensor;
import java.nio.file.Path;
import java.util.List;

/** Shared-material lookup and deep, bit-exact comparison of models for the ONNX tests. */
final class TestModels {
    private TestModels() {
    }

    /** shared/models/NAME/model.onnx, or the test is skipped with a message. */
    static Path sharedModel(String name) {
        return SharedData.model(name);
    }

    static void assertSameModel(Model a, Model b) {
        assertEquals(a.irVersion(), b.irVersion(), "ir version");
        assertEquals(a.opsets(), b.opsets(), "opsets");
        assertEquals(a.producerName(), b.producerName());
        assertEquals(a.producerVersion(), b.producerVersion());
        assertEquals(a.metadata(), b.metadata());
        assertSameGraph(a.graph(), b.graph(), "graph");
    }

    static void assertSameGraph(Graph a, Graph b, String where) {
        assertEquals(a.name(), b.name(), where + " name");
        assertEquals(a.inputs(), b.inputs(), where + " inputs");
        assertEquals(a.outputs(), b.outputs(), where + " outputs");
        assertEquals(a.valueInfos(), b.valueInfos(), where + " value infos");
        assertEquals(List.copyOf(a.initializers().keySet()), List.copyOf(b.initializers().keySet()),
                where + " initializer names");
        for (String k : a.initializers().keySet()) {
            assertSameTensor(a.initializers().get(k), b.initializers().get(k), where + " initializer " + k);
        }
        assertEquals(a.nodes().size(), b.nodes().size(), where + " node count");
        for (int i = 0; i < a.nodes().size(); i++) {
            Node x = a.nodes().get(i);
            Node y = b.nodes().get(i);
            String w = where + " node " + i + " " + x.displayName();
            assertEquals(x.name(), y.name(), w);
            assertEquals(x.opType(), y.opType(), w);
            assertEquals(x.domain(), y.domain(), w);
            assertEquals(x.inputs(), y.inputs(), w);
            assertEquals(x.outputs(), y.outputs(), w);
            assertEquals(List.copyOf(x.attributes().keySet()), List.copyOf(y.attributes().keySet()), w);
            for (String k : x.attributes().keySet()) {
                assertSameAttribute(x.attribute(k), y.attribute(k), w + " attribute " + k);
            }
        }
    }

    static void assertSameAttribute(Attribute a, Attribute b, String where) {
        assertEquals(a.name(), b.name(), where);
        assertEquals(a.kind(), b.kind(), where);
        switch (a.kind()) {
            case FLOAT -> assertEquals(Float.floatToRawIntBits(a.asFloat()), Float.floatToRawIntBits(b.asFloat()), where);
            case TENSOR -> assertSameTensor(a.asTensor(), b.asTensor(), where);
            case GRAPH -> assertSameGraph(a.asGraph(), b.asGraph(), where);
            case TENSORS -> {
                assertEquals(a.asTensors().size(), b.asTensors().size(), where);
                for (int i = 0; i < a.asTensors().size(); i++) {
                    assertSameTensor(a.asTensors().get(i), b.asTensors().get(i), where + " #" + i);
                }
            }
            case GRAPHS -> {
                assertEquals(a.asGraphs().size(), b.asGraphs().size(), where);
                for (int i = 0; i < a.asGraphs().size(); i++) {
                    assertSameGraph(a.asGraphs().get(i), b.asGraphs().get(i), where + " #" + i);
                }
            }
            default -> assertEquals(a.value(), b.value(), where);
        }
    }

    /** Same type, shape and every element bit for bit (NaN payloads included). */
    static void assertSameTensor(Tensor a, Tensor b, String where) {
        assertEquals(a.type(), b.type(), where + " type");
        assertArrayEquals(a.shape(), b.shape(), where + " shape");
        switch (a.type().storage()) {
            case FLOAT -> {
                float[] x = a.floats();
                float[] y = b.floats();
                for (int i = 0; i < x.length; i++) {
                    if (Float.floatToRawIntBits(x[i]) != Float.floatToRawIntBits(y[i])) {
                        fail(where + " element " + i + ": " + x[i] + " != " + y[i]);
                    }
                }
            }
            case DOUBLE -> {
                double[] x = a.doubles();
                double[] y = b.doubles();
                for (int i = 0; i < x.length; i++) {
                    if (Double.doubleToRawLongBits(x[i]) != Double.doubleToRawLongBits(y[i])) {
                        fail(where + " element " + i + ": " + x[i] + " != " + y[i]);
                    }
                }
            }
            case LONG -> assertArrayEquals(a.longs(), b.longs(), where);
            case STRING -> assertArrayEquals(a.strings(), b.strings(), where);
        }
    }
}
