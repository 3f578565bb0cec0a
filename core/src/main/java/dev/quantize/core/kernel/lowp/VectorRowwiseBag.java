package dev.quantize.core.kernel.lowp;

import dev.quantize.core.kernel.lowp.RowwiseEmbeddingBag.Table;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import jdk.incubator.vector.ByteVector;
import jdk.incubator.vector.DoubleVector;
import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorOperators;
import jdk.incubator.vector.VectorSpecies;

/**
 * {@link RowwiseEmbeddingBag} for 8-bit tables on the incubating Vector API. Columns go 16 at a time:
 * the codes of a row are loaded straight from the (mapped) buffer, decoded in float lanes exactly as the
 * scalar loop does ({@code code * scale + bias}, a multiply then an add, each rounded), multiplied by the
 * bag weight (1 when absent: exact), widened in two halves and added to two 8-lane double accumulators
 * whose lane j is column j's running sum, in bag order. So each column sees the same additions in the
 * same order as the scalar loop: bit-identical. The remaining cols % 16 columns take the scalar loop.
 * The preferred float species and 512-bit doubles only, as {@code VectorSums} (a second float shape in
 * the process slowed the other 512-bit kernels ~10x); the 128-bit byte species is the one the int8 GEMM
 * already loads. Used only when jdk.incubator.vector is in the boot layer and {@link #usable()}.
 */
final class VectorRowwiseBag {
    private static final VectorSpecies<Float> F = FloatVector.SPECIES_PREFERRED;
    private static final VectorSpecies<Double> D = DoubleVector.SPECIES_512;
    private static final VectorSpecies<Byte> B = ByteVector.SPECIES_128;

    private VectorRowwiseBag() {
    }

    /** Whether the preferred float vectors hold 16 lanes (two halves of 8 double accumulators). */
    static boolean usable() {
        return F.length() == 16 && D.length() == 8;
    }

    /** Bags [b0, b1) of an 8-bit table into out; arguments already checked by {@link RowwiseEmbeddingBag#run}. */
    static void pool8(Table t, long[] indices, int[] offsets, float[] weights, boolean mean, float[] out, int b0, int b1) {
        int cols = t.cols();
        int rows = t.rows();
        long rowBytes = t.rowBytes();
        ByteBuffer bytes = t.bytes();
        int blocks = cols & ~15;
        int maxLen = 0;
        for (int b = b0; b < b1; b++) {
            maxLen = Math.max(maxLen, offsets[b + 1] - offsets[b]);
        }
        // Per bag: each row's byte position, scale, bias and weight, read once for all column blocks.
        int[] pos = new int[maxLen];
        float[] scale = new float[maxLen];
        float[] bias = new float[maxLen];
        float[] weight = new float[maxLen];
        double[] sums = new double[16];
        for (int b = b0; b < b1; b++) {
            int k0 = offsets[b];
            int len = offsets[b + 1] - k0;
            for (int k = 0; k < len; k++) {
                long i = indices[k0 + k] < 0 ? indices[k0 + k] + rows : indices[k0 + k];
                int p = (int) (i * rowBytes);
                pos[k] = p;
                scale[k] = bytes.getFloat(p + cols);
                bias[k] = bytes.getFloat(p + cols + 4);
                weight[k] = weights == null ? 1f : weights[k0 + k];
            }
            int o = b * cols;
            for (int j = 0; j < blocks; j += 16) {
                DoubleVector a0 = DoubleVector.zero(D);
                DoubleVector a1 = DoubleVector.zero(D);
                for (int k = 0; k < len; k++) {
                    // Codes are unsigned: flipping the top bit makes them signed code - 128, which B2F widens
                    // exactly; adding 128 back in float is exact too.
                    ByteVector c = ByteVector.fromByteBuffer(B, bytes, pos[k] + j, ByteOrder.LITTLE_ENDIAN)
                            .lanewise(VectorOperators.XOR, (byte) 0x80);
                    FloatVector v = ((FloatVector) c.convertShape(VectorOperators.B2F, F, 0)).add(128f)
                            .mul(scale[k]).add(bias[k]).mul(weight[k]);
                    a0 = a0.add(v.convertShape(VectorOperators.F2D, D, 0));
                    a1 = a1.add(v.convertShape(VectorOperators.F2D, D, 1));
                }
                a0.intoArray(sums, 0);
                a1.intoArray(sums, 8);
                if (mean && len > 0) {
                    for (int e = 0; e < 16; e++) {
                        out[o + j + e] = (float) (sums[e] / len);
                    }
                } else {
                    for (int e = 0; e < 16; e++) {
                        out[o + j + e] = (float) sums[e];
                    }
                }
            }
            for (int j = blocks; j < cols; j++) {
                double acc = 0;
                for (int k = 0; k < len; k++) {
                    float v = (bytes.get(pos[k] + j) & 0xFF) * scale[k] + bias[k];
                    acc += v * weight[k];
                }
                out[o + j] = mean && len > 0 ? (float) (acc / len) : (float) acc;
            }
        }
    }
}
