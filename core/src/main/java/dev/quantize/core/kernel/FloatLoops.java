package dev.quantize.core.kernel;

/**
 * Elementwise float loops of the fused LayerNorm and GELU, written once with the Vector API
 * ({@code VectorFloatLoops}) because C2 does not vectorise them by itself (a store into one float[]
 * may alias a load from another; measured 1-3.6 ns per element for the LayerNorm one). Every lane
 * performs the plain loop's operations in the same order, each rounded to float (no fused
 * multiply-add), so the two paths agree bit for bit.
 */
public final class FloatLoops {
    /** VectorFloatLoops is only resolved (on its first call) when the Vector API module is present. */
    private static final boolean VECTOR = ModuleLayer.boot().findModule("jdk.incubator.vector").isPresent();

    private FloatLoops() {
    }

    /** y[yOff + i] = x[xOff + i] / d for i &lt; len (y may be x). */
    public static void divide(float[] x, int xOff, float d, float[] y, int yOff, int len) {
        java.util.Objects.checkFromIndexSize(xOff, len, x.length);
        java.util.Objects.checkFromIndexSize(yOff, len, y.length);
        if (VECTOR) {
            VectorFloatLoops.divide(x, xOff, d, y, yOff, len);
            return;
        }
        for (int i = 0; i < len; i++) {
            y[yOff + i] = x[xOff + i] / d;
        }
    }

    /** v[off + i] = v[off + i] / s * g[i] + b[i] for i &lt; len, in place (LayerNorm's last step). */
    public static void divideScaleShift(float[] v, int off, int len, float s, float[] g, float[] b) {
        java.util.Objects.checkFromIndexSize(off, len, v.length);
        java.util.Objects.checkFromIndexSize(0, len, g.length);
        java.util.Objects.checkFromIndexSize(0, len, b.length);
        if (VECTOR) {
            VectorFloatLoops.divideScaleShift(v, off, len, s, g, b);
            return;
        }
        for (int i = 0; i < len; i++) {
            v[off + i] = v[off + i] / s * g[i] + b[i];
        }
    }

    /** y[off + i] = x[off + i] * (y[off + i] + offset) * scale for i &lt; len (GELU's last steps). */
    public static void timesShifted(float[] x, float[] y, int off, int len, float offset, float scale) {
        timesShifted(x, off, y, off, len, offset, scale);
    }

    /** y[yOff + i] = x[xOff + i] * (y[yOff + i] + offset) * scale for i &lt; len. */
    public static void timesShifted(float[] x, int xOff, float[] y, int yOff, int len, float offset, float scale) {
        java.util.Objects.checkFromIndexSize(xOff, len, x.length);
        java.util.Objects.checkFromIndexSize(yOff, len, y.length);
        if (VECTOR) {
            VectorFloatLoops.timesShifted(x, xOff, y, yOff, len, offset, scale);
            return;
        }
        for (int i = 0; i < len; i++) {
            y[yOff + i] = x[xOff + i] * (y[yOff + i] + offset) * scale;
        }
    }

    /** The plain loops, for tests that compare both paths. */
    static void plainDivide(float[] x, int xOff, float d, float[] y, int yOff, int len) {
        for (int i = 0; i < len; i++) {
            y[yOff + i] = x[xOff + i] / d;
        }
    }

    static void plainDivideScaleShift(float[] v, int off, int len, float s, float[] g, float[] b) {
        for (int i = 0; i < len; i++) {
            v[off + i] = v[off + i] / s * g[i] + b[i];
        }
    }

    static void plainTimesShifted(float[] x, float[] y, int off, int len, float offset, float scale) {
        for (int i = off; i < off + len; i++) {
            y[i] = x[i] * (y[i] + offset) * scale;
        }
    }
}
