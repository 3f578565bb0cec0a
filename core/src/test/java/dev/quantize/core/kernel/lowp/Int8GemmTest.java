package dev.quantize.core.kernel.lowp;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.quantize.core.format.FormatRegistry;
import dev.quantize.core.format.IntFormat;
import dev.quantize.core.format.PackedTensor;
import dev.quantize.core.kernel.Gemm;
import dev.quantize.core.kernel.Parallelism;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;

class Int8GemmTest {
    private static final int[] SIZES = {1, 7, 17, 33, 257};
    private static final IntFormat WEIGHT_CHANNEL = (IntFormat) FormatRegistry.parse("int8_per_channel");
    private static final IntFormat ACT_SYMMETRIC = (IntFormat) FormatRegistry.parse("int8_per_tensor");
    private static final IntFormat ACT_AFFINE = (IntFormat) FormatRegistry.parse("int8_per_tensor_affine");

    private static List<Int8Kernels> implementations() {
        List<Int8Kernels> list = new ArrayList<>();
        list.add(Int8KernelsProvider.scalar());
        Int8Kernels vector = Int8KernelsProvider.vectorOrNull();
        if (vector != null) {
            list.add(vector);
        }
        return list;
    }

    /** One problem: a weight quantized per channel as the artifact stores it, activations, bias. */
    private record Case(int m, int n, int k, boolean transB, float[] x, PackedTensor w, float[] bias,
                        Int8Gemm.Activation act, IntFormat actFormat, IntFormat.Params actParams, boolean relu) {
    }

    private static Case makeCase(Random rnd, int m, int n, int k, boolean transB, boolean affine, boolean withBias,
                                 boolean relu) {
        float[] wf = new float[n * k];
        for (int i = 0; i < wf.length; i++) {
            // Per-column magnitudes differ so per-channel scales matter.
            int col = transB ? i / k : i % n;
            wf[i] = (float) (rnd.nextGaussian() * (0.05 + 0.02 * (col % 7)));
        }
        int[] shape = transB ? new int[] {n, k} : new int[] {k, n};
        PackedTensor w = WEIGHT_CHANNEL.encode(wf, shape, transB ? 0 : 1);
        float[] x = new float[m * k];
        for (int i = 0; i < x.length; i++) {
            x[i] = (float) (rnd.nextGaussian() * 1.5 + (affine ? 0.7 : 0.0));
        }
        // A calibrated range narrower than the data, so that clamping happens.
        IntFormat actFormat = affine ? ACT_AFFINE : ACT_SYMMETRIC;
        IntFormat.Params p = actFormat.params(affine ? -1.2f : -3.1f, affine ? 4.3f : 3.1f);
        float[] bias = null;
        if (withBias) {
            bias = new float[n];
            for (int j = 0; j < n; j++) {
                bias[j] = (float) rnd.nextGaussian();
            }
        }
        return new Case(m, n, k, transB, x, w, bias, Int8Gemm.Activation.of(actFormat, p), actFormat, p, relu);
    }

    private static List<Case> oddShapes() {
        Random rnd = new Random(11);
        List<Case> cases = new ArrayList<>();
        int i = 0;
        for (int m : SIZES) {
            for (int n : SIZES) {
                for (int k : SIZES) {
                    if (m == 257 && n == 257 && k == 257 && i % 2 == 1) {
                        continue;
                    }
                    cases.add(makeCase(rnd, m, n, k, i % 2 == 0, i % 3 == 0, i % 4 != 1, i % 5 < 2));
                    i++;
                }
            }
        }
        // Deeper than one exact float block (KC = 1024): blocks are added as int32.
        cases.add(makeCase(rnd, 9, 50, 1500, true, true, true, false));
        cases.add(makeCase(rnd, 17, 33, 2100, false, false, true, true));
        // Narrow weights (N <= one vector) use the narrow micro-tile; also deeper than KC.
        cases.add(makeCase(rnd, 19, 16, 1100, true, true, true, true));
        cases.add(makeCase(rnd, 300, 10, 64, true, false, true, false));
        // Short last tiles of 2..4 rows take the 4-row tiles, of one row the one-row tiles (odd and even K).
        cases.add(makeCase(rnd, 3, 50, 41, true, true, true, false));
        cases.add(makeCase(rnd, 12, 60, 70, false, false, true, true));
        cases.add(makeCase(rnd, 2, 9, 33, true, false, true, true));
        cases.add(makeCase(rnd, 1, 100, 1000, true, true, false, false));
        cases.add(makeCase(rnd, 1, 12, 1023, false, true, true, true));
        return cases;
    }

