package dev.quantize.cli.bench;

import dev.quantize.core.data.Batch;
import dev.quantize.core.data.BatchReader;
import dev.quantize.core.data.Dataset;
import dev.quantize.core.data.DatasetBinding;
import dev.quantize.core.data.Datasets;
import dev.quantize.core.exec.Executor;
import dev.quantize.core.graph.Dim;
import dev.quantize.core.graph.Model;
import dev.quantize.core.graph.ValueInfo;
import dev.quantize.core.onnx.OnnxReader;
import dev.quantize.core.oracle.OnnxRuntimeOracle;
import dev.quantize.core.tensor.Shape;
import dev.quantize.core.tensor.Tensor;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.stream.Stream;

/**
 * FP32 inference throughput of the project's executor against ONNX Runtime (through DJL) as the
 * yardstick: same process, same thread count, same input batches, one engine after the other. The
 * machines are shared and noisy, so the ratio measured in one run is the figure that means something.
 *
 * <p>Inputs come from the model folder's {@code eval/} split (.npy) when there is one, the first rows
 * repeated when a batch needs more rows than the split holds; otherwise they are made up from the
 * declared input types (see {@link #synthesise}).
 */
public final class ExecutorBench {
    /** Target wall time of one timed repetition: tiny batches are looped so the clock can resolve them. */
    private static final double TARGET_SECONDS = 0.05;
    /** Warm-up per engine and batch before anything is timed: bounds, window and settling tolerance. */
    private static final double WARMUP_MIN_SECONDS = 1.0;
    private static final double WARMUP_MAX_SECONDS = 4.0;
    private static final double WARMUP_WINDOW_SECONDS = 0.25;
    private static final double WARMUP_TOLERANCE = 0.05;

    /** One model at one batch size; times are per inference (one batch), medians over the runs. */
    public record Result(String model, int batch, int threads, String inputs, double executorSeconds,
                         double ortSeconds, double maxRelDiff) {
        public double executorRowsPerSecond() {
            return batch / executorSeconds;
        }

        public double ortRowsPerSecond() {
            return batch / ortSeconds;
        }

        /** ORT time over executor time: above 1 the executor is faster. */
        public double ratio() {
            return ortSeconds / executorSeconds;
        }
    }

    private ExecutorBench() {
    }

    /**
     * The folder holding the shared models: the system property {@code quantize.shared}, else the
     * environment variable {@code QUANTIZE_SHARED}, else {@code shared} beside the installation
     * ({@code quantize.home}, set by bin/quantize) or beside the working directory.
     */
    public static Path sharedModels(String sharedProperty, String sharedEnv, String home) {
        List<Path> tried = new ArrayList<>();
        if (sharedProperty != null && !sharedProperty.isBlank()) {
            tried.add(Path.of(sharedProperty));
        } else if (sharedEnv != null && !sharedEnv.isBlank()) {
            tried.add(Path.of(sharedEnv));
        } else {
            if (home != null && !home.isBlank()) {
                tried.add(Path.of(home).resolve("..").resolve("shared"));
            }
            tried.add(Path.of("..", "shared"));
        }
        for (Path p : tried) {
            if (Files.isDirectory(p.resolve("models"))) {
                return p.resolve("models").normalize();
            }
        }
        throw new IllegalArgumentException("no shared models folder found (looked for models/ in "
                + tried.stream().map(p -> p.toAbsolutePath().normalize().toString()).toList()
                + "); set -Dquantize.shared or QUANTIZE_SHARED, or pass --model PATH");
    }

    /** Every {@code <folder>/model.onnx} under the shared models folder, in name order. */
    public static List<Path> defaultModels(Path sharedModels) throws IOException {
        try (Stream<Path> s = Files.list(sharedModels)) {
            List<Path> out = s.map(p -> p.resolve("model.onnx")).filter(Files::isRegularFile).sorted().toList();
            if (out.isEmpty()) {
                throw new IllegalArgumentException(sharedModels + ": holds no <name>/model.onnx");
            }
            return out;
        }
    }

    /** A model argument: an .onnx file, or a folder holding model.onnx. */
    public static Path modelFile(Path arg) {
        Path file = Files.isDirectory(arg) ? arg.resolve("model.onnx") : arg;
        if (!Files.isRegularFile(file)) {
            throw new IllegalArgumentException(file + ": no such model file");
        }
        return file;
    }

