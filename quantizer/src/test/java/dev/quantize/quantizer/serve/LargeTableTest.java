package dev.quantize.quantizer.serve;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.quantize.quantizer.artifact.StreamedTableArtifact;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * An artifact whose table (1.15 GB: 16M rows x 64 columns, 72 bytes a row) is over four times the
 * heap of the JVM that serves it (-Xmx256m): it must open and predict correctly, the rows paging in
 * from the mapped file as they are touched. The artifact is written streaming into a temp folder and
 * deleted afterwards; the serving JVM is a child process (surefire runs every test in one JVM).
 */
class LargeTableTest {
    private static final int ROWS = 16 << 20;
    private static final int COLS = 64;

    @TempDir
    Path tmp;

    @Test
    void aTableFourTimesTheHeapPredictsCorrectlyFromTheMappedFile() throws Exception {
        long need = (long) ROWS * (COLS + 8);
        Assumptions.assumeTrue(Files.getFileStore(tmp).getUsableSpace() > 3 * need,
                "needs " + 3 * need + " bytes free in " + tmp);
        Path file = tmp.resolve("large.qz");
        try {
            long size = StreamedTableArtifact.write(file, ROWS, COLS);
            assertEquals(size, Files.size(file));
            assertTrue(size > (1L << 30), "the artifact exceeds 1 GiB: " + size);
            List<String> cmd = new ArrayList<>();
            cmd.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
            cmd.add("-Xmx256m");
            cmd.add("--add-modules=jdk.incubator.vector");
            cmd.add("-cp");
            cmd.add(System.getProperty("java.class.path"));
            cmd.add(LargeTableChild.class.getName());
            cmd.add(file.toString());
            cmd.add(Integer.toString(ROWS));
            cmd.add(Integer.toString(COLS));
            Process p = new ProcessBuilder(cmd).redirectErrorStream(true).start();
            String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
            int code = p.waitFor();
            String last = out.strip().lines().reduce((a, b) -> b).orElse("");
            assertEquals(0, code, out);
            String[] f = last.split(" ");
            assertEquals("ok", f[0], out);
            assertEquals(ROWS, Integer.parseInt(f[1]));
            assertEquals(4L * 257 * COLS, Long.parseLong(f[2]), "every output was compared");
            assertTrue(Long.parseLong(f[3]) <= 256L << 20, "the child's heap is at most 256 MiB: " + f[3]);
        } finally {
            Files.deleteIfExists(file);
        }
    }
}
