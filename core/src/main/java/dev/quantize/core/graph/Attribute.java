package dev.quantize.core.graph;

import dev.quantize.core.tensor.Tensor;
import java.util.List;

/**
 * A node attribute. {@code value} holds, by kind: FLOAT a Float, INT a Long, STRING a String
 * (ONNX strings are bytes; they are decoded as UTF-8), TENSOR a Tensor, GRAPH a Graph, and the
 * plural kinds an unmodifiable List of those.
 */
public record Attribute(String name, Kind kind, Object value) {
    /** Attribute kinds with their ONNX AttributeProto.AttributeType numbers. */
    public enum Kind {
        FLOAT(1), INT(2), STRING(3), TENSOR(4), GRAPH(5), FLOATS(6), INTS(7), STRINGS(8), TENSORS(9), GRAPHS(10);

        private final int onnxCode;

        Kind(int onnxCode) {
            this.onnxCode = onnxCode;
        }

        public int onnxCode() {
            return onnxCode;
        }

        public static Kind fromOnnx(int code) {
            for (Kind k : values()) {
                if (k.onnxCode == code) {
                    return k;
                }
            }
            return null;
        }
    }

    public static Attribute of(String name, float v) {
        return new Attribute(name, Kind.FLOAT, v);
    }

    public static Attribute of(String name, long v) {
        return new Attribute(name, Kind.INT, v);
    }

    public static Attribute of(String name, String v) {
        return new Attribute(name, Kind.STRING, v);
    }

    public static Attribute of(String name, Tensor v) {
        return new Attribute(name, Kind.TENSOR, v);
    }

    public static Attribute of(String name, Graph v) {
        return new Attribute(name, Kind.GRAPH, v);
    }

    public static Attribute ofInts(String name, long... v) {
        Long[] boxed = new Long[v.length];
        for (int i = 0; i < v.length; i++) {
            boxed[i] = v[i];
        }
        return new Attribute(name, Kind.INTS, List.of(boxed));
    }

    public static Attribute ofFloats(String name, float... v) {
        Float[] boxed = new Float[v.length];
        for (int i = 0; i < v.length; i++) {
            boxed[i] = v[i];
        }
        return new Attribute(name, Kind.FLOATS, List.of(boxed));
    }

    public static Attribute ofStrings(String name, List<String> v) {
        return new Attribute(name, Kind.STRINGS, List.copyOf(v));
    }

    public float asFloat() {
        return (Float) value;
    }

    public long asLong() {
        return (Long) value;
    }

    public String asString() {
        return (String) value;
    }

    public Tensor asTensor() {
        return (Tensor) value;
    }

    public Graph asGraph() {
        return (Graph) value;
    }

    /** INTS as a long array. */
    @SuppressWarnings("unchecked")
    public long[] asLongs() {
        List<Long> l = (List<Long>) value;
        long[] out = new long[l.size()];
        for (int i = 0; i < out.length; i++) {
            out[i] = l.get(i);
        }
        return out;
    }

    /** FLOATS as a float array. */
    @SuppressWarnings("unchecked")
    public float[] asFloats() {
        List<Float> l = (List<Float>) value;
        float[] out = new float[l.size()];
        for (int i = 0; i < out.length; i++) {
            out[i] = l.get(i);
        }
        return out;
    }

    @SuppressWarnings("unchecked")
    public List<String> asStrings() {
        return (List<String>) value;
    }

    @SuppressWarnings("unchecked")
    public List<Tensor> asTensors() {
        return (List<Tensor>) value;
    }

    @SuppressWarnings("unchecked")
    public List<Graph> asGraphs() {
        return (List<Graph>) value;
    }
}
