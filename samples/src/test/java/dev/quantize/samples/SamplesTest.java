package dev.quantize.samples;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class SamplesTest {
    @TempDir
    Path tmp;

    @Test
    void theCommittedSamplesAreFoundFromTheModuleFolder() throws IOException {
        Path root = Samples.location();
        assertEquals(Path.of("samples", "data"), root.subpath(root.getNameCount() - 2, root.getNameCount()));
        SampleReport dlrm = Samples.readReport(Samples.folder(root, "dlrm"));
        assertEquals("binary", dlrm.task());
        assertEquals(4096.0, dlrm.metric("eval", "rows"));
        assertTrue(Samples.readReport(Samples.folder(root, "mlp")).metric("eval", "accuracy") > 0.8);
    }

    @Test
    void quantizeHomeWins() {
        String old = System.getProperty("quantize.home");
        try {
            System.setProperty("quantize.home", tmp.toString());
            assertEquals(tmp.resolve("samples/data").toAbsolutePath().normalize(), Samples.location());
        } finally {
            if (old == null) {
                System.clearProperty("quantize.home");
            } else {
                System.setProperty("quantize.home", old);
            }
        }
    }

    @Test
    void unknownNamesAndMissingMetricsAreNamed() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> Samples.folder(tmp, "resnet"));
        assertTrue(e.getMessage().contains("dlrm, mlp"), e.getMessage());
        IOException io = assertThrows(IOException.class, () -> Samples.readReport(tmp));
        assertTrue(io.getMessage().contains("--regenerate"), io.getMessage());
    }

    /** Seeded corruption of a real metrics.json: every outcome is a report or an IOException naming the file. */
    @Test
    void corruptedMetricsFilesFailWithTheFileName() throws IOException {
        byte[] good = Files.readAllBytes(Samples.location().resolve("dlrm").resolve(Samples.METRICS));
        SplittableRandom rnd = new SplittableRandom(42);
        Path dir = Files.createDirectory(tmp.resolve("fuzz"));
        Path file = dir.resolve(Samples.METRICS);
        int failures = 0;
        for (int trial = 0; trial < 200; trial++) {
            byte[] bad = trial % 2 == 0 ? java.util.Arrays.copyOf(good, rnd.nextInt(good.length))
                    : good.clone();
            if (trial % 2 == 1) {
                for (int k = 0; k < 1 + rnd.nextInt(4); k++) {
                    bad[rnd.nextInt(bad.length)] = (byte) rnd.nextInt(256);
                }
            }
            Files.write(file, bad);
            try {
                SampleReport r = Samples.readReport(dir);
                assertEquals(3, r.splits().size());
            } catch (IOException e) {
                failures++;
                assertTrue(e.getMessage().contains(file.toString()), e.getMessage());
            }
        }
        assertTrue(failures > 100, "most corruptions must be refused: " + failures);
        Files.writeString(file, "{\"sample\":\"x\",\"task\":\"binary\",\"calib\":{},\"eval\":{\"auc\":\"high\"},\"drift\":{}}",
                StandardCharsets.UTF_8);
        IOException e = assertThrows(IOException.class, () -> Samples.readReport(dir));
        assertTrue(e.getMessage().contains("eval.auc"), e.getMessage());
    }
}
