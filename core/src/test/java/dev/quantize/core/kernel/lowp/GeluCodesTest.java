package dev.quantize.core.kernel.lowp;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.quantize.core.exec.ops.SpecialFunctions;
import dev.quantize.core.format.FormatRegistry;
import dev.quantize.core.format.IntFormat;
import dev.quantize.core.kernel.FloatLoops;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;

/** The GELU code table against the float chain it replaces (divide, erf, add, multiply, multiply, quantize). */
class GeluCodesTest {
    static {
        SpecialFunctions.erfFloat(0f); // fits Erf
    }

    private static final float SQRT2 = 1.4142135f;

    /** Activation quantizers of the kinds the shared MLPs calibrate: wide and narrow, symmetric and affine. */
    static List<Int8Gemm.Activation> activations() {
        List<Int8Gemm.Activation> out = new ArrayList<>();
        IntFormat sym = (IntFormat) FormatRegistry.parse("int8_per_tensor");
        IntFormat aff = (IntFormat) FormatRegistry.parse("int8_per_tensor_affine");
        float[][] ranges = {{-0.17f, 4.1f}, {-0.3f, 11.5f}, {-0.17f, 0.9f}, {-2f, 2f}, {-0.05f, 25f}};
        for (float[] r : ranges) {
            out.add(Int8Gemm.Activation.of(sym, sym.params(r[0], r[1])));
            out.add(Int8Gemm.Activation.of(aff, aff.params(r[0], r[1])));
        }
        return out;
    }

    /** The executor's fused GELU, then the activation quantization, one value at a time. */
    static float chain(float y, float divisor, Int8Gemm.Activation act) {
        float[] v = {y};
        float[] e = new float[1];
        FloatLoops.divide(v, 0, divisor, e, 0, 1);
        SpecialFunctions.erfFloat(e, 0, e, 0, 1);
        FloatLoops.timesShifted(v, e, 0, 1, 1f, 0.5f);
        return Int8Gemm.quantize(e[0], act.scale(), act.zeroPoint(), act.qmin(), act.qmax());
    }

    @Test
    void exactIsTheExecutorsChain() {
        Random rnd = new Random(3);
        Int8Gemm.Activation act = activations().get(1);
        GeluCodes g = GeluCodes.of(SQRT2, act);
        for (int i = 0; i < 20_000; i++) {
            float y = (float) (rnd.nextGaussian() * 3);
            assertEquals(chain(y, SQRT2, act), g.exact(y), "y = " + y);
        }
    }

    /** The fast GELU stays within MAX_ERROR of the chain's gelu: dense grids and random values. */
    @Test
    void cheapGeluStaysWithinItsStatedErrorOfTheChain() {
        Random rnd = new Random(2);
        int n = 1 << 22;
        double worst = 0;
        for (float divisor : new float[] {SQRT2, 1.7f}) {
            for (int pass = 0; pass < 4; pass++) {
                float[] y = new float[n];
                for (int i = 0; i < n; i++) {
                    y[i] = switch (pass) {
                        case 0 -> -12f + 24f * i / n;
                        case 1 -> (float) (rnd.nextGaussian() * 3);
                        case 2 -> -1f + 2f * i / n;
                        default -> (float) (rnd.nextGaussian() * 0.01);
                    };
                }
                float[] e = new float[n];
                FloatLoops.divide(y, 0, divisor, e, 0, n);
                SpecialFunctions.erfFloat(e, 0, e, 0, n);
                FloatLoops.timesShifted(y, e, 0, n, 1f, 0.5f);
                for (int i = 0; i < n; i++) {
                    worst = Math.max(worst, Math.abs((double) cheap(y[i], 1f / divisor) - e[i]));
                }
            }
        }
        assertTrue(worst <= GeluCodes.MAX_ERROR, "largest difference " + worst);
        assertTrue(worst > GeluCodes.MAX_ERROR / 8, "the bound is not loose by more than 8x: " + worst);
    }

    /** GeluCodes.plainCodes's g~, written out. */
    private static float cheap(float v, float invD) {
        float x = Math.abs(v) * invD;
        float p = Math.fma(GeluCodes.A6, x, GeluCodes.A5);
        p = Math.fma(p, x, GeluCodes.A4);
        p = Math.fma(p, x, GeluCodes.A3);
        p = Math.fma(p, x, GeluCodes.A2);
        p = Math.fma(p, x, GeluCodes.A1);
        p = Math.fma(p, x, 1f);
        float p2 = p * p;
        float p4 = p2 * p2;
        float p8 = p4 * p4;
        float r = v * 0.5f / (p8 * p8);
        return v < 0f ? r : v - r;
    }

