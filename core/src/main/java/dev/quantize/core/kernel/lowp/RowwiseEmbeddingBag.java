package dev.quantize.core.kernel.lowp;

import dev.quantize.core.format.Float16;
import dev.quantize.core.kernel.Parallelism;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;

/**
 * Fused gather + dequantize + pool over a table packed in FBGEMM's row-wise formats
 * ({@code rowwise_8bit/4bit/2bit}, see {@code RowwiseFormat}): each bag's rows are read straight
 * from the packed bytes (typically a memory-mapped file), dequantized one row at a time and pooled.
 * No FP32 copy of the table is ever made, so a table larger than the heap works as long as the
 * rows a batch touches fit in the page cache.
 *
 * <p>Shapes: the table is (rows, cols) packed; {@code indices} is (n), bag {@code b} being
 * {@code indices[offsets[b] .. offsets[b+1])}; {@code offsets} is (bags + 1); {@code weights} is
 * null or (n), one per index; {@code out} is (bags, cols).
 *
 * <p>Arithmetic, chosen to equal the decomposed ONNX form (Gather, optional Mul by the weights,
 * ReduceSum/ReduceMean over the bag axis) on the decoded table bit for bit: each element is decoded
 * in float32 as {@code code * scale + bias} (exactly {@code RowwiseFormat.decode}), multiplied by its
 * weight in float32, accumulated in double in bag order, and rounded to float32 once (after the
 * division by the bag length for MEAN). Negative indices count from the end as in ONNX Gather; an
 * empty bag pools to zeros.
 */
public final class RowwiseEmbeddingBag {
    /** 8-bit tables take {@link VectorRowwiseBag} when the Vector API module is present (the && short-circuits). */
    private static final boolean VECTOR = ModuleLayer.boot().findModule("jdk.incubator.vector").isPresent()
            && VectorRowwiseBag.usable();

    private RowwiseEmbeddingBag() {
    }

    /** Which loops pool 8-bit tables: "vector" or "scalar" (4- and 2-bit tables always take the scalar ones). */
    public static String implementation() {
        return VECTOR ? "vector" : "scalar";
    }

    /** How a bag's rows are combined. */
    public enum Pooling { SUM, MEAN }

    /**
     * A packed table: {@code bytes} holds {@code rows} rows of {@code cols} values in the row-wise
     * format of {@code bits} bits (8, 4 or 2), from its position 0, little-endian scale and bias.
     */
    public record Table(ByteBuffer bytes, int rows, int cols, int bits) {
        public Table {
            if (bits != 8 && bits != 4 && bits != 2) {
                throw new IllegalArgumentException("row-wise tables have 8, 4 or 2 bits, not " + bits);
            }
            if (rows < 0 || cols < 0) {
                throw new IllegalArgumentException("negative table shape " + rows + " x " + cols);
            }
            long need = (long) rows * rowBytes(cols, bits);
            if (bytes.capacity() < need) {
                throw new IllegalArgumentException("a " + rows + " x " + cols + " table of " + bits + "-bit rows needs "
                        + need + " bytes, the buffer has " + bytes.capacity());
            }
            bytes = bytes.duplicate().order(ByteOrder.LITTLE_ENDIAN);
        }

        /** Bytes of one packed row: the codes (low bits first), then scale and bias. */
        public static int rowBytes(int cols, int bits) {
            return (int) (((long) cols * bits + 7) / 8) + (bits == 8 ? 8 : 4);
        }

        public int rowBytes() {
            return rowBytes(cols, bits);
        }
    }

    /** Bags of a fixed length: bag {@code b} is {@code indices[b*length .. (b+1)*length)}. */
    public static int[] fixedOffsets(int bags, int length) {
        int[] offsets = new int[bags + 1];
        for (int b = 0; b <= bags; b++) {
            offsets[b] = Math.multiplyExact(b, length);
        }
        return offsets;
    }

    /** Pools every bag into {@code out} (bags x cols); see the class comment for shapes and arithmetic. */
    public static void run(Table table, long[] indices, int[] offsets, float[] weights, Pooling pooling, float[] out,
                           Parallelism par) {
        run(table, indices, offsets, weights, pooling, out, par, VECTOR);
    }

