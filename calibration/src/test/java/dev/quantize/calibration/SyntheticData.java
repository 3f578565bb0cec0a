package dev.quantize.calibration;

import dev.quantize.core.data.Batch;
import dev.quantize.core.data.BatchReader;
import dev.quantize.core.data.ColumnSpec;
import dev.quantize.core.data.Dataset;
import dev.quantize.core.graph.Attribute;
import dev.quantize.core.graph.Dim;
import dev.quantize.core.graph.Graph;
import dev.quantize.core.graph.Model;
import dev.quantize.core.graph.Node;
import dev.quantize.core.graph.ValueInfo;
import dev.quantize.core.tensor.DataType;
import dev.quantize.core.tensor.Tensor;
import java.util.List;
import java.util.Map;
import java.util.OptionalLong;
import java.util.Random;

/**
 * Test material: a small model (Gemm, Relu, MatMul) and a dataset that generates its rows on the fly,
 * row {@code i} always the same values, so sub-ranges of rows are partitions of a larger dataset and
 * a dataset of any size takes no memory.
 */
final class SyntheticData {
    static final int FEATURES = 16;
    static final int HIDDEN = 8;

    private SyntheticData() {
    }

    /** x [N, 16] -> Gemm(W1 [8, 16], transB=1) -> h -> Relu -> r -> MatMul(W2 [8, 4]) -> y. */
    static Model model() {
        return model(3);
    }

    /** The model with weights drawn from {@code seed}. */
    static Model model(long seed) {
        Random r = new Random(seed);
        float[] w1 = new float[HIDDEN * FEATURES];
        for (int i = 0; i < w1.length; i++) {
            w1[i] = (float) (r.nextGaussian() * 0.3);
        }
        float[] w2 = new float[HIDDEN * 4];
        for (int i = 0; i < w2.length; i++) {
            w2[i] = (float) (r.nextGaussian() * 0.5);
        }
        List<Node> nodes = List.of(
                new Node("gemm", "Gemm", List.of("x", "W1"), List.of("h"), List.of(Attribute.of("transB", 1L))),
                new Node("relu", "Relu", List.of("h"), List.of("r"), List.of()),
                new Node("matmul", "MatMul", List.of("r", "W2"), List.of("y"), List.of()));
        Graph g = new Graph("synthetic", nodes,
                List.of(new ValueInfo("x", DataType.FLOAT32, List.of(Dim.symbolic("batch"), Dim.of(FEATURES)))),
                List.of(new ValueInfo("y", DataType.FLOAT32, List.of(Dim.symbolic("batch"), Dim.of(4)))),
                Map.of("W1", Tensor.ofFloats(new int[] {HIDDEN, FEATURES}, w1), "W2", Tensor.ofFloats(new int[] {HIDDEN, 4}, w2)),
                List.of());
        return new Model(8, Map.of("", 13L), "test", "1", g, Map.of());
    }

    /** Rows {@code [first, first + rows)} of the endless synthetic dataset. */
    static Dataset rows(long first, long rows) {
        return new Dataset() {
            public String name() {
                return "synthetic[" + first + ", " + (first + rows) + ")";
            }

            public List<ColumnSpec> columns() {
                return List.of(new ColumnSpec("x", DataType.FLOAT32, new int[] {FEATURES}));
            }

            public OptionalLong rowCount() {
                return OptionalLong.of(rows);
            }

            public BatchReader batches(int batchSize) {
                return new BatchReader() {
                    long next = first;

                    public boolean hasNext() {
                        return next < first + rows;
                    }

                    public Batch next() {
                        int n = (int) Math.min(batchSize, first + rows - next);
                        float[] v = new float[n * FEATURES];
                        for (int i = 0; i < n; i++) {
                            for (int c = 0; c < FEATURES; c++) {
                                v[i * FEATURES + c] = value(next + i, c);
                            }
                        }
                        next += n;
                        return new Batch(Map.of("x", Tensor.ofFloats(new int[] {n, FEATURES}, v)), n);
                    }

                    public void close() {
                    }
                };
            }

            public void close() {
            }
        };
    }

    /** A deterministic value in (-scale, scale), column 3 fifty times wider (an outlier channel). */
    static float value(long row, int col) {
        long z = (row * 0x9E3779B97F4A7C15L) ^ (col * 0xBF58476D1CE4E5B9L);
        z = (z ^ (z >>> 30)) * 0xBF58476D1CE4E5B9L;
        z = (z ^ (z >>> 27)) * 0x94D049BB133111EBL;
        z ^= z >>> 31;
        double u = (z >>> 11) * 0x1.0p-53;   // [0, 1)
        double scale = col == 3 ? 50 : 1 + col * 0.25;
        return (float) ((u * 2 - 1) * scale);
    }
}
