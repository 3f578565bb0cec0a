package dev.quantize.quantizer.serve;

import dev.quantize.core.data.BatchReader;
import dev.quantize.core.data.Dataset;
import dev.quantize.core.data.DatasetBinding;
import dev.quantize.core.data.Datasets;
import dev.quantize.core.exec.Executor;
import dev.quantize.core.exec.OpTimer;
import dev.quantize.core.graph.Model;
import dev.quantize.core.graph.ModelSummary;
import dev.quantize.core.onnx.OnnxReader;
import dev.quantize.core.tensor.Tensor;
import dev.quantize.quantizer.artifact.Artifact;
import dev.quantize.quantizer.artifact.ArtifactWriter;
import dev.quantize.quantizer.plan.QuantPlan;
import java.nio.file.Path;
import java.util.Map;

/**
 * Prints OpTimer profiles of the FP32 executor and of packed execution of an artifact at one batch
 * size, on the first rows of a dataset, after re-planning every Gemm as INT8 as {@code bench serve
 * --int8-layers} does (the re-planned artifact is kept as ARTIFACT-int8.qz). Not a test: timing is
 * printed, never asserted. Run after
 * {@code mvn -DskipTests package}:
 * <pre>
 * java --add-modules=jdk.incubator.vector -cp cli/target/quantize.jar:quantizer/target/test-classes \
 *     dev.quantize.quantizer.serve.ServeProfile ARTIFACT.qz MODEL.onnx DATA [batch] [seconds]
 * </pre>
 */
public final class ServeProfile {
    private ServeProfile() {
    }

    public static void main(String[] args) throws Exception {
        Path artifact = Path.of(args[0]);
        Model fp32 = OnnxReader.read(Path.of(args[1]));
        Path data = Path.of(args[2]);
        int batch = args.length > 3 ? Integer.parseInt(args[3]) : 1024;
        double seconds = args.length > 4 ? Double.parseDouble(args[4]) : 3;
        Map<String, Tensor> feeds;
        try (Dataset ds = Datasets.open(data); BatchReader r = ds.batches(batch)) {
            feeds = DatasetBinding.bind(ds, fp32.graph().runtimeInputs()).feed(r.next());
        }
        Path int8 = artifact.resolveSibling(artifact.getFileName().toString().replace(".qz", "-int8.qz"));
        try (Artifact a = Artifact.open(artifact)) {
            QuantPlan plan = a.plan().map(l -> l.role() != ModelSummary.Role.WEIGHTS_AND_ACTIVATIONS ? l
                    : l.withWeightFormat("int8_per_channel").withActivationFormat("int8_per_tensor"));
            ArtifactWriter.write(int8, Path.of(args[1]), plan, a.calibrationJson().orElse(null), a.reportJson().orElse(null),
                    a.provenance().toolVersion());
        }
        try (PackedModel pm = PackedModel.open(int8, false)) {
            System.out.println(pm.kernels());
            if (Boolean.getBoolean("profile")) {
                profile("fp32", Executor.builder(fp32).threads(1), feeds, seconds);
                profile("packed", pm.executor().threads(1), feeds, seconds);
            }
            if (Boolean.getBoolean("packedOnly") || Boolean.getBoolean("fp32Only")) {
                Executor e = Boolean.getBoolean("fp32Only") ? Executor.builder(fp32).threads(1).build()
                        : pm.executor().threads(1).build();
                java.lang.management.ThreadMXBean mx = java.lang.management.ManagementFactory.getThreadMXBean();
                for (int round = 0; round < 4; round++) {
                    long c0 = mx.getCurrentThreadCpuTime();
                    int n = 0;
                    while (mx.getCurrentThreadCpuTime() - c0 < seconds * 1e9) {
                        e.run(feeds);
                        n++;
                    }
                    System.out.printf("round %d: %.3f CPU ms/batch%n", round, (mx.getCurrentThreadCpuTime() - c0) / 1e6 / n);
                }
                return;
            }
            alternate(Executor.builder(fp32).threads(1).build(), pm.executor().threads(1).build(), feeds, seconds);
        }
    }

    /**
     * Both engines in alternation, 15 rounds of about seconds/15 each, timed in CPU time of this thread
     * (the machine is shared: wall time counts other processes' slices): median ms per batch each.
     */
    private static void alternate(Executor fp32, Executor packed, Map<String, Tensor> feeds, double seconds) {
        java.lang.management.ThreadMXBean mx = java.lang.management.ManagementFactory.getThreadMXBean();
        Executor[] e = {fp32, packed};
        for (Executor x : e) {
            long end = System.nanoTime() + (long) (seconds * 1e9);
            while (System.nanoTime() < end) {
                x.run(feeds);
            }
        }
        int rounds = 15;
        double[][] ms = new double[2][rounds];
        for (int r = 0; r < rounds; r++) {
            for (int i = 0; i < 2; i++) {
                long c0 = mx.getCurrentThreadCpuTime();
                int n = 0;
                while (mx.getCurrentThreadCpuTime() - c0 < seconds * 1e9 / rounds) {
                    e[i].run(feeds);
                    n++;
                }
                ms[i][r] = (mx.getCurrentThreadCpuTime() - c0) / 1e6 / n;
            }
        }
        java.util.Arrays.sort(ms[0]);
        java.util.Arrays.sort(ms[1]);
        System.out.printf("CPU ms/batch, median of %d alternated rounds: fp32 %.3f (min %.3f), packed %.3f (min %.3f);"
                + " packed/fp32 speed %.2fx (of minima %.2fx)%n", rounds, ms[0][rounds / 2], ms[0][0], ms[1][rounds / 2],
                ms[1][0], ms[0][rounds / 2] / ms[1][rounds / 2], ms[0][0] / ms[1][0]);
    }

    private static void profile(String label, Executor.Builder builder, Map<String, Tensor> feeds, double seconds) {
        Executor plain = builder.build();
        OpTimer timer = new OpTimer();
        Executor timed = builder.listener(timer).build();
        for (Executor e : new Executor[] {plain, timed}) {
            long end = System.nanoTime() + (long) (seconds * 1e9);
            while (System.nanoTime() < end) {
                e.run(feeds);
            }
        }
        timer.reset();
        long end = System.nanoTime() + (long) (seconds * 1e9);
        int runs = 0;
        while (System.nanoTime() < end) {
            timed.run(feeds);
            runs++;
        }
        long t0 = System.nanoTime();
        int plainRuns = 0;
        while (System.nanoTime() - t0 < seconds * 1e9) {
            plain.run(feeds);
            plainRuns++;
        }
        double plainMs = (System.nanoTime() - t0) / 1e6 / plainRuns;
        System.out.printf("%s plain run: %.3f ms/batch; timed: %.3f ms/batch of node time%n", label, plainMs,
                timer.totalNanos() / 1e6 / runs);
        System.out.println(timer.report(12));
    }
}
