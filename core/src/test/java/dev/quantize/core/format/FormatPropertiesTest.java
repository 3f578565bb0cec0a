package dev.quantize.core.format;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.quantize.core.kernel.Parallelism;
import dev.quantize.core.tensor.Shape;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

/** Properties every format must have, over odd shapes and every axis. */
class FormatPropertiesTest {
    private static final int[][] SHAPES = {{1}, {7}, {33}, {257}, {17, 7}, {7, 33}, {3, 17, 5}, {2, 1, 65}};

    private static List<NumericFormat> allFormats() {
        List<NumericFormat> out = new ArrayList<>(FormatRegistry.standard());
        for (String extra : List.of("mxfp8_e4m3:k16:rna", "mxfp4_e2m1:k64", "mxint8:rna", "mx6:k32", "mx4:rne",
                "int4_per_group:g16", "fp16:rna", "bf16:rna")) {
            out.add(FormatRegistry.parse(extra));
        }
        return out;
    }

    private static float[] gaussian(SplittableRandom rnd, int n, double scale) {
        float[] x = new float[n];
        for (int i = 0; i < n; i++) {
            x[i] = (float) (rnd.nextGaussian() * scale);
        }
        return x;
    }

    private static void assertSameValues(float[] expected, float[] actual, String what) {
        for (int i = 0; i < expected.length; i++) {
            float e = expected[i];
            float a = actual[i];
            boolean same = Float.isNaN(e) ? Float.isNaN(a) : Float.floatToRawIntBits(e) == Float.floatToRawIntBits(a);
            if (!same) {
                throw new AssertionError(what + ": element " + i + " expected " + e + " got " + a);
            }
        }
    }

    /** decode(encode(x)) equals the emulation bit for bit (sign of zero included), and the size is as announced. */
    @Test
    void encodeDecodeEqualsEmulation() {
        SplittableRandom rnd = new SplittableRandom(1);
        for (NumericFormat f : allFormats()) {
            for (int[] shape : SHAPES) {
                for (int axis = 0; axis < shape.length; axis++) {
                    float[] x = gaussian(rnd, Shape.size(shape), Math.scalb(1.0, rnd.nextInt(-10, 10)));
                    x[0] = -x[0] * 1e-30f; // a tiny negative value that rounds to a signed zero in most formats
                    float[] fake = f.quantizeDequantize(x, shape, axis);
                    PackedTensor p = f.encode(x, shape, axis);
                    String what = f.name() + " " + Arrays.toString(shape) + " axis " + axis;
                    assertEquals(f.packedBytes(shape, axis), p.bytes().length, what);
                    assertSameValues(fake, f.decode(p), what);
                }
            }
        }
    }

    /** Packed sizes match bits per element on a large aligned tensor (the artifact's size promise). */
    @Test
    void packedSizeMatchesBitsPerElement() {
        int[] shape = {64, 4096};
        for (NumericFormat f : allFormats()) {
            long bytes = f.packedBytes(shape, 1);
            double bits = 8.0 * bytes / Shape.size(shape);
            double expected = f instanceof RowwiseFormat r ? r.bits() + (r.bits() == 8 ? 64.0 : 32.0) / 4096 : f.bitsPerElement();
            if (f instanceof IntFormat i && i.granularity() != IntFormat.Granularity.PER_GROUP) {
                expected = i.bits() + (i.granularity() == IntFormat.Granularity.PER_CHANNEL ? 4096 : 1)
                        * (i.symmetric() ? 32.0 : 40.0) / Shape.size(shape);
            }
            assertEquals(expected, bits, 1e-9, f.name());
        }
    }

    /** Quantizing an already quantized tensor changes nothing (element and block formats), on normal-range data. */
    @Test
    void idempotent() {
        SplittableRandom rnd = new SplittableRandom(2);
        for (NumericFormat f : allFormats()) {
            for (int[] shape : SHAPES) {
                int axis = shape.length - 1;
                float[] x = gaussian(rnd, Shape.size(shape), 3.0);
                float[] once = f.quantizeDequantize(x, shape, axis);
                float[] twice = f.quantizeDequantize(once, shape, axis);
                if (f instanceof IntFormat || f instanceof RowwiseFormat) {
                    // Scales are recomputed from the quantized range and may move by an ulp; the codes may not move.
                    for (int i = 0; i < x.length; i++) {
                        assertEquals(once[i], twice[i], Math.ulp(once[i]) * 2 + 1e-30f, f.name() + " element " + i);
                    }
                } else {
                    assertSameValues(once, twice, f.name() + " " + Arrays.toString(shape));
                }
            }
        }
    }

