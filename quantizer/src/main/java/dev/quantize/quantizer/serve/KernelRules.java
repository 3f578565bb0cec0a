package dev.quantize.quantizer.serve;

import dev.quantize.core.format.FormatRegistry;
import dev.quantize.core.format.IntFormat;
import dev.quantize.core.graph.Node;
import dev.quantize.quantizer.plan.LayerPlan;

/**
 * The conditions under which a layer can run a packed GEMM kernel that depend only on its plan and
 * its node: shared by {@link PackedRewrite}, which builds the kernels, and the search's serve-time
 * cost model, which predicts them, so that the two cannot drift apart.
 */
public final class KernelRules {
    private KernelRules() {
    }

    /**
     * Whether the layer's plan fits {@code Int8Gemm}: a symmetric 8-bit per-tensor or per-channel
     * weight and an 8-bit per-tensor activation with a calibrated (static) range.
     */
    public static boolean staticInt8(LayerPlan l) {
        return l.activationRange() != null
                && FormatRegistry.parse(l.weightFormat()) instanceof IntFormat wf && wf.bits() == 8 && wf.symmetric()
                && wf.granularity() != IntFormat.Granularity.PER_GROUP
                && FormatRegistry.parse(l.activationFormat()) instanceof IntFormat af && af.bits() == 8
                && af.granularity() == IntFormat.Granularity.PER_TENSOR;
    }

    /**
     * Whether a Gemm's attributes are what the packed GEMMs compute (no transA, alpha 1, and beta 1
     * when it has a bias); a MatMul always fits. The bias's shape is checked separately.
     */
    public static boolean plainGemmAttributes(Node n) {
        if (!n.opType().equals("Gemm")) {
            return true;
        }
        return n.intAttr("transA", 0) == 0 && n.floatAttr("alpha", 1f) == 1f
                && (n.input(2).isEmpty() || n.floatAttr("beta", 1f) == 1f);
    }
}
