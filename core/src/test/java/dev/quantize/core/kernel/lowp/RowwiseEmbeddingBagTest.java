package dev.quantize.core.kernel.lowp;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.quantize.core.format.PackedTensor;
import dev.quantize.core.format.RowwiseFormat;
import dev.quantize.core.kernel.Parallelism;
import dev.quantize.core.kernel.lowp.RowwiseEmbeddingBag.Pooling;
import dev.quantize.core.kernel.lowp.RowwiseEmbeddingBag.Table;
import java.nio.ByteBuffer;
import java.util.Random;
import org.junit.jupiter.api.Test;

/** The fused bag kernel against decode-the-table-then-pool, bit for bit, on odd shapes. */
class RowwiseEmbeddingBagTest {
    private static final int[] ODD = {1, 7, 17, 33, 257};

    /** The naive path: the whole table decoded by the format, then Gather, Mul and a double-accumulated reduce. */
    private static float[] reference(float[] decoded, int cols, long[] idx, int[] offsets, float[] w, Pooling p, int rows) {
        int bags = offsets.length - 1;
        float[] out = new float[bags * cols];
        for (int b = 0; b < bags; b++) {
            for (int j = 0; j < cols; j++) {
                double acc = 0;
                for (int k = offsets[b]; k < offsets[b + 1]; k++) {
                    long r = idx[k] < 0 ? idx[k] + rows : idx[k];
                    float v = decoded[(int) r * cols + j];
                    acc += w == null ? v : v * w[k];
                }
                int len = offsets[b + 1] - offsets[b];
                out[b * cols + j] = p == Pooling.MEAN && len > 0 ? (float) (acc / len) : (float) acc;
            }
        }
        return out;
    }

    @Test
    void equalsDecodeThenPoolBitForBitOnOddShapes() {
        Random rnd = new Random(11);
        int cases = 0;
        for (int bits : new int[] {8, 4, 2}) {
            RowwiseFormat f = new RowwiseFormat("rowwise_" + bits + "bit", bits);
            for (int cols : ODD) {
                for (int rows : ODD) {
                    float[] x = new float[rows * cols];
                    for (int i = 0; i < x.length; i++) {
                        x[i] = (float) (rnd.nextGaussian() * (1 + rnd.nextInt(50)));
                    }
                    PackedTensor packed = f.encode(x, new int[] {rows, cols}, 1);
                    float[] decoded = f.decode(packed);
                    Table table = new Table(ByteBuffer.wrap(packed.bytes()), rows, cols, bits);
                    for (int bags : new int[] {1, 7, 33}) {
                        int[] offsets = new int[bags + 1];
                        for (int b = 0; b < bags; b++) {
                            offsets[b + 1] = offsets[b] + rnd.nextInt(6); // bags of 0..5 rows, some empty
                        }
                        long[] idx = new long[offsets[bags]];
                        for (int k = 0; k < idx.length; k++) {
                            idx[k] = rnd.nextInt(2 * rows) - rows; // negative indices count from the end
                        }
                        float[] w = new float[idx.length];
                        for (int k = 0; k < w.length; k++) {
                            w[k] = rnd.nextFloat() * 2 - 0.5f;
                        }
                        for (Pooling p : Pooling.values()) {
                            for (float[] weights : new float[][] {null, w}) {
                                for (int threads : new int[] {1, 2}) {
                                    float[] out = new float[bags * cols];
                                    RowwiseEmbeddingBag.run(table, idx, offsets, weights, p, out, Parallelism.of(threads));
                                    float[] want = reference(decoded, cols, idx, offsets, weights, p, rows);
                                    assertArrayEquals(want, out, 0f, bits + "-bit " + rows + "x" + cols + " " + p);
                                    cases++;
                                }
                            }
                        }
                    }
                }
            }
        }
        assertEquals(3 * 5 * 5 * 3 * 2 * 2 * 2, cases);
    }