    /** {@link #run} with the loops chosen by the caller (tests compare the two bit for bit). */
    static void run(Table table, long[] indices, int[] offsets, float[] weights, Pooling pooling, float[] out,
                    Parallelism par, boolean vector) {
        int bags = offsets.length - 1;
        int cols = table.cols();
        if (bags < 0 || offsets[0] != 0 || offsets[bags] != indices.length) {
            throw new IllegalArgumentException("offsets must start at 0 and end at the number of indices (" + indices.length + ")");
        }
        for (int b = 0; b < bags; b++) {
            if (offsets[b + 1] < offsets[b]) {
                throw new IllegalArgumentException("offsets decrease at bag " + b);
            }
        }
        if (weights != null && weights.length != indices.length) {
            throw new IllegalArgumentException(weights.length + " per-sample weights for " + indices.length + " indices");
        }
        if ((long) bags * cols != out.length) {
            throw new IllegalArgumentException("out has " + out.length + " elements, " + bags + " bags x " + cols + " need "
                    + (long) bags * cols);
        }
        for (long i : indices) {
            if (i < -table.rows() || i >= table.rows()) {
                throw new IllegalArgumentException("index " + i + " out of range for a table of " + table.rows() + " rows");
            }
        }
        int minChunk = Math.max(1, 4096 / Math.max(1, cols * Math.max(1, indices.length / Math.max(1, bags))));
        if (vector && table.bits() == 8) {
            boolean mean = pooling == Pooling.MEAN;
            par.parallelFor(bags, minChunk, (b0, b1) -> VectorRowwiseBag.pool8(table, indices, offsets, weights, mean, out, b0, b1));
        } else {
            par.parallelFor(bags, minChunk, (b0, b1) -> pool(table, indices, offsets, weights, pooling, out, b0, b1));
        }
    }

    private static void pool(Table t, long[] indices, int[] offsets, float[] weights, Pooling pooling, float[] out,
                             int b0, int b1) {
        int cols = t.cols();
        int bits = t.bits();
        long rowBytes = t.rowBytes();
        int codeBytes = t.rowBytes() - (bits == 8 ? 8 : 4);
        ByteBuffer bytes = t.bytes();
        float[] values = new float[cols];
        double[] acc = new double[cols];
        for (int b = b0; b < b1; b++) {
            java.util.Arrays.fill(acc, 0);
            for (int k = offsets[b]; k < offsets[b + 1]; k++) {
                long i = indices[k] < 0 ? indices[k] + t.rows() : indices[k];
                decodeRow(bytes, (int) (i * rowBytes), codeBytes, cols, bits, values);
                if (weights != null) {
                    float w = weights[k];
                    for (int j = 0; j < cols; j++) {
                        acc[j] += values[j] * w;
                    }
                } else {
                    for (int j = 0; j < cols; j++) {
                        acc[j] += values[j];
                    }
                }
            }
            int len = offsets[b + 1] - offsets[b];
            int o = b * cols;
            for (int j = 0; j < cols; j++) {
                out[o + j] = pooling == Pooling.MEAN && len > 0 ? (float) (acc[j] / len) : (float) acc[j];
            }
        }
    }

    /**
     * The packed row at byte {@code pos} to float32 values, as {@code RowwiseFormat.decode} computes
     * them. Codes are read eight bytes at a time with absolute little-endian long reads (far cheaper
     * on a mapped buffer than a bulk copy of a short row or byte-by-byte reads).
     */
    static void decodeRow(ByteBuffer bytes, int pos, int codeBytes, int cols, int bits, float[] values) {
        float scale;
        float bias;
        if (bits == 8) {
            scale = bytes.getFloat(pos + codeBytes);
            bias = bytes.getFloat(pos + codeBytes + 4);
        } else {
            scale = Float16.toFloat(bytes.getShort(pos + codeBytes));
            bias = Float16.toFloat(bytes.getShort(pos + codeBytes + 2));
        }
        int perLong = 64 / bits;
        long mask = (1L << bits) - 1;
        int j = 0;
        int p = pos;
        // Whole longs of codes; the row's scale and bias follow the codes, so a long that starts
        // within the codes may run into them but never past the row.
        for (; j + perLong <= cols && p + 8 <= pos + codeBytes + (bits == 8 ? 8 : 4); j += perLong, p += 8) {
            long word = bytes.getLong(p);
            for (int e = 0; e < perLong; e++) {
                values[j + e] = (int) ((word >>> (e * bits)) & mask) * scale + bias;
            }
        }
        int perByte = 8 / bits;
        for (; j < cols; j++) {
            int code = (bytes.get(pos + j / perByte) >> ((j % perByte) * bits)) & (int) mask;
            values[j] = code * scale + bias;
        }
    }

}