    /** Element-wise formats are monotonic; block formats are monotonic inside a block whose maximum is fixed. */
    @Test
    void monotonic() {
        SplittableRandom rnd = new SplittableRandom(3);
        for (NumericFormat f : allFormats()) {
            int n = 64;
            float[] x = gaussian(rnd, n, 2.0);
            x[0] = 10f; // pins every block maximum (blocks of 16, 32, 64 all start at 0 or hold a 10 below)
            x[16] = 10f;
            x[32] = 10f;
            x[48] = 10f;
            float[] sorted = x.clone();
            Arrays.sort(sorted);
            if (f instanceof RowwiseFormat || f instanceof IntFormat) {
                sorted[n - 1] = 10f;
            }
            // sorting moves elements between blocks: compare each block separately by sorting within it
            int block = f instanceof MxFormat m ? m.blockSize() : f instanceof BdrFormat b ? b.blockSize() : n;
            if (f instanceof IntFormat i && i.granularity() == IntFormat.Granularity.PER_GROUP) {
                block = i.groupSize();
            }
            float[] within = x.clone();
            for (int s = 0; s < n; s += block) {
                Arrays.sort(within, s, Math.min(n, s + block));
            }
            float[] q = f.quantizeDequantize(within, new int[] {n}, 0);
            for (int i = 1; i < n; i++) {
                if (i % block != 0) {
                    assertTrue(q[i - 1] <= q[i], f.name() + ": not monotonic at " + i + ": " + q[i - 1] + " > " + q[i]);
                }
            }
        }
    }

    /** Section 3.2 and 4.2: one NaN or Inf makes the whole block NaN; zero blocks stay zero. */
    @Test
    void nonFiniteAndZeroBlocks() {
        for (String name : List.of("mxfp8_e4m3", "mxfp8_e5m2", "mxfp6_e3m2", "mxfp6_e2m3", "mxfp4_e2m1", "mxint8", "mx9", "mx6", "mx4")) {
            NumericFormat f = FormatRegistry.parse(name);
            int k = f instanceof MxFormat m ? m.blockSize() : ((BdrFormat) f).blockSize();
            for (float special : new float[] {Float.NaN, Float.POSITIVE_INFINITY, Float.NEGATIVE_INFINITY}) {
                float[] x = new float[3 * k];
                Arrays.fill(x, 1.5f);
                x[k + 3] = special;
                float[] q = f.quantizeDequantize(x, new int[] {3 * k}, 0);
                float[] d = f.decode(f.encode(x, new int[] {3 * k}, 0));
                for (int i = 0; i < 3 * k; i++) {
                    boolean inBlock = i >= k && i < 2 * k;
                    assertEquals(inBlock, Float.isNaN(q[i]), name + " element " + i + " with " + special);
                    assertEquals(inBlock, Float.isNaN(d[i]), name + " decoded element " + i + " with " + special);
                    if (!inBlock) {
                        assertEquals(1.5f, q[i], name);
                    }
                }
            }
            float[] zeros = new float[k];
            zeros[1] = -0f;
            float[] q = f.quantizeDequantize(zeros, new int[] {k}, 0);
            for (float v : q) {
                assertEquals(0f, v, 0f, name);
            }
        }
    }

    @Test
    void scalarSpecials() {
        NumericFormat sat = FormatRegistry.parse("fp8_e4m3");
        NumericFormat nosat = FormatRegistry.parse("fp8_e4m3_nosat");
        NumericFormat e5 = FormatRegistry.parse("fp8_e5m2_nosat");
        float[] x = {Float.NaN, Float.POSITIVE_INFINITY, -1e6f, 0f};
        float[] a = sat.quantizeDequantize(x, new int[] {4}, 0);
        float[] b = nosat.quantizeDequantize(x, new int[] {4}, 0);
        float[] c = e5.quantizeDequantize(x, new int[] {4}, 0);
        assertTrue(Float.isNaN(a[0]) && Float.isNaN(b[0]) && Float.isNaN(c[0]));
        assertEquals(448f, a[1]);
        assertEquals(-448f, a[2]);
        assertTrue(Float.isNaN(b[1]) && Float.isNaN(b[2]), "E4M3FN has no Inf: ONNX saturate=0 gives NaN");
        assertEquals(Float.POSITIVE_INFINITY, c[1]);
        assertEquals(Float.NEGATIVE_INFINITY, c[2]);
    }

