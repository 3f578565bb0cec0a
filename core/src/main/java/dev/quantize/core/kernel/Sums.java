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
    /** VectorSums is only resolved (on its first call) when the Vector API module is present. */
    private static final boolean VECTOR = ModuleLayer.boot().findModule("jdk.incubator.vector").isPresent();

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
