package dev.quantize.quantizer.emulate;

import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.quantize.core.format.FormatRegistry;
import dev.quantize.core.format.NumericFormat;
import dev.quantize.core.graph.Attribute;
import dev.quantize.core.graph.Node;
import dev.quantize.core.kernel.Parallelism;
import dev.quantize.core.tensor.Tensor;
import java.util.List;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

class FakeQuantizerTest {
    /** What the artifact stores decodes to exactly what emulation computed, for every format. */
    @Test
    void unpackOfPackEqualsEmulation() {
        Node gemm = new Node("g", "Gemm", List.of("x", "w", "b"), List.of("y"), List.of(Attribute.of("transB", 1L)));
        SplittableRandom rnd = new SplittableRandom(3);
        float[] w = new float[37 * 70];
        for (int i = 0; i < w.length; i++) {
            w[i] = (float) (rnd.nextGaussian() * 0.05);
        }
        Tensor weight = Tensor.ofFloats(new int[] {37, 70}, w);
        LayerAxes axes = LayerAxes.weight(gemm, 1, 2);
        assertEquals(new LayerAxes(1, 0), axes, "W is (out, in) with transB: reduce along in, channels along out");
        for (NumericFormat f : FormatRegistry.standard()) {
            FakeQuantizer q = new FakeQuantizer(f.name());
            float[] emulated = q.apply(weight, axes, null, Parallelism.single()).floats();
            float[] unpacked = q.unpack(q.pack(weight, axes)).floats();
            for (int i = 0; i < w.length; i++) {
                assertEquals(Float.floatToIntBits(emulated[i]), Float.floatToIntBits(unpacked[i]), f.name() + " element " + i);
            }
        }
    }
}
