package dev.quantize.core.oracle;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.quantize.core.graph.Attribute;
import dev.quantize.core.graph.Dim;
import dev.quantize.core.graph.Graph;
import dev.quantize.core.graph.Model;
import dev.quantize.core.graph.Node;
import dev.quantize.core.graph.ValueInfo;
import dev.quantize.core.onnx.OnnxWriter;
import dev.quantize.core.tensor.DataType;
import dev.quantize.core.tensor.Tensor;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The oracle on hand-built models: type round trips, an independently computed Gemm, bad input. */
class OnnxRuntimeOracleTest {
    private static final List<DataType> TYPES = List.of(DataType.FLOAT32, DataType.FLOAT64, DataType.INT64,
            DataType.INT32, DataType.INT8, DataType.UINT8, DataType.BOOL);

    @TempDir
    static Path dir;

    static Path identityModel;
    static Path gemmModel;
    static final int K = 7;
    static final int N = 5;
    static float[] weights;
    static float[] bias;

    private static List<Dim> dims(long... d) {
        List<Dim> out = new ArrayList<>();
        for (long x : d) {
            out.add(x < 0 ? Dim.symbolic("batch") : Dim.of(x));
        }
        return out;
    }

    private static Path write(Graph g, String file) throws IOException {
        Path p = dir.resolve(file);
        OnnxWriter.write(new Model(8, Map.of("", 13L), "test", "1", g, Map.of()), p);
        return p;
    }

    @BeforeAll
    static void models() throws IOException {
        // One Identity per supported type; x_<type> has shape [batch, 3, 2].
        List<Node> nodes = new ArrayList<>();
        List<ValueInfo> ins = new ArrayList<>();
        List<ValueInfo> outs = new ArrayList<>();
        for (DataType t : TYPES) {
            String n = t.name().toLowerCase();
            ins.add(new ValueInfo("x_" + n, t, dims(-1, 3, 2)));
            outs.add(new ValueInfo("y_" + n, t, dims(-1, 3, 2)));
            nodes.add(new Node("id_" + n, "Identity", List.of("x_" + n), List.of("y_" + n), List.of()));
        }
        identityModel = write(new Graph("identity", nodes, ins, outs, Map.of(), List.of()), "identity.onnx");

        // y = x W^T + b with W (N, K): a Gemm with transB, weights from a seeded generator.
        SplittableRandom r = new SplittableRandom(11);
        weights = new float[N * K];
        bias = new float[N];
        for (int i = 0; i < weights.length; i++) {
            weights[i] = (float) r.nextGaussian();
        }
        for (int i = 0; i < N; i++) {
            bias[i] = (float) r.nextGaussian();
        }
        Map<String, Tensor> inits = new LinkedHashMap<>();
        inits.put("W", Tensor.ofFloats(new int[] {N, K}, weights));
        inits.put("b", Tensor.ofFloats(new int[] {N}, bias));
        gemmModel = write(new Graph("gemm",
                List.of(new Node("fc", "Gemm", List.of("x", "W", "b"), List.of("y"), List.of(Attribute.of("transB", 1L)))),
                List.of(new ValueInfo("x", DataType.FLOAT32, dims(-1, K))),
                List.of(new ValueInfo("y", DataType.FLOAT32, dims(-1, N))), inits, List.of()), "gemm.onnx");
    }

    private static Tensor randomTensor(DataType t, int[] shape, SplittableRandom r) {
        int n = Arrays.stream(shape).reduce(1, (a, b) -> a * b);
        switch (t) {
            case FLOAT32: {
                float[] v = new float[n];
                for (int i = 0; i < n; i++) {
                    v[i] = (float) r.nextGaussian() * 100;
                }
                return Tensor.ofFloats(shape, v);
            }
            case FLOAT64: {
                double[] v = new double[n];
                for (int i = 0; i < n; i++) {
                    v[i] = r.nextGaussian() * 1e10;
                }
                return Tensor.ofDoubles(shape, v);
            }
            default: {
                long lo = switch (t) {
                    case INT64 -> Long.MIN_VALUE / 2;
                    case INT32 -> Integer.MIN_VALUE;
                    case INT8 -> -128;
                    default -> 0;
                };
                long hi = switch (t) {
                    case INT64 -> Long.MAX_VALUE / 2;
                    case INT32 -> Integer.MAX_VALUE;
                    case INT8 -> 127;
                    case UINT8 -> 255;
                    default -> 1;
                };
                long[] v = new long[n];
                for (int i = 0; i < n; i++) {
                    v[i] = lo + (long) (r.nextDouble() * ((double) hi - lo + 1));
                    v[i] = Math.max(lo, Math.min(hi, v[i]));
                }
                v[0] = lo;
                v[n - 1] = hi;
                return Tensor.ofLongs(t, shape, v);
            }
        }
    }

    @Test
    void everySupportedTypeRoundTripsExactly() throws IOException {
        SplittableRandom r = new SplittableRandom(3);
        Map<String, Tensor> feeds = new LinkedHashMap<>();
        for (DataType t : TYPES) {
            feeds.put("x_" + t.name().toLowerCase(), randomTensor(t, new int[] {4, 3, 2}, r));
        }
        try (OnnxRuntimeOracle oracle = OnnxRuntimeOracle.open(identityModel, 1)) {
            Map<String, Tensor> out = oracle.run(feeds);
            assertEquals(TYPES.stream().map(t -> "y_" + t.name().toLowerCase()).toList(), new ArrayList<>(out.keySet()));
            for (DataType t : TYPES) {
                String n = t.name().toLowerCase();
                Tensor in = feeds.get("x_" + n);
                Tensor got = out.get("y_" + n);
                assertEquals(t, got.type(), n);
                assertArrayEquals(in.shape(), got.shape(), n);
                switch (t.storage()) {
                    case FLOAT -> assertArrayEquals(in.floats(), got.floats(), n);
                    case DOUBLE -> assertArrayEquals(in.doubles(), got.doubles(), n);
                    default -> assertArrayEquals(in.longs(), got.longs(), n);
                }
            }
        }
    }

