package dev.quantize.quantizer.serve;

import dev.quantize.core.exec.Executor;
import dev.quantize.core.graph.Model;
import dev.quantize.quantizer.artifact.Artifact;
import java.io.IOException;
import java.nio.file.Path;
import java.util.Map;

/**
 * An artifact served from its packed bytes: the file is memory-mapped (loading copies no packed
 * weight; a table larger than the heap pages in from disk as its rows are touched) and the graph is
 * rewritten so that each quantized layer runs a kernel over its packed weight (see
 * {@link PackedRewrite}). Outputs equal the emulated model's ({@code Artifact.emulationModel} with
 * {@code PlanInterceptor}) bit for bit for row-wise tables and weight-only formats.
 *
 * <p>Keep it open while executors built from it run: the kernels read the mapping.
 */
public final class PackedModel implements AutoCloseable {
    private final Artifact artifact;
    private final PackedRewrite.Result rewritten;

    private PackedModel(Artifact artifact) {
        this.artifact = artifact;
        this.rewritten = PackedRewrite.rewrite(artifact);
    }

    /**
     * Maps and rewrites an artifact. With {@code verify} every tensor's checksum is computed first (a
     * read of the whole file); without, only the header, manifest, graph and layout are checked (see
     * {@link Artifact#open(Path, boolean)}).
     */
    public static PackedModel open(Path path, boolean verify) throws IOException {
        Artifact a = Artifact.open(path, verify);
        try {
            return new PackedModel(a);
        } catch (RuntimeException e) {
            a.close();
            throw e;
        }
    }

    public Artifact artifact() {
        return artifact;
    }

    /** The rewritten graph (packed ops in domain "dev.quantize"); run it with {@link #executor}. */
    public Model model() {
        return rewritten.model();
    }

    /** An executor builder for the rewritten model with the packed ops registered; add threads, listeners. */
    public Executor.Builder executor() {
        return Executor.builder(rewritten.model()).registry(rewritten.ops().registry());
    }

    /** What runs each quantized layer of the plan (layer display name to a short description). */
    public Map<String, String> kernels() {
        Map<String, String> out = new java.util.LinkedHashMap<>();
        rewritten.kernels().forEach((k, v) -> out.put(k, v.description));
        return out;
    }

    /** The per-model op table (tests reach the packed layers through it). */
    PackedOps ops() {
        return rewritten.ops();
    }

    @Override
    public void close() throws IOException {
        artifact.close();
    }
}
