package dev.quantize.cli.bench;

import dev.quantize.core.exec.Executor;
import dev.quantize.core.graph.Model;
import dev.quantize.core.onnx.OnnxReader;
import dev.quantize.core.oracle.OnnxRuntimeOracle;
import dev.quantize.core.tensor.Tensor;
import dev.quantize.quantizer.serve.PackedModel;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;

/**
 * Serving an artifact from its packed bytes against the project's FP32 executor (the yardstick) and
 * ONNX Runtime on the FP32 model, in one JVM: rows per second at several batch sizes, and the memory
 * each engine's weights take.
 *
 * <p>Weight memory, measured rather than computed: for the two Java engines, the heap in use after
 * full GCs once the model is loaded and has run twice (so the FP32 executor's pre-packed Gemm
 * operands count), minus the heap before; for packed execution plus the resident pages of the
 * artifact's mapping (/proc/self/smaps, after all timed runs: the table rows that were touched).
 * For ONNX Runtime, whose memory is native, the growth of the process's resident set around session
 * creation and a first run (which includes ORT's own arena and code, so it overstates the weights).
 */
public final class ServeBench {
    /** The first line of a mapping's block in smaps: "start-end perms offset dev inode [path]". */
    private static final java.util.regex.Pattern MAPPING = java.util.regex.Pattern.compile("[0-9a-f]+-[0-9a-f]+ ");

    private ServeBench() {
    }

    /** Seconds per call of each engine at one batch size. */
    public record Timing(int batch, double fp32Seconds, double packedSeconds, double ortSeconds) {
        public double fp32RowsPerSecond() {
            return batch / fp32Seconds;
        }

        public double packedRowsPerSecond() {
            return batch / packedSeconds;
        }

        public double ortRowsPerSecond() {
            return batch / ortSeconds;
        }
    }

    /** Bytes of weight memory of each engine (see the class comment). */
    public record Memory(long fp32Parameters, long fp32Heap, long packedHeap, long packedMapped, long ortRss) {
        public long packed() {
            return packedHeap + packedMapped;
        }
    }

    public record Result(String model, int threads, String inputs, List<Timing> timings, Memory memory,
                         Map<String, String> kernels) {
    }

    public static Result run(Path artifact, Path fp32File, Path data, int[] batches, int threads, int runs, Runnable onStep)
            throws IOException {
        Model probe = OnnxReader.read(fp32File);
        long parameters = dev.quantize.core.graph.ModelSummary.of(probe).parameterBytes();
        int maxBatch = Arrays.stream(batches).max().orElse(1);
        String inputs = data != null ? "data" : "synthetic";
        List<Map<String, Tensor>> feeds = new ArrayList<>();
        for (int b : batches) {
            feeds.add(data != null ? ExecutorBench.evalBatch(data, probe, b) : ExecutorBench.synthesise(probe, b, 17));
        }
        Map<String, Tensor> warm = feeds.get(feeds.size() - 1);
        probe = null;

        // Load, build and run both engines once and drop them, so that what the JVM keeps after a first
        // use (classes' static data, the JSON and protobuf parsers' caches, locale tables) is not
        // counted as either engine's weight memory below.
        Executor.builder(OnnxReader.read(fp32File)).threads(threads).build().run(warm);
        try (PackedModel once = PackedModel.open(artifact, false)) {
            once.executor().threads(threads).build().run(warm);
        }

        long h0 = heapUsed();
        Executor fp32 = Executor.builder(OnnxReader.read(fp32File)).threads(threads).build();
        fp32.run(warm);
        fp32.run(warm);
        long fp32Heap = heapUsed() - h0;

        long h1 = heapUsed();
        PackedModel pm = PackedModel.open(artifact, false);
        Executor packed = pm.executor().threads(threads).build();
        packed.run(warm);
        packed.run(warm);
        long packedHeap = heapUsed() - h1;

        long rss0 = processRss();
        List<Timing> timings = new ArrayList<>();
        try (OnnxRuntimeOracle ort = OnnxRuntimeOracle.open(fp32File, threads)) {
            ort.run(warm);
            long ortRss = processRss() - rss0;
            for (int i = 0; i < batches.length; i++) {
                Map<String, Tensor> f = feeds.get(i);
                double[] t = perCall(runs, () -> fp32.run(f), () -> packed.run(f), () -> ort.run(f));
                timings.add(new Timing(batches[i], t[0], t[1], t[2]));
                onStep.run();
            }
            long mapped = mappedRss(artifact);
            Memory memory = new Memory(parameters, fp32Heap, packedHeap, mapped, ortRss);
            Result r = new Result(ExecutorBench.displayName(fp32File), threads, inputs, timings, memory, pm.kernels());
            pm.close();
            return r;
        }
    }

