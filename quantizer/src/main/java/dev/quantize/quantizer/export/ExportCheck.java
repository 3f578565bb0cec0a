package dev.quantize.quantizer.export;

import dev.quantize.core.data.Batch;
import dev.quantize.core.data.BatchReader;
import dev.quantize.core.data.Dataset;
import dev.quantize.core.data.DatasetBinding;
import dev.quantize.core.exec.Executor;
import dev.quantize.core.graph.Model;
import dev.quantize.core.graph.ValueInfo;
import dev.quantize.core.oracle.OnnxRuntimeOracle;
import dev.quantize.core.tensor.DataType;
import dev.quantize.core.tensor.Tensor;
import dev.quantize.quantizer.emulate.PlanInterceptor;
import dev.quantize.quantizer.plan.QuantPlan;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Runs an exported model in ONNX Runtime and the project's emulation of the same artifact on the
 * same rows, and compares their float outputs.
 *
 * <p>Tolerance, per output: one step of an 8-bit grid over the output's range, {@code max|y| / 127}
 * with y the emulation's output. Weights are exact in both, so what differs is the activations'
 * QuantizeLinear (ORT rounds or saturates an element one code away from the emulation now and then:
 * symmetric INT8 saturates at -128 in ONNX and -127 here) and float summation order; the check fails
 * when any element is further apart than that step.
 */
public final class ExportCheck {
    /** The comparison of one model output over all checked rows. */
    public record OutputDiff(String output, long elements, double maxAbsDiff, double tolerance, long overTolerance,
                             double maxAbsOutput) {
        public boolean passes() {
            return overTolerance == 0;
        }
    }

    private ExportCheck() {
    }

    /**
     * Compares {@code exported} (an ONNX file) in ONNX Runtime with the emulation: {@code emulationModel}
     * (whose initializers already hold the quantized weights) under {@code plan}'s activation
     * quantization, on up to {@code rows} rows of {@code data} in batches of {@code batchSize}.
     */
    public static List<OutputDiff> compare(Path exported, Model emulationModel, QuantPlan plan, Dataset data, long rows,
                                           int batchSize, int threads) throws IOException {
        Executor base = Executor.builder(emulationModel).threads(threads).build();
        Executor emu = Executor.builder(emulationModel).threads(threads)
                .interceptor(new PlanInterceptor(emulationModel, plan, base.parallelism(), false)).build();
        List<String> outputs = new ArrayList<>();
        for (ValueInfo v : emulationModel.graph().outputs()) {
            outputs.add(v.name());
        }
        Map<String, List<float[]>> ort = new LinkedHashMap<>();
        Map<String, List<float[]>> ref = new LinkedHashMap<>();
        try (OnnxRuntimeOracle oracle = OnnxRuntimeOracle.open(exported, threads);
             BatchReader reader = data.batches(batchSize)) {
            DatasetBinding binding = DatasetBinding.bind(data, emulationModel.graph().runtimeInputs());
            long done = 0;
            while (done < rows && reader.hasNext()) {
                Batch b = reader.next();
                Map<String, Tensor> feed = binding.feed(b);
                Map<String, Tensor> a = oracle.run(feed);
                Map<String, Tensor> e = emu.run(feed);
                for (String o : outputs) {
                    if (e.get(o).type() == DataType.FLOAT32) {
                        ort.computeIfAbsent(o, k -> new ArrayList<>()).add(a.get(o).floats());
                        ref.computeIfAbsent(o, k -> new ArrayList<>()).add(e.get(o).floats());
                    }
                }
                done += b.rows();
            }
        }
        List<OutputDiff> out = new ArrayList<>();
        for (String o : ort.keySet()) {
            out.add(diff(o, ort.get(o), ref.get(o)));
        }
        return out;
    }

    static OutputDiff diff(String name, List<float[]> got, List<float[]> want) {
        double amax = 0;
        long n = 0;
        for (float[] w : want) {
            for (float v : w) {
                if (Float.isFinite(v)) {
                    amax = Math.max(amax, Math.abs(v));
                }
            }
            n += w.length;
        }
        double tol = amax / 127;
        double max = 0;
        long over = 0;
        for (int c = 0; c < got.size(); c++) {
            float[] g = got.get(c);
            float[] w = want.get(c);
            for (int i = 0; i < w.length; i++) {
                boolean same = Float.compare(g[i], w[i]) == 0; // also NaN == NaN, Inf == Inf
                double d = same ? 0 : Math.abs((double) g[i] - w[i]);
                if (Double.isNaN(d)) {
                    d = Double.POSITIVE_INFINITY;
                }
                max = Math.max(max, d);
                if (d > tol) {
                    over++;
                }
            }
        }
        return new OutputDiff(name, n, max, tol, over, amax);
    }
}
