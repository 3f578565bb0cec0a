package dev.quantize.cli.bench;

import dev.quantize.core.format.FormatRegistry;
import dev.quantize.core.format.IntFormat;
import dev.quantize.core.format.NumericFormat;
import dev.quantize.core.format.PackedTensor;
import dev.quantize.core.graph.Model;
import dev.quantize.core.graph.Node;
import dev.quantize.core.kernel.Gemm;
import dev.quantize.core.kernel.Parallelism;
import dev.quantize.core.kernel.lowp.DecodingGemm;
import dev.quantize.core.kernel.lowp.Int8Gemm;
import dev.quantize.core.onnx.OnnxReader;
import dev.quantize.core.tensor.Tensor;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;
import java.util.SplittableRandom;

/**
 * The low-precision GEMM kernels (Int8Gemm, DecodingGemm per weight-only format) against the FP32 Gemm
 * with a prepacked weight, on the Gemm layers of the given models at a batch size: x (M,K) times the
 * layer's weight with its orientation, plus a bias. Every kernel of a shape is timed in the same run as
 * its FP32 yardstick; only the ratios are comparable across machines.
 */
public final class LowpBench {
    /** One measurement; GOP/s counts 2*M*N*K operations; ratio = FP32 time / kernel time (above 1: faster). */
    public record Result(String model, String layer, int m, int k, int n, String kernel, int threads, double seconds,
                         double fp32Seconds, long weightBytes) {
        public double gops() {
            return 2.0 * m * n * k / seconds / 1e9;
        }

        public double ratio() {
            return fp32Seconds / seconds;
        }
    }

    public static final List<String> DEFAULT_FORMATS = List.of("int4_per_group", "mxint8", "mxfp8_e4m3", "mxfp6_e3m2",
            "mxfp4_e2m1", "mx9", "mx6", "mx4", "fp16", "bf16");

    private record Layer(String model, String name, int k, int n, boolean transB) {
    }

    private LowpBench() {
    }

    /** The Gemm layers of the models whose weight (input B) is a 2-D initializer. */
    private static List<Layer> layers(List<Path> modelFiles) throws IOException {
        List<Layer> out = new ArrayList<>();
        for (Path file : modelFiles) {
            Model model = OnnxReader.read(file);
            Set<String> seen = new LinkedHashSet<>();
            for (Node node : model.graph().nodes()) {
                Tensor w = node.opType().equals("Gemm") ? model.graph().initializers().get(node.input(1)) : null;
                if (w == null || w.rank() != 2 || node.intAttr("transA", 0) != 0) {
                    continue;
                }
                boolean transB = node.intAttr("transB", 0) != 0;
                int k = transB ? w.dim(1) : w.dim(0);
                int n = transB ? w.dim(0) : w.dim(1);
                if (seen.add(k + "x" + n + transB)) {
                    out.add(new Layer(ExecutorBench.displayName(file), node.displayName(), k, n, transB));
                }
            }
        }
        return out;
    }

    public static int steps(List<Path> modelFiles, List<String> formats, int[] threadCounts) throws IOException {
        return layers(modelFiles).size() * threadCounts.length;
    }

    public static List<Result> run(List<Path> modelFiles, int batch, List<String> formats, int[] threadCounts, int runs,
                                   Runnable onStep) throws IOException {
        List<Result> out = new ArrayList<>();
        SplittableRandom rnd = new SplittableRandom(7);
        IntFormat actFormat = (IntFormat) FormatRegistry.parse("int8_per_tensor");
        IntFormat weightFormat = (IntFormat) FormatRegistry.parse("int8_per_channel");
        for (Layer l : layers(modelFiles)) {
            int m = batch;
            int k = l.k;
            int n = l.n;
            float[] x = gaussian(rnd, m * k);
            float[] w = gaussian(rnd, n * k);
            float[] bias = gaussian(rnd, n);
            int[] shape = l.transB ? new int[] {n, k} : new int[] {k, n};
            int ldb = l.transB ? k : n;
            Gemm.PackedB packedB = Gemm.prepack(l.transB, k, n, w, 0, ldb);
            Int8Gemm.Weights int8 = Int8Gemm.prepack(weightFormat.encode(w, shape, l.transB ? 0 : 1), l.transB);
            Int8Gemm.Activation act = Int8Gemm.Activation.of(actFormat, actFormat.params(-3f, 3f));
            List<DecodingGemm.Weights> decoding = new ArrayList<>();
            for (String f : formats) {
                NumericFormat nf = FormatRegistry.parse(f);
                PackedTensor p = nf.encode(w, shape, l.transB ? 1 : 0);
                decoding.add(DecodingGemm.prepare(p, 1f, l.transB));
            }
            float[] y = new float[m * n];
            for (int threads : threadCounts) {
                Parallelism par = Parallelism.of(threads);
                Runnable fp32 = () -> {
                    for (int i = 0; i < m; i++) {
                        System.arraycopy(bias, 0, y, i * n, n);
                    }
                    Gemm.gemm(false, l.transB, m, n, k, 1f, x, 0, k, w, 0, ldb, packedB, 1f, y, 0, n, par);
                };
                // Each kernel is timed right after a fresh FP32 measurement, so drifting machine load hits both.
                warm(fp32);
                warm(() -> Int8Gemm.run(int8, x, m, act, bias, false, y, par));
                for (DecodingGemm.Weights d : decoding) {
                    warm(() -> DecodingGemm.run(d, x, m, bias, y, par));
                }
                double f1 = Stopwatch.median(fp32, 5, runs);
                out.add(new Result(l.model, l.name, m, k, n, "fp32 gemm (" + Gemm.implementation() + ")", threads, f1, f1,
                        4L * n * k));
                double fi = Stopwatch.median(fp32, 2, runs);
                double si = Stopwatch.median(() -> Int8Gemm.run(int8, x, m, act, bias, false, y, par), 5, runs);
                out.add(new Result(l.model, l.name, m, k, n, "int8 (" + Int8Gemm.implementation() + ")", threads, si, fi,
                        int8.bytes()));
                for (DecodingGemm.Weights d : decoding) {
                    double fd = Stopwatch.median(fp32, 2, runs);
                    double sd = Stopwatch.median(() -> DecodingGemm.run(d, x, m, bias, y, par), 3, runs);
                    out.add(new Result(l.model, l.name, m, k, n, "decode " + d.format().name(), threads, sd, fd, d.bytes()));
                }
                onStep.run();
            }
        }
        return out;
    }

    /**
     * Runs an action for at least half a second and 20 times: a new shape can take a kernel down a branch
     * its compiled code never saw, and on a loaded machine the recompilation takes a while (counted
     * warm-ups alone measured interpreted code at 1/100 of the speed).
     */
    private static void warm(Runnable action) {
        long end = System.nanoTime() + 500_000_000L;
        for (int i = 0; i < 20 || System.nanoTime() < end; i++) {
            action.run();
        }
    }

    private static float[] gaussian(SplittableRandom rnd, int n) {
        float[] v = new float[n];
        for (int i = 0; i < n; i++) {
            v[i] = (float) (rnd.nextGaussian() * 0.5);
        }
        return v;
    }
}