    /** Sliver widths: one vector for a head, else two or three vectors, whichever pads less (the cases above cover each). */
    @Test
    void sliverWidthPadsTheLeast() {
        Int8Kernels vector = Int8KernelsProvider.vectorOrNull();
        if (vector == null || vector.narrowNr() != 16) {
            return; // widths below are those of 16-lane vectors
        }
        int[][] want = {{1, 16}, {16, 16}, {17, 32}, {33, 48}, {48, 48}, {50, 32}, {64, 32}, {100, 32}, {144, 48},
            {256, 32}, {257, 48}};
        for (int[] w : want) {
            assertEquals(w[1], vector.nrFor(w[0]), "N = " + w[0]);
        }
        assertEquals(16, new ScalarInt8Kernels().nrFor(64));
    }

    @Test
    void kernelsMatchTheIntegerReferenceBitForBit() {
        for (Case c : oddShapes()) {
            float[] expected = new float[c.m * c.n];
            for (Int8Kernels impl : implementations()) {
                Int8Gemm.Weights w = prepack(c, impl);
                Int8Gemm.reference(w, c.x, c.m, c.act, c.bias, c.relu, expected);
                for (Parallelism par : new Parallelism[] {Parallelism.single(), Parallelism.of(2)}) {
                    float[] y = new float[c.m * c.n];
                    java.util.Arrays.fill(y, Float.NaN);
                    Int8Gemm.run(w, c.x, c.m, c.act, c.bias, c.relu, y, par, impl);
                    assertArrayEquals(expected, y, 0f, () -> describe(c, impl));
                }
            }
        }
    }

    /** The reference itself, against a direct computation from the artifact's bytes and IntFormat.quantize. */
    @Test
    void referenceIsTheRequantizedIntegerProduct() {
        Random rnd = new Random(5);
        Case c = makeCase(rnd, 7, 17, 33, true, true, true, false);
        Int8Gemm.Weights w = Int8Gemm.prepack(c.w, true);
        float[] wDeq = WEIGHT_CHANNEL.decode(c.w);
        float[] y = new float[c.m * c.n];
        Int8Gemm.reference(w, c.x, c.m, c.act, c.bias, false, y);
        for (int i = 0; i < c.m; i++) {
            for (int j = 0; j < c.n; j++) {
                long acc = 0;
                for (int p = 0; p < c.k; p++) {
                    int q = c.actFormat.quantize(c.x[i * c.k + p], c.actParams) - c.actParams.zeroPoint();
                    int code = Math.round(wDeq[j * c.k + p] / w.scale(j));
                    assertEquals(wDeq[j * c.k + p], code * w.scale(j), 0f);
                    acc += (long) q * code;
                }
                float expected = (float) acc * (c.actParams.scale() * w.scale(j)) + c.bias[j];
                assertEquals(expected, y[i * c.n + j], 0f);
            }
        }
    }

    /**
     * Against the emulation: fake-quantized x (IntFormat quantize then dequantize, as the activation fake
     * quantizer does) times the decoded weight through the FP32 GEMM, plus bias. Bound: with u = 2^-24,
     * the emulation rounds each dequantized x' and w' (relative u each) and each product and partial sum
     * (at most K roundings of partial sums bounded by S = sum_k |x'w'|), so it is within (K + 3) u S of the
     * exact sum; the kernel is exact up to the float conversion of the accumulator, the rounded combined
     * scale and their product (3 u |exact|); both round the bias addition once (u of |result| <= S + |b|).
     * Summing with margin for second-order terms: |emulated - kernel| <= (K + 10) u (S + |b|). ReLU is
     * 1-Lipschitz, so it keeps the bound.
     */
    @Test
    void agreesWithFloatEmulationWithinTheDerivedBound() {
        double worst = 0;
        int differing = 0;
        for (Case c : oddShapes()) {
            float[] xq = new float[c.x.length];
            for (int i = 0; i < xq.length; i++) {
                xq[i] = c.actFormat.dequantize(c.actFormat.quantize(c.x[i], c.actParams), c.actParams);
            }
            float[] wDeq = WEIGHT_CHANNEL.decode(c.w);
            float[] emu = new float[c.m * c.n];
            Gemm.gemm(false, c.transB, c.m, c.n, c.k, 1f, xq, 0, c.k, wDeq, 0, c.transB ? c.k : c.n, 0f, emu, 0, c.n,
                    Parallelism.single());
            float[] y = new float[c.m * c.n];
            Int8Gemm.run(Int8Gemm.prepack(c.w, c.transB), c.x, c.m, c.act, c.bias, c.relu, y, Parallelism.single());
            for (int i = 0; i < c.m; i++) {
                for (int j = 0; j < c.n; j++) {
                    double s = 0;
                    for (int p = 0; p < c.k; p++) {
                        float wv = c.transB ? wDeq[j * c.k + p] : wDeq[p * c.n + j];
                        s += Math.abs((double) xq[i * c.k + p] * wv);
                    }
                    double b = c.bias == null ? 0 : c.bias[j];
                    float e = c.bias == null ? emu[i * c.n + j] : emu[i * c.n + j] + c.bias[j];
                    if (c.relu) {
                        e = Math.max(e, 0f);
                    }
                    double bound = (c.k + 10) * 0x1p-24 * (s + Math.abs(b));
                    double diff = Math.abs(e - y[i * c.n + j]);
                    assertTrue(diff <= bound, describe(c, null) + " at (" + i + "," + j + "): emulated " + e
                            + " kernel " + y[i * c.n + j] + " differ by " + diff + " > bound " + bound);
                    if (bound > 0) {
                        worst = Math.max(worst, diff / bound);
                    }
                    differing += diff > 0 ? 1 : 0;
                }
            }
        }
        // The comparison is not vacuous: float emulation does round differently somewhere.
        assertTrue(differing > 0, "expected the float emulation to differ somewhere");
        System.out.printf("int8 GEMM vs emulation: %d outputs differ, worst at %.3f of the bound%n", differing, worst);
    }