    @Test
    void int8Conventions() {
        IntFormat sym = (IntFormat) FormatRegistry.parse("int8_per_tensor");
        float[] x = {-2.54f, 0f, 1.27f, 0.01f};
        float[] q = sym.quantizeDequantize(x, new int[] {4}, 0);
        float s = 2.54f / 127f;
        assertEquals(-127 * s, q[0]);
        assertEquals(64 * s, q[2]); // 1.27 / s = 63.5000..., in float32 rounds to 64
        assertEquals(0f, q[1]);
        assertEquals(0f, q[3]);
        IntFormat affine = (IntFormat) FormatRegistry.parse("int8_per_tensor_affine");
        IntFormat.Params p = affine.params(-1f, 3f);
        assertEquals(4f / 255f, p.scale());
        assertEquals(-128 + 64, p.zeroPoint()); // -128 - rne(-1 / (4/255)) = -128 + 64
        float[] zero = affine.quantizeDequantize(new float[] {-1f, 3f, 0f}, new int[] {3}, 0);
        assertEquals(0f, zero[2], "real zero is exactly representable");
        IntFormat perChannel = (IntFormat) FormatRegistry.parse("int8_per_channel");
        float[] w = {1f, 100f, -2f, 50f}; // (2 rows, 2 channels along axis 1)
        float[] wq = perChannel.quantizeDequantize(w, new int[] {2, 2}, 1);
        assertEquals(-2f, wq[2], 0f, "channel 0 has max |x| 2: -2 is exactly -127 steps");
        assertEquals(100f, wq[1], 0f);
    }

    /** BDR ties: 2.5 quanta rounds to 3 away from zero and to 2 to even; 1.5 to 2 either way. */
    @Test
    void bdrRoundingModes() {
        // block max 1.0 (E = 127, tau = 0): quantum 2^(1 - 4) = 1/8 for MX6 (m = 4)
        float[] x = new float[16];
        x[0] = 1f;
        x[1] = 1f;
        x[2] = 2.5f / 8;
        x[3] = 1f;
        x[4] = 1.5f / 8;
        x[5] = 1f;
        float[] away = FormatRegistry.parse("mx6").quantizeDequantize(x, new int[] {16}, 0);
        float[] even = FormatRegistry.parse("mx6:rne").quantizeDequantize(x, new int[] {16}, 0);
        assertEquals(3f / 8, away[2]);
        assertEquals(2f / 8, even[2]);
        assertEquals(2f / 8, away[4]);
        assertEquals(2f / 8, even[4]);
    }

    @Test
    void parallelEqualsSerial() {
        SplittableRandom rnd = new SplittableRandom(4);
        int[] shape = {37, 130};
        float[] x = gaussian(rnd, Shape.size(shape), 1.0);
        for (NumericFormat f : allFormats()) {
            for (int axis = 0; axis < 2; axis++) {
                float[] a = new float[x.length];
                float[] b = new float[x.length];
                f.quantizeDequantize(x, a, shape, axis, Parallelism.single());
                f.quantizeDequantize(x, b, shape, axis, Parallelism.of(3));
                assertSameValues(a, b, f.name());
            }
        }
    }

    @Test
    void registryNamesRoundTripAndBadNamesAreExplained() {
        for (NumericFormat f : allFormats()) {
            assertEquals(f.name(), FormatRegistry.parse(f.name()).name());
        }
        assertEquals("mxfp8_e4m3:k16:rna", FormatRegistry.parse("MXFP8_E4M3:rna:k16").name());
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> FormatRegistry.parse("mxfp5"));
        assertTrue(e.getMessage().contains("unknown format 'mxfp5'") && e.getMessage().contains("mxfp4_e2m1"));
        assertEquals("mx9:rne", FormatRegistry.parse("mx9:rne").name());
        assertThrows(IllegalArgumentException.class, () -> FormatRegistry.parse("int8_per_channel:rna"));
        assertThrows(IllegalArgumentException.class, () -> FormatRegistry.parse("int8:k16"));
        assertThrows(IllegalArgumentException.class, () -> FormatRegistry.parse("mxfp4_e2m1:k0"));
    }
}
