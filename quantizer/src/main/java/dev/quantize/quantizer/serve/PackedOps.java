package dev.quantize.quantizer.serve;

import dev.quantize.core.exec.ops.OpContext;
import dev.quantize.core.exec.ops.OpRegistry;
import dev.quantize.core.exec.ops.TensorData;
import dev.quantize.core.graph.Node;
import dev.quantize.core.kernel.lowp.DecodingGemm;
import dev.quantize.core.kernel.lowp.Int8Gemm;
import dev.quantize.core.kernel.lowp.RowwiseEmbeddingBag;
import dev.quantize.core.tensor.DataType;
import dev.quantize.core.tensor.Tensor;
import dev.quantize.quantizer.emulate.FakeQuantizer;
import dev.quantize.quantizer.emulate.LayerAxes;
import dev.quantize.quantizer.plan.ActivationRange;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * The ops of a packed model, in domain {@value #DOMAIN}. Each rewritten node finds its packed
 * weights here by node name (not through FP32 initializers): one table per model, filled by
 * {@link PackedRewrite}. The kernels themselves live in {@code core.kernel.lowp} and know nothing of
 * graphs.
 */
final class PackedOps {
    static final String DOMAIN = "dev.quantize";
    static final String EMBEDDING_BAG = "PackedEmbeddingBag";
    static final String FAKE_QUANTIZE = "FakeQuantize";
    static final String INT8_GEMM = "Int8Gemm";
    static final String DECODING_GEMM = "PackedGemm";

    /**
     * A row-wise table looked up by index tensors of any rank: {@code bagAxis} is the index axis pooled
     * over (-1: none, a plain Gather), {@code keepDims} whether the pooled axis stays as size 1.
     */
    record Bag(RowwiseEmbeddingBag.Table table, RowwiseEmbeddingBag.Pooling pooling, boolean pooled, boolean keepDims) {
    }

    /** Fake quantization of one activation input of a layer, exactly as {@code PlanInterceptor} applies it. */
    record Quantize(FakeQuantizer quantizer, Node layer, int inputIndex, ActivationRange range) {
    }

    /**
     * An INT8 layer: weights prepacked once at load, the static activation quantization, the LayerNorm
     * and GELU fused in front of it (null: the input is quantized as it comes), the bias (N) or null, and
     * whether a following Relu is fused into the output.
     */
    record Int8(Int8Gemm.Weights weights, Int8Gemm.Activation activation, Int8Gemm.Prologue prologue, float[] bias,
                boolean relu) {
    }

    /** A weight-only layer: the packed weight decoded a panel at a time, and the bias (N) or null. */
    record Decoding(DecodingGemm.Weights weights, float[] bias) {
    }

    private final Map<String, Decoding> decoding = new HashMap<>();
    private final Map<String, Bag> bags = new HashMap<>();
    private final Map<String, Int8> int8 = new HashMap<>();
    private final Map<String, Quantize> quantizers = new HashMap<>();

    void addBag(String node, Bag bag) {
        bags.put(node, bag);
    }

    void addInt8(String node, Int8 layer) {
        int8.put(node, layer);
    }

    void addDecoding(String node, Decoding layer) {
        decoding.put(node, layer);
    }

    /** The INT8 layer run by a node, or null. */
    Int8 int8(String node) {
        return int8.get(node);
    }

    void addQuantize(String node, Quantize q) {
        quantizers.put(node, q);
    }

    /** A copy of the standard registry with this model's packed ops. */
    OpRegistry registry() {
        OpRegistry r = OpRegistry.standardCopy();
        r.register(DOMAIN, EMBEDDING_BAG, 1, (ctx, in) -> List.of(bag(ctx, bags.get(ctx.node().name()), in.get(0))));
        r.register(DOMAIN, FAKE_QUANTIZE, 1, (ctx, in) -> List.of(quantize(ctx, quantizers.get(ctx.node().name()), in.get(0))));
        r.register(DOMAIN, INT8_GEMM, 1, (ctx, in) -> List.of(int8Gemm(ctx, int8.get(ctx.node().name()), in.get(0))));
        r.register(DOMAIN, DECODING_GEMM, 1, (ctx, in) -> List.of(decodingGemm(ctx, decoding.get(ctx.node().name()), in.get(0))));
        return r;
    }

    /** x (..., K) times the weight decoded panel by panel, plus the bias: y (..., N). */
    private static Tensor decodingGemm(OpContext ctx, Decoding layer, Tensor x) {
        int k = layer.weights().k();
        int n = layer.weights().n();
        int m = rows(ctx, x, k);
        float[] y = new float[Math.multiplyExact(m, n)];
        DecodingGemm.run(layer.weights(), x.floats(), m, layer.bias(), y, ctx.parallelism());
        return Tensor.ofFloats(withLast(x.shape(), n), y);
    }

    /** Rows of x viewed as (M, K), checking that x is float32 and ends in K. */
    private static int rows(OpContext ctx, Tensor x, int k) {
        int[] shape = x.shape();
        if (x.type() != DataType.FLOAT32 || shape.length < 1 || shape[shape.length - 1] != k) {
            throw ctx.error("input " + x.type() + " " + Arrays.toString(shape) + " is not float32 ending in the weight's depth " + k);
        }
        return k == 0 ? 0 : x.size() / k;
    }

    private static int[] withLast(int[] shape, int last) {
        int[] out = shape.clone();
        out[out.length - 1] = last;
        return out;
    }

    /** x (..., K) times the prepacked (K, N) weight: y (..., N). */
    private static Tensor int8Gemm(OpContext ctx, Int8 layer, Tensor x) {
        if (x.type() != DataType.FLOAT32 || x.rank() < 1) {
            throw ctx.error("int8 GEMM needs a float32 input of rank 1 or more, got " + x.type() + " " + Arrays.toString(x.shape()));
        }
        int[] shape = x.shape();
        int k = layer.weights().k();
        int n = layer.weights().n();
        if (shape[shape.length - 1] != k) {
            throw ctx.error("input " + Arrays.toString(shape) + " does not end in the weight's depth " + k);
        }
        int m = k == 0 ? 0 : x.size() / k;
        float[] y = new float[Math.multiplyExact(m, n)];
        Int8Gemm.run(layer.weights(), x.floats(), m, layer.activation(), layer.prologue(), layer.bias(), layer.relu(), y,
                ctx.parallelism());
        int[] outShape = shape.clone();
        outShape[outShape.length - 1] = n;
        return Tensor.ofFloats(outShape, y);
    }

    private static Tensor bag(OpContext ctx, Bag bag, Tensor indices) {
        if (indices.type() != DataType.INT64 && indices.type() != DataType.INT32) {
            throw ctx.error("indices must be int64 or int32, not " + indices.type());
        }
        long[] idx = TensorData.toLongs(indices);
        int[] ishape = indices.shape();
        int cols = bag.table().cols();
        if (bag.pooled() && ishape.length == 0) {
            throw ctx.error("pooled lookups need indices of rank 1 or more");
        }
        // Pooled: the last index axis is the bag; a plain lookup: every index is a bag of one row.
        int bagLength = bag.pooled() ? ishape[ishape.length - 1] : 1;
        int bags = 1;
        for (int d = 0; d < ishape.length - (bag.pooled() ? 1 : 0); d++) {
            bags *= ishape[d];
        }
        int[] outShape;
        if (!bag.pooled()) {
            outShape = Arrays.copyOf(ishape, ishape.length + 1);
        } else {
            outShape = Arrays.copyOf(ishape, ishape.length - 1 + (bag.keepDims() ? 2 : 1));
            if (bag.keepDims()) {
                outShape[ishape.length - 1] = 1;
            }
        }
        outShape[outShape.length - 1] = cols;
        float[] out = new float[Math.multiplyExact(bags, cols)];
        try {
            RowwiseEmbeddingBag.run(bag.table(), idx, RowwiseEmbeddingBag.fixedOffsets(bags, bagLength), null,
                    bag.pooling(), out, ctx.parallelism());
        } catch (IllegalArgumentException e) {
            throw ctx.error(e.getMessage());
        }
        return Tensor.ofFloats(outShape, out);
    }

    private static Tensor quantize(OpContext ctx, Quantize q, Tensor x) {
        if (x.type() != DataType.FLOAT32) {
            return x; // as PlanInterceptor: only float32 activations are quantized
        }
        return q.quantizer().apply(x, LayerAxes.activation(q.layer(), q.inputIndex(), x.rank()), q.range(), ctx.parallelism());
    }
}
