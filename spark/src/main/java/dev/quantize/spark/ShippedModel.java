package dev.quantize.spark;

import dev.quantize.core.exec.Executor;
import dev.quantize.core.graph.Model;
import dev.quantize.core.onnx.OnnxReader;
import dev.quantize.quantizer.artifact.Artifact;
import dev.quantize.quantizer.emulate.PlanInterceptor;
import dev.quantize.quantizer.plan.QuantPlan;
import java.io.IOException;
import java.io.Serializable;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import org.apache.spark.api.java.JavaSparkContext;
import org.apache.spark.broadcast.Broadcast;

/**
 * A model file (.onnx or quantized artifact) sent to the executors once: its bytes travel as a Spark
 * broadcast (fetched once per executor JVM), and each JVM parses them once and keeps the model for all
 * the tasks it runs. Tasks get their own {@link Executor} over the shared, read-only model. An artifact
 * runs as {@code quantize eval} runs it: its decoded weights, its plan's activation formats.
 */
public final class ShippedModel implements Serializable {
    private static final long serialVersionUID = 1L;
    /** Parsed models per broadcast, per JVM. */
    private static final Map<Long, Loaded> CACHE = new ConcurrentHashMap<>();

    private final String name;
    private final Broadcast<byte[]> bytes;

    private ShippedModel(String name, Broadcast<byte[]> bytes) {
        this.name = name;
        this.bytes = bytes;
    }

    /** Reads {@code path} on the driver and broadcasts its bytes. */
    public static ShippedModel ship(JavaSparkContext sc, Path path) throws IOException {
        return new ShippedModel(path.getFileName().toString(), sc.broadcast(Files.readAllBytes(path)));
    }

    /** The file name, for messages. */
    public String name() {
        return name;
    }

    /** The parsed model on this JVM (parsed on first use). */
    Loaded loaded() {
        return CACHE.computeIfAbsent(bytes.id(), id -> parse(name, bytes.value()));
    }

    /** The model as it runs: for an artifact, its emulation model. */
    public Model model() {
        return loaded().model();
    }

    /** An artifact's plan (null for an .onnx model). */
    public QuantPlan plan() {
        return loaded().plan();
    }

    /** A fresh single-threaded executor (Spark's tasks are the parallelism). */
    public Executor executor() {
        Loaded l = loaded();
        Executor e = Executor.builder(l.model()).threads(1).build();
        if (l.plan() != null) {
            // The weights are already quantized: emulate the plan's activation formats only.
            e.addInterceptor(new PlanInterceptor(l.model(), l.plan(), e.parallelism(), false));
        }
        return e;
    }

    /** Drops this model from the JVM's cache and the broadcast from the executors. */
    public void release() {
        CACHE.remove(bytes.id());
        bytes.destroy();
    }

    record Loaded(Model model, QuantPlan plan) {
    }

    private static Loaded parse(String name, byte[] data) {
        try {
            Path tmp = Files.createTempFile("quantize-model-", "-" + name);
            try {
                Files.write(tmp, data);
                if (Artifact.isArtifact(tmp)) {
                    try (Artifact a = Artifact.open(tmp)) {
                        return new Loaded(a.emulationModel(), a.plan());
                    }
                }
                return new Loaded(OnnxReader.read(tmp), null);
            } finally {
                Files.deleteIfExists(tmp);
            }
        } catch (IOException e) {
            throw new UncheckedIOException(name + ": cannot read the shipped model: " + e.getMessage(), e);
        }
    }
}
