package dev.quantize.quantizer.search;

import dev.quantize.core.format.BdrFormat;
import dev.quantize.core.format.FormatRegistry;
import dev.quantize.core.format.MxFormat;
import dev.quantize.core.format.NumericFormat;
import dev.quantize.core.format.RowwiseFormat;
import dev.quantize.core.graph.Model;
import dev.quantize.core.graph.Node;
import dev.quantize.core.tensor.Tensor;
import dev.quantize.quantizer.plan.LayerPlan;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * The serve-time cost model: the estimated time per row of a plan served packed
 * ({@code PackedModel}, 1 thread, large batches), in units of one FP32 GEMM multiply-add of the
 * executor. Each layer is priced by the kernel it will run as ({@link ServeKernel}) from its work per
 * row ({@link LayerWork}); layers left in FP32 cost what they cost in the FP32 model, so a plan is
 * faster to serve than FP32 exactly when its cost is below the FP32 plan's.
 *
 * <p>The coefficients are relative rates measured on this project's kernels, not a roofline. Sources:
 * (a) an OpTimer profile per node of the samples DLRM at batch 1024, 1 thread, FP32 executor and
 * packed artifacts (int8 + rowwise_8bit, rowwise_4bit, MX, fp16, fp8), load ~4.5 on 2 vCPUs, where one
 * FP32 multiply-add of the executor's prepacked Gemm took 0.10-0.19 ns (BENCHMARKS.md, "Serve-time
 * cost model"); (b) the {@code quantize bench lowp} and {@code LowpKernelBenchmark} ratios of
 * BENCHMARKS.md ("Low-precision GEMM kernels", "Branch serveperf"). Single timings swing by up to 2x
 * on the shared machine, so only the orderings these numbers produce are relied on.
 */
final class ServeTime implements CostModel {
    /** FP32 Gemm/MatMul/Conv: the unit. A Relu after a Gemm is fused into it (core exec Fusion). */
    static final double FLOAT_MAC = 1.0;
    /**
     * Int8Gemm per multiply-add, plus per input element for quantizing the activations (the block
     * pass and the padded row tile): fits (a) top_mlp.0 52->64 2.6-2.9x and the 32->1 head 0.8x of FP32,
     * and (b) 1024x64x256 1.14-1.34x, 1024x64x32 1.05-1.12x, heads of 10-16 outputs 0.75-0.83x. The Relu is fused.
     */
    static final double INT8_MAC = 0.6;
    static final double INT8_QUANTIZE_INPUT = 6;
    /** DecodingGemm per multiply-add: (b) weight-only formats 0.85-1.0x of FP32 on most layers, one rate for all formats. */
    static final double DECODING_MAC = 1.05;
    /** A float elementwise node the packed graph does not fuse (the Relu after a PackedGemm), per element: (a) 3-6 ns. */
    static final double UNFUSED_ELEMENTWISE = 30;
    /** A FakeQuantize node per activation element: (a) MX 0.7-1.1 ns (about 8 units), FP16/FP8 scalar formats 5-8 ns. */
    static final double FAKE_QUANTIZE_BLOCK = 8;
    static final double FAKE_QUANTIZE_SCALAR = 40;
    /**
     * A table lookup per gathered row: a fixed part plus a part per byte read. (a) FP32 Gather + ReduceSum
     * of 16-wide rows (64 bytes) about 400 units a row, the 8-bit row-wise bag (16 code bytes + 8 bytes
     * of scale and bias) 1.6x faster, about 256: solved for the two coefficients.
     */
    static final double LOOKUP_ROW = 170;
    static final double LOOKUP_BYTE = 3.6;
    /** 4- and 2-bit row-wise rows take the scalar bag loop: (a) 4.7x the 8-bit bag on 16-wide rows, per element. */
    static final double SCALAR_BAG_ELEMENT = 70;

    private final Model model;
    private final Map<String, LayerWork> work;
    private final Map<String, Integer> readers = new HashMap<>();
    private final Map<String, String> soleReader = new HashMap<>();

    ServeTime(Model model, Map<String, LayerWork> work) {
        this.model = model;
        this.work = Map.copyOf(work);
        for (Node n : model.graph().nodes()) {
            for (String in : n.inputs()) {
                readers.merge(in, 1, Integer::sum);
                soleReader.put(in, n.opType());
            }
        }
        model.graph().outputs().forEach(o -> readers.merge(o.name(), 1, Integer::sum));
    }

    @Override
    public String name() {
        return "serve-time";
    }

    @Override
    public long of(LayerPlan layer) {
        return Math.round(time(layer));
    }

    /** The estimated time per row of one layer, in FP32 multiply-adds. */
    double time(LayerPlan layer) {
        LayerWork w = work.getOrDefault(layer.node(), LayerWork.NONE);
        Node n = model.graph().nodesByDisplayName().get(layer.node());
        ServeKernel kernel = ServeKernel.of(model, layer);
        double t = switch (kernel) {
            case INT8_GEMM -> INT8_MAC * w.macs() + INT8_QUANTIZE_INPUT * w.inputs();
            case DECODING_GEMM -> DECODING_MAC * w.macs() + (reluAfter(n) ? UNFUSED_ELEMENTWISE * w.outputs() : 0);
            case ROWWISE_BAG -> w.inputs() * rowwiseRow((RowwiseFormat) FormatRegistry.parse(layer.weightFormat()), dim(layer));
            case FLOAT, DECODED_AT_LOAD -> n.opType().equals("Gather")
                    ? w.inputs() * (LOOKUP_ROW + LOOKUP_BYTE * 4 * dim(layer))
                    : FLOAT_MAC * w.macs() + (reluAfter(n) && !n.opType().equals("Gemm") ? UNFUSED_ELEMENTWISE * w.outputs() : 0);
        };
        if (ServeKernel.fakeQuantizedActivations(kernel, layer)) {
            t += fakeQuantize(layer.activationFormat()) * w.inputs();
        }
        return t;
    }

    private static double rowwiseRow(RowwiseFormat f, int dim) {
        return f.bits() == 8 ? LOOKUP_ROW + LOOKUP_BYTE * f.rowBytes(dim) : LOOKUP_ROW + SCALAR_BAG_ELEMENT * dim;
    }

    private static double fakeQuantize(String format) {
        NumericFormat f = FormatRegistry.parse(format);
        return f instanceof MxFormat || f instanceof BdrFormat ? FAKE_QUANTIZE_BLOCK : FAKE_QUANTIZE_SCALAR;
    }

    /** Row width of the layer's table. */
    private int dim(LayerPlan layer) {
        Tensor t = model.graph().initializers().get(layer.weight());
        return t == null || t.rank() < 2 ? 1 : t.shape()[t.rank() - 1];
    }

    /** Whether the node's only reader is a Relu (which a fusing kernel absorbs). */
    private boolean reluAfter(Node n) {
        List<String> outs = n.outputs();
        return outs.size() == 1 && readers.getOrDefault(outs.get(0), 0) == 1 && "Relu".equals(soleReader.get(outs.get(0)));
    }
}