    /** Every float of the chain's code boundaries: where quantize(gelu(y)) changes, found by bisection. */
    private static List<Float> boundaries(float divisor, Int8Gemm.Activation act) {
        List<Float> out = new ArrayList<>();
        float h = act.scale() / 4;
        for (float y = -6f; y < (act.qmax() - act.zeroPoint() + 2) * act.scale(); y += h) {
            float a = y;
            float b = y + h;
            if (chain(a, divisor, act) == chain(b, divisor, act)) {
                continue;
            }
            int ka = key(a);
            int kb = key(b);
            while (kb - ka > 1) {
                int mid = (int) (((long) ka + kb) >> 1);
                if (chain(value(mid), divisor, act) == chain(a, divisor, act)) {
                    ka = mid;
                } else {
                    kb = mid;
                }
            }
            out.add(value(kb));
        }
        return out;
    }

    private static int key(float f) {
        int b = Float.floatToRawIntBits(f);
        return b < 0 ? b ^ 0x7fffffff : b;
    }

    private static float value(int key) {
        return Float.intBitsToFloat(key < 0 ? key ^ 0x7fffffff : key);
    }

    /**
     * The codes equal the chain's bit for bit: on every float within 2^9 ulp of each boundary (and
     * sparser out to 2^14), random values, and special values, through the vector and plain loops.
     */
    @Test
    void codesEqualTheChainAroundEveryBoundaryAndOnRandomValues() {
        Random rnd = new Random(7);
        long checked = 0;
        long viaChain = 0;
        for (float divisor : new float[] {SQRT2, 1.7f}) {
            for (Int8Gemm.Activation act : activations()) {
                GeluCodes g = GeluCodes.of(divisor, act);
                List<Float> ys = new ArrayList<>();
                for (float e : boundaries(divisor, act)) {
                    int k = key(e);
                    for (int d = -16384; d <= 16384; d += (Math.abs(d) < 512 ? 1 : 61)) {
                        ys.add(value(k + d));
                    }
                }
                for (int i = 0; i < 50_000; i++) {
                    ys.add((float) (rnd.nextGaussian() * 2));
                    ys.add(-8f + 30f * rnd.nextFloat());
                }
                for (float s : new float[] {Float.NaN, Float.POSITIVE_INFINITY, Float.NEGATIVE_INFINITY, 0f, -0f,
                    Float.MIN_VALUE, -Float.MIN_VALUE, Float.MAX_VALUE, -Float.MAX_VALUE, -0.5317f * divisor, 1e9f, -1e9f}) {
                    ys.add(s);
                }
                float[] y = new float[ys.size()];
                for (int i = 0; i < y.length; i++) {
                    y[i] = ys.get(i);
                }
                float[] got = new float[y.length + 3];
                viaChain += g.codes(y, 0, y.length, got, 3);
                float[] plain = new float[y.length];
                int[] near = new int[y.length];
                int plainNear = g.plainCodes(y, 0, y.length, plain, 0, near, 0, 0);
                float[] fixed = g.chain(y);
                for (int i = 0; i < y.length; i++) {
                    float want = chain(y[i], divisor, act);
                    if (want != got[i + 3] || want != fixed[i]) {
                        throw new AssertionError("divisor " + divisor + " " + act + " y = " + y[i] + ": codes "
                                + got[i + 3] + ", chain " + want);
                    }
                }
                for (int j = 0, next = 0; j < y.length; j++) {
                    boolean flagged = next < plainNear && near[next] == j;
                    if (flagged) {
                        next++;
                    } else {
                        assertEquals(chain(y[j], divisor, act), plain[j], "plain loop, y = " + y[j]);
                    }
                }
                checked += y.length;
            }
        }
        assertTrue(checked > 3_000_000, "values checked: " + checked);
        assertTrue(viaChain > 0, "values near boundaries went through the chain");
    }

    /** On LayerNorm-like values only a small share goes through the chain (about 2 guard of them). */
    @Test
    void fewValuesGoThroughTheChain() {
        Random rnd = new Random(4);
        float[] y = new float[1 << 16];
        for (int i = 0; i < y.length; i++) {
            y[i] = (float) (rnd.nextGaussian() * 1.3 + 0.1);
        }
        Int8Gemm.Activation act = activations().get(0); // s = 0.032
        int count = GeluCodes.of(SQRT2, act).codes(y, 0, y.length, new float[y.length], 0);
        assertTrue(count > 0 && count < y.length / 200, "through the chain: " + count + " of " + y.length);
    }

    @Test
    void refusesScalesThatNeedTooLargeATable() {
        IntFormat sym = (IntFormat) FormatRegistry.parse("int8_per_tensor");
        Int8Gemm.Activation tiny = Int8Gemm.Activation.of(sym, sym.params(-0.01f, 0.01f));
        assertThrows(IllegalArgumentException.class, () -> GeluCodes.of(SQRT2, tiny));
        assertThrows(IllegalArgumentException.class, () -> GeluCodes.of(0f, activations().get(0)));
    }
}