    /** A short name for a model: its folder for {@code <name>/model.onnx}, else the file name. */
    public static String displayName(Path modelFile) {
        String file = modelFile.getFileName().toString();
        Path parent = modelFile.toAbsolutePath().getParent();
        return file.equals("model.onnx") && parent != null && parent.getFileName() != null
                ? parent.getFileName().toString() : file;
    }

    public static List<Result> run(List<Path> modelFiles, int[] batches, int threads, int runs, Runnable onStep)
            throws IOException {
        List<Result> results = new ArrayList<>();
        for (Path file : modelFiles) {
            Model model = OnnxReader.read(file);
            Executor executor = Executor.builder(model).threads(threads).build();
            try (OnnxRuntimeOracle ort = OnnxRuntimeOracle.open(file, threads)) {
                for (int batch : batches) {
                    Path eval = file.toAbsolutePath().getParent().resolve("eval");
                    boolean fromData = Files.isDirectory(eval) && file.getFileName().toString().equals("model.onnx");
                    Map<String, Tensor> feeds = fromData ? evalBatch(eval, model, batch) : synthesise(model, batch, 17);
                    // One run of each checks that both engines take these inputs and agree.
                    double diff = maxRelDiff(executor.run(feeds), ort.run(feeds));
                    double[] both = perInference(() -> executor.run(feeds), () -> ort.run(feeds), runs);
                    double ex = both[0];
                    double rt = both[1];
                    results.add(new Result(displayName(file), batch, threads, fromData ? "eval" : "synthetic", ex, rt, diff));
                    onStep.run();
                }
            }
        }
        return results;
    }

    /**
     * Median seconds per call of two engines: each is warmed up (see {@link #warmUp}), then calls are
     * grouped so that one group lasts about TARGET_SECONDS and the timed groups alternate between the
     * engines (a, b, a, b, ...), so that a change in the machine's load during the measurement hits
     * both alike. Returns {a, b}.
     */
    static double[] perInference(Runnable a, Runnable b, int runs) {
        int repsA = reps(warmUp(a));
        int repsB = reps(warmUp(b));
        double[] ta = new double[runs];
        double[] tb = new double[runs];
        for (int r = 0; r < runs; r++) {
            ta[r] = timeGroup(a, repsA);
            tb[r] = timeGroup(b, repsB);
        }
        return new double[] {median(ta), median(tb)};
    }

    private static int reps(double once) {
        return (int) Math.max(1, Math.min(100_000, Math.round(TARGET_SECONDS / once)));
    }

    /** Seconds per call over one group of reps calls. */
    private static double timeGroup(Runnable call, int reps) {
        long start = System.nanoTime();
        for (int i = 0; i < reps; i++) {
            call.run();
        }
        return (System.nanoTime() - start) / 1e9 / reps;
    }

    private static double median(double[] t) {
        double[] sorted = t.clone();
        java.util.Arrays.sort(sorted);
        return sorted[sorted.length / 2];
    }

    /**
     * Runs calls in windows of WARMUP_WINDOW_SECONDS until the mean time per call of two successive
     * windows differs by less than WARMUP_TOLERANCE (the JIT compiles the executor's loops only after
     * many calls, and a compilation in the timed runs would count against that engine), for at least
     * WARMUP_MIN_SECONDS and at most WARMUP_MAX_SECONDS. Both engines get the same treatment. Returns
     * the last window's seconds per call.
     */
    static double warmUp(Runnable call) {
        long begin = System.nanoTime();
        double previous = Double.NaN;
        while (true) {
            long windowEnd = System.nanoTime() + (long) (WARMUP_WINDOW_SECONDS * 1e9);
            int calls = 0;
            long start = System.nanoTime();
            while (calls < 3 || System.nanoTime() < windowEnd) {
                call.run();
                calls++;
            }
            long now = System.nanoTime();
            double perCall = Math.max((now - start) / 1e9 / calls, 1e-7);
            double elapsed = (now - begin) / 1e9;
            boolean stable = Math.abs(perCall - previous) < WARMUP_TOLERANCE * Math.min(perCall, previous);
            if (elapsed >= WARMUP_MAX_SECONDS || (stable && elapsed >= WARMUP_MIN_SECONDS)) {
                return perCall;
            }
            previous = perCall;
        }
    }