    /**
     * Median seconds per call of each engine: each is warmed up as {@link ExecutorBench#warmUp} does,
     * then timed in groups of about 50 ms that alternate between the engines, so that a change in the
     * machine's load hits all alike.
     */
    static double[] perCall(int runs, Runnable... engines) {
        int[] reps = new int[engines.length];
        for (int e = 0; e < engines.length; e++) {
            reps[e] = (int) Math.max(1, Math.min(100_000, Math.round(0.05 / ExecutorBench.warmUp(engines[e]))));
        }
        double[][] t = new double[engines.length][runs];
        for (int r = 0; r < runs; r++) {
            for (int e = 0; e < engines.length; e++) {
                long start = System.nanoTime();
                for (int i = 0; i < reps[e]; i++) {
                    engines[e].run();
                }
                t[e][r] = (System.nanoTime() - start) / 1e9 / reps[e];
            }
        }
        double[] median = new double[engines.length];
        for (int e = 0; e < engines.length; e++) {
            Arrays.sort(t[e]);
            median[e] = t[e][runs / 2];
        }
        return median;
    }

    /** Heap in use after full collections (several, until it stops shrinking). */
    static long heapUsed() {
        Runtime rt = Runtime.getRuntime();
        long best = Long.MAX_VALUE;
        for (int i = 0; i < 4; i++) {
            System.gc();
            try {
                Thread.sleep(30);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
            best = Math.min(best, rt.totalMemory() - rt.freeMemory());
        }
        return best;
    }

    /** The process's resident set (VmRSS of /proc/self/status), 0 where there is no /proc. */
    static long processRss() throws IOException {
        Path status = Path.of("/proc/self/status");
        if (!Files.exists(status)) {
            return 0;
        }
        for (String line : Files.readAllLines(status)) {
            if (line.startsWith("VmRSS:")) {
                return kilobytes(line);
            }
        }
        return 0;
    }

    /**
     * Resident bytes of this process's mappings of {@code file} (/proc/self/smaps), 0 where there is no
     * /proc. Sums Pss, not Rss: the artifact is mapped once per tensor, so a page holding the ends of
     * two small tensors (or a page mapped by a second open of the file) sits in two mappings; Rss
     * counts it once per mapping, Pss splits it between them, so the sum counts each page once.
     */
    static long mappedRss(Path file) throws IOException {
        Path smaps = Path.of("/proc/self/smaps");
        if (!Files.exists(smaps)) {
            return 0;
        }
        String target = file.toRealPath().toString();
        long total = 0;
        boolean inFile = false;
        for (String line : Files.readAllLines(smaps)) {
            if (MAPPING.matcher(line).lookingAt()) {
                String[] f = line.trim().split("\\s+", 6);
                inFile = f.length == 6 && f[5].equals(target);
            } else if (inFile && line.startsWith("Pss:")) {
                total += kilobytes(line);
            }
        }
        return total;
    }

    private static long kilobytes(String line) {
        String[] f = line.trim().split("\\s+");
        return Long.parseLong(f[1]) * 1024;
    }
}
