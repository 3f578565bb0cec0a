package dev.quantize.core.kernel;

/**
 * Sums of float runs accumulated in double in one fixed order, shared by every op that must agree bit
 * for bit (ReduceMean and the fused LayerNorm). A single running sum is a chain of dependent double
 * additions (one per element, ~4 cycles each); eight interleaved partial sums let the CPU overlap
 * them. The order: partial sum j (j &lt; 8) adds elements j, j+8, j+16, ... of the whole blocks of 8 in
 * order; the partials are combined as ((s0+s1)+(s2+s3))+((s4+s5)+(s6+s7)); the remaining len % 8
 * elements are then added in order. Accuracy is that of double accumulation either way.
 */
public final class Sums {
    /** VectorSums is only resolved when the Vector API module is present (the && short-circuits). */
    private static final boolean VECTOR = ModuleLayer.boot().findModule("jdk.incubator.vector").isPresent()
            && VectorSums.usable();

    private Sums() {
    }

    /** Shapes: v[from .. from+len). The sum of those floats, in double, in the order above. */
    public static double sum(float[] v, int from, int len) {
        if (VECTOR && len >= 32) {
            java.util.Objects.checkFromIndexSize(from, len, v.length);
            return VectorSums.sum(v, from, len);
        }
        return plainSum(v, from, len);
    }

    /**
     * Shapes: v[from .. from+len), d[dOff .. dOff+len). Writes the float deviations d[i] = v[i] - mean and
     * returns the sum of their float squares d[i] * d[i] in double, in the order of {@link #sum}: the same
     * bits as writing the squares to an array and summing it, in one pass instead of three.
     */
    public static double sumOfSquaredDeviations(float[] v, int from, int len, float mean, float[] d, int dOff) {
        java.util.Objects.checkFromIndexSize(from, len, v.length);
        java.util.Objects.checkFromIndexSize(dOff, len, d.length);
        if (VECTOR && len >= 32) {
            return VectorSums.sumOfSquaredDeviations(v, from, len, mean, d, dOff);
        }
        return plainSumOfSquaredDeviations(v, from, len, mean, d, dOff);
    }

    /** The plain-Java loop of {@link #sumOfSquaredDeviations}. */
    static double plainSumOfSquaredDeviations(float[] v, int from, int len, float mean, float[] d, int dOff) {
        double[] s = new double[8];
        int blocks = len & ~7;
        for (int i = 0; i < blocks; i += 8) {
            for (int j = 0; j < 8; j++) {
                float e = v[from + i + j] - mean;
                d[dOff + i + j] = e;
                s[j] += e * e;
            }
        }
        double r = ((s[0] + s[1]) + (s[2] + s[3])) + ((s[4] + s[5]) + (s[6] + s[7]));
        for (int i = blocks; i < len; i++) {
            float e = v[from + i] - mean;
            d[dOff + i] = e;
            r += e * e;
        }
        return r;
    }

    /** The plain-Java loop (package-private so tests compare it with the vector one). */
    static double plainSum(float[] v, int from, int len) {
        double s0 = 0;
        double s1 = 0;
        double s2 = 0;
        double s3 = 0;
        double s4 = 0;
        double s5 = 0;
        double s6 = 0;
        double s7 = 0;
        int blocks = len & ~7;
        int end = from + blocks;
        for (int i = from; i < end; i += 8) {
            s0 += v[i];
            s1 += v[i + 1];
            s2 += v[i + 2];
            s3 += v[i + 3];
            s4 += v[i + 4];
            s5 += v[i + 5];
            s6 += v[i + 6];
            s7 += v[i + 7];
        }
        double s = ((s0 + s1) + (s2 + s3)) + ((s4 + s5) + (s6 + s7));
        for (int i = end; i < from + len; i++) {
            s += v[i];
        }
        return s;
    }
}
