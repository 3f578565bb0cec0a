package dev.quantize.core.conformance;

import dev.quantize.core.exec.Executor;
import dev.quantize.core.exec.UnsupportedOpsException;
import dev.quantize.core.exec.ops.UnsupportedFeatureException;
import dev.quantize.core.graph.Model;
import dev.quantize.core.graph.ValueInfo;
import dev.quantize.core.kernel.Parallelism;
import dev.quantize.core.onnx.OnnxFormatException;
import dev.quantize.core.onnx.OnnxReader;
import dev.quantize.core.tensor.DataType;
import dev.quantize.core.tensor.Tensor;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;

/**
 * Runs ONNX backend node tests: a folder with one sub-folder per test, each holding
 * {@code model.onnx} and {@code test_data_set_N/} with {@code input_K.pb} and {@code output_K.pb}.
 * A model the reader cannot take or whose ops the executor lacks is skipped with the reason; a test
 * on the exclusion list is reported as excluded with its listed reason; everything else is run and
 * compared: same element type and shape, floats within {@code atol + rtol * |expected|} (NaN equals
 * NaN), integers, bools and strings exactly.
 */
public final class ConformanceRunner {
    /** Tolerances, exclusions, threads. */
    public record Options(double rtol, double atol, Exclusions exclusions, Parallelism parallelism) {
        public static Options defaults() {
            return new Options(1e-3, 1e-4, Exclusions.standard(), Parallelism.single());
        }

        public Options withExclusions(Exclusions e) {
            return new Options(rtol, atol, e, parallelism);
        }
    }

    private final Options options;

    public ConformanceRunner(Options options) {
        this.options = options;
    }

    /** Runs every test under {@code dir} with the default options. */
    public static ConformanceResults run(Path dir) throws IOException {
        return new ConformanceRunner(Options.defaults()).runAll(dir);
    }

    public ConformanceResults runAll(Path dir) throws IOException {
        if (!Files.isDirectory(dir)) {
            throw new IllegalArgumentException(dir + ": not a folder of conformance tests");
        }
        List<Path> tests;
        try (Stream<Path> s = Files.list(dir)) {
            tests = s.filter(p -> Files.isRegularFile(p.resolve("model.onnx"))).sorted().toList();
        }
        List<TestOutcome> out = new ArrayList<>();
        for (Path t : tests) {
            out.add(runOne(t));
        }
        return new ConformanceResults(out);
    }

    /** Runs one test folder. */
    public TestOutcome runOne(Path testDir) throws IOException {
        String name = testDir.getFileName().toString();
        String excluded = options.exclusions().reason(name);
        if (excluded != null) {
            return new TestOutcome(name, TestOutcome.Status.EXCLUDED, excluded);
        }
        Model model;
        try {
            model = OnnxReader.read(testDir.resolve("model.onnx"));
        } catch (OnnxFormatException e) {
            return new TestOutcome(name, TestOutcome.Status.SKIPPED, "model not readable: " + oneLine(e.getMessage()));
        }
        Executor exec;
        try {
            exec = Executor.builder(model).parallelism(options.parallelism()).build();
        } catch (UnsupportedOpsException e) {
            return new TestOutcome(name, TestOutcome.Status.SKIPPED, "unsupported ops: " + String.join(", ", e.opTypes()));
        } catch (RuntimeException e) {
            return new TestOutcome(name, TestOutcome.Status.FAILED, "invalid graph: " + oneLine(e.getMessage()));
        }
        List<Path> sets;
        try (Stream<Path> s = Files.list(testDir)) {
            sets = s.filter(p -> p.getFileName().toString().startsWith("test_data_set_") && Files.isDirectory(p))
                    .sorted().toList();
        }
        if (sets.isEmpty()) {
            return new TestOutcome(name, TestOutcome.Status.FAILED, "no test_data_set_* folder");
        }
        for (Path set : sets) {
            String failure;
            try {
                failure = runDataSet(model, exec, set);
            } catch (RuntimeException e) {
                Throwable c = e;
                while (c != null) {
                    if (c instanceof UnsupportedFeatureException) {
                        return new TestOutcome(name, TestOutcome.Status.SKIPPED, "unsupported feature: " + oneLine(c.getMessage()));
                    }
                    c = c.getCause();
                }
                return new TestOutcome(name, TestOutcome.Status.FAILED, set.getFileName() + ": "
                        + e.getClass().getSimpleName() + ": " + oneLine(e.getMessage()));
            }
            if (failure != null) {
                return new TestOutcome(name, TestOutcome.Status.FAILED, set.getFileName() + ": " + failure);
            }
        }
        return new TestOutcome(name, TestOutcome.Status.PASSED, "");
    }