    @Test
    void gemmMatchesADoublePrecisionReference() throws IOException {
        int rows = 9;
        SplittableRandom r = new SplittableRandom(5);
        float[] x = new float[rows * K];
        for (int i = 0; i < x.length; i++) {
            x[i] = (float) r.nextGaussian();
        }
        for (int threads : new int[] {1, 2}) {
            try (OnnxRuntimeOracle oracle = OnnxRuntimeOracle.open(gemmModel, threads)) {
                assertEquals(List.of("y"), oracle.outputNames());
                assertEquals(List.of("x"), oracle.inputs().stream().map(ValueInfo::name).toList());
                Tensor y = oracle.run(Map.of("x", Tensor.ofFloats(new int[] {rows, K}, x))).get("y");
                assertArrayEquals(new int[] {rows, N}, y.shape());
                for (int i = 0; i < rows; i++) {
                    for (int j = 0; j < N; j++) {
                        double want = bias[j];
                        for (int k = 0; k < K; k++) {
                            want += (double) x[i * K + k] * weights[j * K + k];
                        }
                        double got = y.floats()[i * N + j];
                        assertTrue(Math.abs(got - want) <= 1e-5 * Math.max(1, Math.abs(want)),
                                "y[" + i + "," + j + "] = " + got + ", expected " + want);
                    }
                }
            }
        }
    }

    @Test
    void wrongFeedsAreNamed() throws IOException {
        Tensor x = Tensor.ofFloats(new int[] {1, K}, new float[K]);
        try (OnnxRuntimeOracle oracle = OnnxRuntimeOracle.open(gemmModel, 1)) {
            IllegalArgumentException missing = assertThrows(IllegalArgumentException.class, () -> oracle.run(Map.of()));
            assertTrue(missing.getMessage().contains("gemm.onnx") && missing.getMessage().contains("missing input 'x'"),
                    missing.getMessage());
            IllegalArgumentException unknown = assertThrows(IllegalArgumentException.class,
                    () -> oracle.run(Map.of("x", x, "z", x)));
            assertTrue(unknown.getMessage().contains("unknown input 'z'"), unknown.getMessage());
            IllegalArgumentException type = assertThrows(IllegalArgumentException.class,
                    () -> oracle.run(Map.of("x", Tensor.ofLongs(new int[] {1, K}, new long[K]))));
            assertTrue(type.getMessage().contains("expected element type FLOAT32, got INT64"), type.getMessage());
            OracleException shape = assertThrows(OracleException.class,
                    () -> oracle.run(Map.of("x", Tensor.ofFloats(new int[] {1, K + 1}, new float[K + 1]))));
            assertTrue(shape.getMessage().startsWith("gemm.onnx: ONNX Runtime failed to run the model"), shape.getMessage());
        }
    }

    @Test
    void closedOracleRefusesToRun() throws IOException {
        OnnxRuntimeOracle oracle = OnnxRuntimeOracle.open(gemmModel, 1);
        oracle.close();
        oracle.close();
        IllegalStateException e = assertThrows(IllegalStateException.class,
                () -> oracle.run(Map.of("x", Tensor.ofFloats(new int[] {1, K}, new float[K]))));
        assertTrue(e.getMessage().contains("closed"), e.getMessage());
    }

    @Test
    void keepsDjlOffline() throws IOException {
        try (OnnxRuntimeOracle oracle = OnnxRuntimeOracle.open(gemmModel, 1)) {
            assertEquals(1, oracle.threads());
            assertEquals("true", System.getProperty("ai.djl.offline"));
            assertEquals("true", System.getProperty("OPT_OUT_TRACKING"));
        }
    }

    @Test
    void missingFileIsNamed() {
        OracleException e = assertThrows(OracleException.class, () -> OnnxRuntimeOracle.open(dir.resolve("nope.onnx"), 1));
        assertTrue(e.getMessage().startsWith("nope.onnx: no such model file"), e.getMessage());
        assertThrows(IllegalArgumentException.class, () -> OnnxRuntimeOracle.open(gemmModel, 0));
    }

    /** Seeded truncations and byte flips: each either loads and runs, or fails with the file's name. */
    @Test
    void corruptedModelsFailWithTheFileName() throws IOException {
        byte[] good = Files.readAllBytes(gemmModel);
        SplittableRandom r = new SplittableRandom(2024);
        Tensor x = Tensor.ofFloats(new int[] {2, K}, new float[2 * K]);
        int failures = 0;
        for (int trial = 0; trial < 24; trial++) {
            byte[] bad;
            if (trial % 2 == 0) {
                bad = Arrays.copyOf(good, r.nextInt(good.length));
            } else {
                bad = good.clone();
                for (int f = 0; f < 4; f++) {
                    bad[r.nextInt(bad.length)] = (byte) r.nextInt(256);
                }
            }
            Path p = dir.resolve("corrupt" + trial + ".onnx");
            Files.write(p, bad);
            try (OnnxRuntimeOracle oracle = OnnxRuntimeOracle.open(p, 1)) {
                oracle.run(Map.of("x", x));
            } catch (RuntimeException e) {
                failures++;
                assertTrue(e.getMessage() != null && e.getMessage().contains("corrupt" + trial + ".onnx"),
                        "trial " + trial + ": " + e);
            }
        }
        assertTrue(failures >= 12, "every truncation should fail, got " + failures + " failures");
    }
}
