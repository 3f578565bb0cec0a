package dev.quantize.cli;

import dev.quantize.core.exec.Executor;
import dev.quantize.core.graph.Model;
import dev.quantize.core.onnx.OnnxReader;
import dev.quantize.quantizer.artifact.Artifact;
import dev.quantize.quantizer.emulate.PlanInterceptor;
import dev.quantize.quantizer.serve.PackedModel;
import java.io.IOException;
import java.nio.file.Path;
import java.util.Optional;

/**
 * A model the commands can run: an .onnx file as it is, or a quantized artifact (recognised by its
 * content) as the quantized model it stores. An artifact runs from its packed bytes (memory-mapped,
 * packed kernels; see {@link PackedModel}) unless {@code emulate} asks for fake quantization (its
 * decoded weights, its plan's activation formats on the float path).
 */
record LoadedModel(Model model, Executor executor, boolean artifact, Optional<String> reportJson) {
    /** Options of the commands that load a model. */
    static final class Options {
        @picocli.CommandLine.Option(names = "--emulate",
                description = "Run an artifact by fake quantization (decoded weights, float kernels) instead of from its packed bytes.")
        boolean emulate;

        @picocli.CommandLine.Option(names = "--verify", negatable = true, defaultValue = "true", fallbackValue = "true",
                description = "Check every tensor's checksum when opening an artifact (reads the whole file; default on). "
                        + "--no-verify opens a model with tables larger than memory at once, paging in only the rows it touches.")
        boolean verify = true;
    }

    static LoadedModel load(Path path, Integer threads) throws IOException {
        return load(path, threads, new Options());
    }

    static LoadedModel load(Path path, Integer threads, Options options) throws IOException {
        if (Artifact.isArtifact(path)) {
            if (!options.emulate) {
                // The mappings stay valid after close: the executor's kernels keep reading them.
                try (PackedModel pm = PackedModel.open(path, options.verify)) {
                    Executor.Builder b = pm.executor();
                    if (threads != null) {
                        b.threads(threads);
                    }
                    return new LoadedModel(pm.model(), b.build(), true, pm.artifact().reportJson());
                }
            }
            try (Artifact a = Artifact.open(path, options.verify)) {
                Model model = a.emulationModel();
                Executor executor = builder(model, threads).build();
                // The weights are already quantized: emulate the plan's activation formats only.
                executor.addInterceptor(new PlanInterceptor(model, a.plan(), executor.parallelism(), false));
                return new LoadedModel(model, executor, true, a.reportJson());
            }
        }
        Model model = OnnxReader.read(path);
        return new LoadedModel(model, builder(model, threads).build(), false, Optional.empty());
    }

    private static Executor.Builder builder(Model model, Integer threads) {
        Executor.Builder b = Executor.builder(model);
        if (threads != null) {
            b.threads(threads);
        }
        return b;
    }
}