    /** The Vector API loops (8-bit tables) against the scalar ones, bit for bit, on heap and direct buffers. */
    @Test
    void vectorAndScalarLoopsAgreeBitForBit() {
        Random rnd = new Random(12);
        RowwiseFormat f = new RowwiseFormat("rowwise_8bit", 8);
        int cases = 0;
        for (int cols : new int[] {1, 15, 16, 17, 32, 48, 64, 100}) {
            int rows = 50;
            float[] x = new float[rows * cols];
            for (int i = 0; i < x.length; i++) {
                x[i] = (float) (rnd.nextGaussian() * (1 + rnd.nextInt(1000)));
            }
            byte[] packed = f.encode(x, new int[] {rows, cols}, 1).bytes();
            ByteBuffer direct = ByteBuffer.allocateDirect(packed.length).put(packed);
            for (ByteBuffer bb : new ByteBuffer[] {ByteBuffer.wrap(packed), direct}) {
                Table table = new Table(bb, rows, cols, 8);
                int bags = 40;
                int[] offsets = new int[bags + 1];
                for (int b = 0; b < bags; b++) {
                    offsets[b + 1] = offsets[b] + rnd.nextInt(40); // long bags: many double additions per column
                }
                long[] idx = new long[offsets[bags]];
                float[] w = new float[idx.length];
                for (int k = 0; k < idx.length; k++) {
                    idx[k] = rnd.nextInt(2 * rows) - rows;
                    w[k] = (float) rnd.nextGaussian();
                }
                for (Pooling p : Pooling.values()) {
                    for (float[] weights : new float[][] {null, w}) {
                        float[] scalar = new float[bags * cols];
                        float[] vector = new float[bags * cols];
                        RowwiseEmbeddingBag.run(table, idx, offsets, weights, p, scalar, Parallelism.single(), false);
                        RowwiseEmbeddingBag.run(table, idx, offsets, weights, p, vector, Parallelism.of(2), true);
                        for (int i = 0; i < scalar.length; i++) {
                            assertEquals(Float.floatToRawIntBits(scalar[i]), Float.floatToRawIntBits(vector[i]),
                                    cols + " cols " + p + " element " + i);
                        }
                        cases++;
                    }
                }
            }
        }
        assertEquals(8 * 2 * 2 * 2, cases);
    }

    @Test
    void aBagOfOneRowIsTheDecodedRow() {
        RowwiseFormat f = new RowwiseFormat("rowwise_4bit", 4);
        float[] x = {0.5f, -1.25f, 3f, 7.75f, -2f, 0f, 1f};
        PackedTensor packed = f.encode(x, new int[] {1, 7}, 1);
        float[] out = new float[7];
        RowwiseEmbeddingBag.run(new Table(ByteBuffer.wrap(packed.bytes()), 1, 7, 4), new long[] {0},
                new int[] {0, 1}, null, Pooling.SUM, out, Parallelism.single());
        assertArrayEquals(f.decode(packed), out, 0f);
    }

    @Test
    void emptyBagsPoolToZeros() {
        RowwiseFormat f = new RowwiseFormat("rowwise_8bit", 8);
        PackedTensor packed = f.encode(new float[] {1, 2, 3, 4}, new int[] {2, 2}, 1);
        float[] out = {9, 9, 9, 9};
        RowwiseEmbeddingBag.run(new Table(ByteBuffer.wrap(packed.bytes()), 2, 2, 8), new long[0], new int[] {0, 0, 0},
                null, Pooling.MEAN, out, Parallelism.single());
        assertArrayEquals(new float[4], out, 0f);
    }

    @Test
    void badArgumentsAreRefusedWithTheirValues() {
        RowwiseFormat f = new RowwiseFormat("rowwise_8bit", 8);
        PackedTensor packed = f.encode(new float[] {1, 2, 3, 4}, new int[] {2, 2}, 1);
        Table t = new Table(ByteBuffer.wrap(packed.bytes()), 2, 2, 8);
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> RowwiseEmbeddingBag.run(t,
                new long[] {2}, new int[] {0, 1}, null, Pooling.SUM, new float[2], Parallelism.single()));
        assertTrue(e.getMessage().contains("index 2 out of range for a table of 2 rows"), e.getMessage());
        e = assertThrows(IllegalArgumentException.class, () -> new Table(ByteBuffer.wrap(packed.bytes()), 3, 2, 8));
        assertTrue(e.getMessage().contains("needs 30 bytes, the buffer has 20"), e.getMessage());
        e = assertThrows(IllegalArgumentException.class, () -> RowwiseEmbeddingBag.run(t,
                new long[] {0}, new int[] {0, 1}, new float[2], Pooling.SUM, new float[2], Parallelism.single()));
        assertTrue(e.getMessage().contains("2 per-sample weights for 1 indices"), e.getMessage());
    }
}