    @Test
    void vectorQuantizationMatchesIntFormatOnSpecialValues() {
        float s = 0.05f;
        float[] x = {Float.NaN, Float.POSITIVE_INFINITY, Float.NEGATIVE_INFINITY, -0f, 0f, 1e30f, -1e30f,
            Float.MIN_VALUE, 0.025f, -0.025f, 0.075f, -0.075f, 0.125f, 6.35f, 6.4f, -6.4f, -6.45f, 3e5f, -3e5f,
            5e6f, -5e6f, 0.02499999f, 1.2345f, -7.77f, 0.1f, 0.15f, 0.175f, -0.175f, 2.5e-3f, 8388609f, 1f, -1f};
        for (IntFormat f : new IntFormat[] {ACT_SYMMETRIC, ACT_AFFINE}) {
            for (int zp : f.symmetric() ? new int[] {0} : new int[] {-128, -3, 0, 77, 127}) {
                IntFormat.Params p = new IntFormat.Params(s, zp);
                Int8Gemm.Activation act = Int8Gemm.Activation.of(f, p);
                for (Int8Kernels impl : implementations()) {
                    float[] q = new float[x.length];
                    impl.quantize(x.length, x, 0, s, zp, act.qmin(), act.qmax(), q, 0);
                    for (int i = 0; i < x.length; i++) {
                        assertEquals(f.quantize(x[i], p), q[i], 0f, impl.name() + " x=" + x[i] + " zp=" + zp);
                    }
                }
            }
        }
    }

