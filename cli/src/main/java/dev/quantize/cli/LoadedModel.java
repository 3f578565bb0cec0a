package dev.quantize.cli;

import dev.quantize.core.exec.Executor;
import dev.quantize.core.graph.Model;
import dev.quantize.core.onnx.OnnxReader;
import dev.quantize.quantizer.artifact.Artifact;
import dev.quantize.quantizer.emulate.PlanInterceptor;
import java.io.IOException;
import java.nio.file.Path;
import java.util.Optional;

/**
 * A model the commands can run: an .onnx file as it is, or a quantized artifact (recognised by its
 * content) as the quantized model it stores: its decoded weights, its plan's activation formats.
 */
record LoadedModel(Model model, Executor executor, boolean artifact, Optional<String> reportJson) {
    static LoadedModel load(Path path, Integer threads) throws IOException {
        if (Artifact.isArtifact(path)) {
            try (Artifact a = Artifact.open(path)) {
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
