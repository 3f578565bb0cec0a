package dev.quantize.samples;

import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.quantize.core.io.AtomicFiles;
import dev.quantize.core.onnx.OnnxWriter;
import dev.quantize.core.tensor.Tensor;
import dev.quantize.samples.ctr.DlrmSample;
import dev.quantize.samples.mlp.MlpSample;
import dev.quantize.samples.train.Rng;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;

/**
 * Trains the sample models on their synthetic worlds and writes, per sample, model.onnx, calib.arrow,
 * eval.arrow, drift.arrow and metrics.json. Deterministic: the same seed gives the same bytes.
 * Everything is first written to a temporary folder inside {@code outDir}; only when every sample is
 * complete are the files renamed into place one by one (each rename atomic), so a failure leaves the
 * previous samples untouched.
 */
public final class SampleGenerator {
    private SampleGenerator() {
    }

    /** One sample: trains, measures, and writes its files into {@code dir}. */
    public interface Sample {
        String name();

        /** Builds the world from {@code rng}, trains, and measures; writes nothing. */
        GeneratedSample generate(Rng rng);
    }

    /** The samples, in generation order (each draws its own stream from the seed, in this order). */
    public static List<Sample> samples() {
        return List.of(new DlrmSample(), new MlpSample());
    }

    /** Generates every sample into {@code outDir/<name>/} and returns what the generator measured. */
    public static List<SampleReport> generate(Path outDir, long seed) throws IOException {
        Files.createDirectories(outDir);
        Path temp = Files.createTempDirectory(outDir, ".samples-");
        try {
            Rng root = new Rng(seed);
            List<SampleReport> reports = new ArrayList<>();
            for (Sample s : samples()) {
                GeneratedSample g = s.generate(root.split());
                write(g, seed, Files.createDirectory(temp.resolve(s.name())));
                reports.add(g.report());
            }
            for (Sample s : samples()) {
                Path target = Files.createDirectories(outDir.resolve(s.name()));
                for (String file : Samples.FILES) {
                    try {
                        AtomicFiles.commit(temp.resolve(s.name()).resolve(file), target.resolve(file));
                    } catch (AtomicMoveNotSupportedException e) {
                        throw new IOException("cannot move " + file + " into " + target + " atomically", e);
                    }
                }
            }
            return reports;
        } finally {
            deleteTree(temp);
        }
    }

    private static void deleteTree(Path dir) throws IOException {
        if (!Files.exists(dir)) {
            return;
        }
        try (Stream<Path> walk = Files.walk(dir)) {
            for (Path p : walk.sorted(Comparator.reverseOrder()).toList()) {
                Files.delete(p);
            }
        } catch (UncheckedIOException e) {
            throw e.getCause();
        }
    }

    private static void write(GeneratedSample g, long seed, Path dir) throws IOException {
        OnnxWriter.write(g.model(), dir.resolve(Samples.MODEL));
        for (String split : Samples.SPLITS) {
            Map<String, Tensor> columns = g.data().get(split);
            if (columns == null) {
                throw new IllegalStateException("sample " + g.report().name() + " produced no '" + split + "' split");
            }
            SampleFiles.writeArrow(dir.resolve(split + ".arrow"), columns);
        }
        ObjectNode root = SampleFiles.JSON.createObjectNode();
        root.put("sample", g.report().name());
        root.put("task", g.report().task());
        root.put("seed", seed);
        g.report().splits().forEach((split, metrics) -> {
            ObjectNode o = root.putObject(split);
            metrics.forEach(o::put);
        });
        g.details().forEach((k, v) -> root.set(k, SampleFiles.JSON.valueToTree(v)));
        SampleFiles.writeJson(dir.resolve(Samples.METRICS), root);
    }
}