    private static String oneLine(String s) {
        if (s == null) {
            return "(no message)";
        }
        String t = s.replace('\n', ' ');
        return t.length() > 300 ? t.substring(0, 300) + "..." : t;
    }

    private static List<Tensor> readAll(Path set, String prefix) throws IOException {
        List<Tensor> out = new ArrayList<>();
        for (int i = 0; ; i++) {
            Path p = set.resolve(prefix + i + ".pb");
            if (!Files.exists(p)) {
                return out;
            }
            out.add(OnnxReader.readTensor(p).tensor());
        }
    }

    /** Null when the outputs match, else a one-line reason. */
    private String runDataSet(Model model, Executor exec, Path set) {
        List<Tensor> inputs;
        List<Tensor> expected;
        try {
            inputs = readAll(set, "input_");
            expected = readAll(set, "output_");
        } catch (IOException e) {
            return "cannot read test data: " + e.getMessage();
        }
        List<ValueInfo> declared = model.graph().runtimeInputs();
        if (inputs.size() > declared.size()) {
            return inputs.size() + " inputs given for " + declared.size() + " graph inputs";
        }
        Map<String, Tensor> feed = new LinkedHashMap<>();
        for (int i = 0; i < inputs.size(); i++) {
            feed.put(declared.get(i).name(), inputs.get(i));
        }
        List<ValueInfo> outs = model.graph().outputs();
        if (expected.size() != outs.size()) {
            return expected.size() + " expected outputs for " + outs.size() + " graph outputs";
        }
        Map<String, Tensor> got = exec.run(feed);
        for (int i = 0; i < outs.size(); i++) {
            String why = compare(expected.get(i), got.get(outs.get(i).name()));
            if (why != null) {
                return "output '" + outs.get(i).name() + "': " + why;
            }
        }
        return null;
    }

    /** Null when equal within tolerance, else the first difference. */
    String compare(Tensor expected, Tensor actual) {
        if (expected.type() != actual.type()) {
            return "type " + actual.type() + ", expected " + expected.type();
        }
        if (!Arrays.equals(expected.shape(), actual.shape())) {
            return "shape " + Arrays.toString(actual.shape()) + ", expected " + Arrays.toString(expected.shape());
        }
        int n = expected.size();
        DataType t = expected.type();
        if (t == DataType.STRING) {
            for (int i = 0; i < n; i++) {
                if (!expected.strings()[i].equals(actual.strings()[i])) {
                    return "element " + i + " is '" + actual.strings()[i] + "', expected '" + expected.strings()[i] + "'";
                }
            }
            return null;
        }
        if (t.storage() == DataType.Storage.LONG) {
            for (int i = 0; i < n; i++) {
                if (expected.longs()[i] != actual.longs()[i]) {
                    return "element " + i + " is " + actual.longs()[i] + ", expected " + expected.longs()[i];
                }
            }
            return null;
        }
        for (int i = 0; i < n; i++) {
            double e = expected.getDouble(i);
            double a = actual.getDouble(i);
            if (Double.isNaN(e) && Double.isNaN(a)) {
                continue;
            }
            if (Double.isInfinite(e) || Double.isInfinite(a)) {
                if (e != a) {
                    return "element " + i + " is " + a + ", expected " + e;
                }
                continue;
            }
            if (!(Math.abs(a - e) <= options.atol() + options.rtol() * Math.abs(e))) {
                return "element " + i + " is " + a + ", expected " + e + " (|diff| " + Math.abs(a - e) + ")";
            }
        }
        return null;
    }
}