    @Test
    void refusesWeightsItCannotRun() {
        float[] wf = new float[12];
        PackedTensor affine = FormatRegistry.parse("int8_per_channel_affine").encode(wf, new int[] {3, 4}, 0);
        assertThrows(IllegalArgumentException.class, () -> Int8Gemm.prepack(affine, true));
        PackedTensor mx = FormatRegistry.parse("mxint8").encode(wf, new int[] {3, 4}, 1);
        assertThrows(IllegalArgumentException.class, () -> Int8Gemm.prepack(mx, true));
        PackedTensor wrongAxis = WEIGHT_CHANNEL.encode(wf, new int[] {3, 4}, 1);
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> Int8Gemm.prepack(wrongAxis, true));
        assertTrue(e.getMessage().contains("axis 1"), e.getMessage());
        assertThrows(IllegalArgumentException.class, () -> new Int8Gemm.Activation(0.1f, 130, -128, 127));
        Int8Gemm.Weights w = Int8Gemm.prepack(WEIGHT_CHANNEL.encode(wf, new int[] {3, 4}, 0), true);
        Int8Gemm.Activation act = new Int8Gemm.Activation(0.1f, 0, -127, 127);
        assertThrows(IllegalArgumentException.class,
                () -> Int8Gemm.run(w, new float[8], 2, act, new float[2], false, new float[6], Parallelism.single()));
    }

    @Test
    void perTensorWeightsUseOneScale() {
        Random rnd = new Random(3);
        float[] wf = new float[17 * 33];
        for (int i = 0; i < wf.length; i++) {
            wf[i] = (float) rnd.nextGaussian();
        }
        IntFormat perTensor = (IntFormat) FormatRegistry.parse("int8_per_tensor");
        PackedTensor packed = perTensor.encode(wf, new int[] {33, 17}, 1);
        Int8Gemm.Weights w = Int8Gemm.prepack(packed, false);
        float[] dec = perTensor.decode(packed);
        for (int p = 0; p < 33; p++) {
            for (int j = 0; j < 17; j++) {
                assertEquals(dec[p * 17 + j], w.code(p, j) * w.scale(j), 0f);
            }
        }
    }

    /**
     * The prologues the packed MLPs use: GELU then LayerNorm (GELU cheap or exact), LayerNorm (decomposed
     * or the ONNX op) then GELU codes, GELU codes alone, the ONNX LayerNorm without beta then quantization.
     */
    private static List<Int8Gemm.Prologue> prologues(int k, Int8Gemm.Activation act, Random rnd) {
        dev.quantize.core.exec.ops.SpecialFunctions.erfFloat(0f); // fits Erf
        float[] gamma = new float[k];
        float[] beta = new float[k];
        for (int i = 0; i < k; i++) {
            gamma[i] = (float) (0.5 + rnd.nextDouble());
            beta[i] = (float) (rnd.nextGaussian() * 0.3);
        }
        Int8Gemm.LayerNormStep ln = new Int8Gemm.LayerNormStep(gamma, beta, 1e-5f);
        GeluCodes codes = GeluCodes.of(1.4142135f, act);
        return List.of(
                new Int8Gemm.Prologue(List.of(new Int8Gemm.GeluStep(1.4142135f, true), ln), null),
                new Int8Gemm.Prologue(List.of(new Int8Gemm.GeluStep(1.4142135f, false), ln), null),
                new Int8Gemm.Prologue(List.of(ln), codes),
                new Int8Gemm.Prologue(List.of(new Int8Gemm.OnnxLayerNormStep(gamma, beta, 1e-5f)), codes),
                new Int8Gemm.Prologue(List.of(new Int8Gemm.OnnxLayerNormStep(gamma, null, 1e-3f)), null),
                new Int8Gemm.Prologue(List.of(), codes));
    }

    /** With a prologue (row steps, then quantization or GELU codes), both kernels equal the reference bit for bit. */
    @Test
    void prologuesMatchTheReferenceBitForBit() {
        Random rnd = new Random(19);
        int checked = 0;
        for (int m : SIZES) {
            for (int[] nk : new int[][] {{10, 256}, {33, 64}, {257, 17}, {7, 33}}) {
                Case c = makeCase(rnd, m, nk[0], nk[1], m % 2 == 1, m % 3 == 0, true, false);
                for (Int8Gemm.Prologue pre : prologues(c.k, c.act, rnd)) {
                    float[] expected = new float[c.m * c.n];
                    for (Int8Kernels impl : implementations()) {
                        Int8Gemm.Weights w = prepack(c, impl);
                        Int8Gemm.reference(w, c.x, c.m, c.act, pre, c.bias, c.relu, expected);
                        for (Parallelism par : new Parallelism[] {Parallelism.single(), Parallelism.of(2)}) {
                            float[] y = new float[c.m * c.n];
                            java.util.Arrays.fill(y, Float.NaN);
                            Int8Gemm.run(w, c.x, c.m, c.act, pre, c.bias, c.relu, y, par, impl);
                            assertArrayEquals(expected, y, 0f, () -> describe(c, impl) + " prologue " + pre.steps());
                            checked++;
                        }
                    }
                }
            }
        }
        assertTrue(checked >= 5 * 4 * 6 * 2, "runs checked: " + checked);
    }

    /** GELU codes for another activation than the layer's are refused. */
    @Test
    void prologueCodesMustBeForTheLayersActivation() {
        Random rnd = new Random(3);
        Case c = makeCase(rnd, 3, 5, 7, true, false, true, false);
        Case other = makeCase(rnd, 3, 5, 7, true, true, true, false);
        Int8Gemm.Prologue pre = prologues(c.k, other.act, rnd).get(3);
        assertThrows(IllegalArgumentException.class, () -> Int8Gemm.run(Int8Gemm.prepack(c.w, true), c.x, c.m, c.act, pre,
                c.bias, false, new float[c.m * c.n], Parallelism.single()));
    }

    private static Int8Gemm.Weights prepack(Case c, Int8Kernels impl) {
        Int8Gemm.Weights fromArtifact = Int8Gemm.prepack(c.w, c.transB);
        // Re-prepack the same codes for the kernels under test (their sliver width may differ).
        byte[] codes = new byte[c.n * c.k];
        float[] scales = new float[c.n];
        for (int j = 0; j < c.n; j++) {
            scales[j] = fromArtifact.scale(j);
            for (int p = 0; p < c.k; p++) {
                codes[c.transB ? j * c.k + p : p * c.n + j] = (byte) fromArtifact.code(p, j);
            }
        }
        return Int8Gemm.prepack(codes, scales, c.k, c.n, c.transB, impl);
    }

    private static String describe(Case c, Int8Kernels impl) {
        return (impl == null ? "" : impl.name() + " ") + "M=" + c.m + " N=" + c.n + " K=" + c.k + (c.transB ? " transB" : "")
                + (c.bias != null ? " bias" : "") + (c.relu ? " relu" : "") + " zp=" + c.act.zeroPoint();
    }
}
