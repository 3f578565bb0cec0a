package dev.quantize.core.exec.ops;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeSet;

/**
 * Operator implementations keyed by (domain, op type), each tagged with the opset version its
 * semantics start at. {@link #find} picks the newest implementation whose version is at most the
 * model's opset, so an op whose attributes became inputs in opset 13 has two entries (1 and 13) and
 * a model of opset 12 gets the first. An op type with entries that all start after the model's
 * opset is unsupported for that model.
 */
public final class OpRegistry {
    /** One registered implementation. */
    public record Entry(String domain, String opType, int sinceVersion, Op op) {
    }

    private final Map<String, List<Entry>> entries = new HashMap<>();

    /** An empty registry; see {@link #standard()} for the built-in ops. */
    public OpRegistry() {
    }

    private static String key(String domain, String opType) {
        return normalizeDomain(domain) + "::" + opType;
    }

    /** "" and "ai.onnx" are the same default domain. */
    public static String normalizeDomain(String domain) {
        return domain == null || domain.equals("ai.onnx") ? "" : domain;
    }

    /** Registers {@code op} for the default domain from opset {@code sinceVersion} on. */
    public OpRegistry register(String opType, int sinceVersion, Op op) {
        return register("", opType, sinceVersion, op);
    }

    public OpRegistry register(String domain, String opType, int sinceVersion, Op op) {
        List<Entry> list = entries.computeIfAbsent(key(domain, opType), k -> new ArrayList<>());
        list.removeIf(e -> e.sinceVersion() == sinceVersion);
        list.add(new Entry(normalizeDomain(domain), opType, sinceVersion, op));
        list.sort(Comparator.comparingInt(Entry::sinceVersion));
        return this;
    }

    /** The implementation for a model importing {@code opset} of the domain, or null if none. */
    public Op find(String domain, String opType, long opset) {
        List<Entry> list = entries.get(key(domain, opType));
        if (list == null) {
            return null;
        }
        Op best = null;
        for (Entry e : list) {
            if (e.sinceVersion() <= opset) {
                best = e.op();
            }
        }
        return best;
    }

    /** Sorted op types of a domain. */
    public List<String> opTypes(String domain) {
        TreeSet<String> names = new TreeSet<>();
        String d = normalizeDomain(domain);
        for (List<Entry> list : entries.values()) {
            if (!list.isEmpty() && list.get(0).domain().equals(d)) {
                names.add(list.get(0).opType());
            }
        }
        return List.copyOf(names);
    }

    private static final OpRegistry STANDARD = buildStandard();

    /** The built-in ONNX ops. Shared and read-only by convention: copy it before registering more. */
    public static OpRegistry standard() {
        return STANDARD;
    }

    /** A modifiable copy of the standard registry, for adding custom ops. */
    public static OpRegistry standardCopy() {
        OpRegistry r = new OpRegistry();
        for (List<Entry> list : STANDARD.entries.values()) {
            for (Entry e : list) {
                r.register(e.domain(), e.opType(), e.sinceVersion(), e.op());
            }
        }
        return r;
    }

    private static OpRegistry buildStandard() {
        OpRegistry r = new OpRegistry();
        ElementwiseOps.register(r);
        ReduceOps.register(r);
        ShapeOps.register(r);
        NnOps.register(r);
        QuantOps.register(r);
        FusedOps.register(r);
        return r;
    }
}
