package dev.quantize.core.exec;

import dev.quantize.core.tensor.Tensor;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * A listener that times every node an executor runs (wall clock, from {@code beforeNode} to
 * {@code afterNode}, so the listeners added after it are not counted) and totals the times per node
 * and per op type. Meant for profiling: add it to an executor, run some batches, read {@link #byOpType()}
 * or {@link #report(int)}. Not thread-safe: use it on one executor running on one thread at a time.
 */
public final class OpTimer implements ExecutionListener {
    /** Accumulated time of one node or op type. */
    public record Entry(String name, String opType, long calls, long nanos) {
        public double millis() {
            return nanos / 1e6;
        }
    }

    private final Map<String, long[]> perNode = new LinkedHashMap<>();
    private final Map<String, String> opTypes = new LinkedHashMap<>();
    private long started;

    /** Times what actually runs: fused kernels included. */
    @Override
    public boolean acceptsHiddenNodes() {
        return true;
    }

    @Override
    public void beforeNode(NodeContext node, List<Tensor> inputs) {
        started = System.nanoTime();
    }

    @Override
    public void afterNode(NodeContext node, List<Tensor> inputs, List<Tensor> outputs) {
        long took = System.nanoTime() - started;
        String name = node.name();
        long[] acc = perNode.computeIfAbsent(name, k -> new long[2]);
        acc[0]++;
        acc[1] += took;
        opTypes.putIfAbsent(name, node.opType());
    }

    /** Forgets everything measured so far (e.g. after warm-up runs). */
    public void reset() {
        perNode.clear();
        opTypes.clear();
    }

    /** Per node, in first-run order. */
    public List<Entry> byNode() {
        List<Entry> out = new ArrayList<>();
        perNode.forEach((name, acc) -> out.add(new Entry(name, opTypes.get(name), acc[0], acc[1])));
        return out;
    }

    /** Per op type, slowest first. */
    public List<Entry> byOpType() {
        Map<String, long[]> per = new LinkedHashMap<>();
        perNode.forEach((name, acc) -> {
            long[] t = per.computeIfAbsent(opTypes.get(name), k -> new long[2]);
            t[0] += acc[0];
            t[1] += acc[1];
        });
        List<Entry> out = new ArrayList<>();
        per.forEach((op, acc) -> out.add(new Entry(op, op, acc[0], acc[1])));
        out.sort(Comparator.comparingLong(Entry::nanos).reversed());
        return out;
    }

    /** Total time over every node. */
    public long totalNanos() {
        long t = 0;
        for (long[] acc : perNode.values()) {
            t += acc[1];
        }
        return t;
    }

    /** A plain-text table: op types by share of the total, then the {@code topNodes} slowest nodes. */
    public String report(int topNodes) {
        long total = Math.max(1, totalNanos());
        StringBuilder sb = new StringBuilder();
        sb.append(String.format("%-28s %8s %10s %6s%n", "op type", "calls", "ms", "share"));
        for (Entry e : byOpType()) {
            sb.append(String.format("%-28s %8d %10.2f %5.1f%%%n", e.name(), e.calls(), e.millis(), 100.0 * e.nanos() / total));
        }
        if (topNodes > 0) {
            List<Entry> nodes = byNode();
            nodes.sort(Comparator.comparingLong(Entry::nanos).reversed());
            sb.append(String.format("%n%-40s %-20s %10s %6s%n", "node", "op type", "ms", "share"));
            for (Entry e : nodes.subList(0, Math.min(topNodes, nodes.size()))) {
                sb.append(String.format("%-40s %-20s %10.2f %5.1f%%%n", e.name(), e.opType(), e.millis(),
                        100.0 * e.nanos() / total));
            }
        }
        return sb.toString();
    }
}
