package dev.quantize.core.exec.ops;

import dev.quantize.core.kernel.Gemm;
import java.util.Map;
import java.util.WeakHashMap;

/**
 * Gemm's B operands packed once and reused across runs. Keys are the B arrays themselves (arrays
 * compare by identity): initializers are read in place and never written, so an array that comes back
 * as B is a constant weight; activations are fresh arrays each run. An array is packed the second time
 * it is seen (a one-off B is not worth packing) and dropped when it is collected (weak keys; values do
 * not refer to their key). Thread-safe.
 */
final class PackedWeights {
    /** Smaller B operands pack in less time than a lookup saves. */
    private static final int MIN_ELEMENTS = 4096;
    private static final Object SEEN_ONCE = new Object();
    private static final Map<float[], Object> CACHE = new WeakHashMap<>();

    private PackedWeights() {
    }

    /** The packed form of b for this product, or null when it is not (yet) worth packing. */
    static Gemm.PackedB lookup(float[] b, boolean transB, int k, int n, int ldb) {
        if ((long) k * n < MIN_ELEMENTS || b.length != k * n) {
            return null;
        }
        Object entry;
        synchronized (CACHE) {
            entry = CACHE.get(b);
            if (entry == null) {
                CACHE.put(b, SEEN_ONCE);
                return null;
            }
        }
        if (entry instanceof Key key && key.matches(transB, k, n, ldb)) {
            return key.packed();
        }
        // Seen before (or used with another shape): pack now, outside the lock.
        Key key = new Key(transB, k, n, ldb, Gemm.prepack(transB, k, n, b, 0, ldb));
        synchronized (CACHE) {
            CACHE.put(b, key);
        }
        return key.packed();
    }

    private record Key(boolean transB, int k, int n, int ldb, Gemm.PackedB packed) {
        boolean matches(boolean transB, int k, int n, int ldb) {
            return this.transB == transB && this.k == k && this.n == n && this.ldb == ldb;
        }
    }
}