    /** The first {@code batch} rows of the eval split (repeated from the top if it holds fewer). */
    static Map<String, Tensor> evalBatch(Path eval, Model model, int batch) {
        try (Dataset ds = Datasets.open(eval); BatchReader reader = ds.batches(batch)) {
            DatasetBinding binding = DatasetBinding.bind(ds, model.graph().runtimeInputs());
            if (!reader.hasNext()) {
                throw new IllegalArgumentException(eval + ": holds no rows");
            }
            Batch b = reader.next();
            Map<String, Tensor> feeds = binding.feed(b);
            if (b.rows() == batch) {
                return feeds;
            }
            Map<String, Tensor> tiled = new LinkedHashMap<>();
            feeds.forEach((k, v) -> tiled.put(k, repeatRows(v, batch)));
            return tiled;
        }
    }

    /** A [rows, ...] tensor grown to [batch, ...] by repeating its rows in order. */
    static Tensor repeatRows(Tensor t, int batch) {
        int[] shape = t.shape();
        int rows = shape[0];
        int rowSize = rows == 0 ? 0 : t.size() / rows;
        shape[0] = batch;
        Object src = switch (t.type().storage()) {
            case FLOAT -> t.floats();
            case DOUBLE -> t.doubles();
            case LONG -> t.longs();
            case STRING -> t.strings();
        };
        Tensor out = Tensor.zeros(t.type(), shape);
        Object dst = switch (t.type().storage()) {
            case FLOAT -> out.floats();
            case DOUBLE -> out.doubles();
            case LONG -> out.longs();
            case STRING -> out.strings();
        };
        for (int r = 0; r < batch; r++) {
            System.arraycopy(src, (r % rows) * rowSize, dst, r * rowSize, rowSize);
        }
        return out;
    }

    /**
     * Inputs made up from the declared types: the first dimension is the batch, other symbolic or
     * unknown dimensions are 1. Floats are seeded standard normals; integers and booleans are zero,
     * the one value that is a valid index into any table (ids feed Gather).
     */
    public static Map<String, Tensor> synthesise(Model model, int batch, long seed) {
        SplittableRandom r = new SplittableRandom(seed);
        Map<String, Tensor> feeds = new LinkedHashMap<>();
        for (ValueInfo in : model.graph().runtimeInputs()) {
            if (in.type() == null || in.shape() == null) {
                throw new IllegalArgumentException("input '" + in.name() + "' declares no "
                        + (in.type() == null ? "element type" : "shape") + "; cannot make up data for it (give the model an eval/ folder of .npy files)");
            }
            List<Dim> dims = in.shape();
            int[] shape = new int[dims.size()];
            for (int d = 0; d < shape.length; d++) {
                Dim dim = dims.get(d);
                if (d == 0 && dim.isFixed() && dim.value() != batch) {
                    throw new IllegalArgumentException("input '" + in.name() + "' has a fixed batch of " + dim.value()
                            + " rows; pass --batch " + dim.value());
                }
                shape[d] = d == 0 ? batch : dim.isFixed() ? Math.toIntExact(dim.value()) : 1;
            }
            Tensor t = Tensor.zeros(in.type(), shape);
            switch (in.type().storage()) {
                case FLOAT -> {
                    float[] v = t.floats();
                    for (int i = 0; i < v.length; i++) {
                        v[i] = (float) r.nextGaussian();
                    }
                }
                case DOUBLE -> {
                    double[] v = t.doubles();
                    for (int i = 0; i < v.length; i++) {
                        v[i] = r.nextGaussian();
                    }
                }
                default -> {
                    // zeros, see above
                }
            }
            feeds.put(in.name(), t);
        }
        return feeds;
    }

    /** Max |a-b|/max(1,|b|) over every floating output (b = ORT); 0 when there is none. */
    static double maxRelDiff(Map<String, Tensor> ours, Map<String, Tensor> ort) {
        double m = 0;
        for (Map.Entry<String, Tensor> e : ort.entrySet()) {
            Tensor b = e.getValue();
            Tensor a = ours.get(e.getKey());
            if (a == null || a.type() != b.type() || !Arrays.equals(a.shape(), b.shape())) {
                throw new IllegalStateException("output '" + e.getKey() + "': executor gave " + a + ", ONNX Runtime " + b);
            }
            if (!b.type().isFloating()) {
                m = Arrays.equals(a.longs(), b.longs()) ? m : Double.POSITIVE_INFINITY;
                continue;
            }
            for (int i = 0; i < Shape.size(b.shape()); i++) {
                double x = a.getDouble(i);
                double y = b.getDouble(i);
                double d = Math.abs(x - y) / Math.max(1.0, Math.abs(y));
                m = Double.isNaN(d) ? (Double.isNaN(x) && Double.isNaN(y) ? m : Double.POSITIVE_INFINITY) : Math.max(m, d);
            }
        }
        return m;
    }
}
