package dev.quantize.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class FormatCommandsTest {
    @TempDir
    Path tmp;

    @Test
    void goldenPassesOnTheSharedVectors() {
        CliRun r = CliRun.of("golden", CliRun.shared().resolve("golden/mx").toString());
        assertEquals(0, r.exitCode(), r.err());
        assertEquals("471 passed, 0 failed", r.out().strip());
    }

    private Path copyOfCaseSet(String set) throws IOException {
        Path src = CliRun.shared().resolve("golden/mx").resolve(set);
        Path dst = tmp.resolve(set);
        try (Stream<Path> files = Files.walk(src)) {
            for (Path p : (Iterable<Path>) files::iterator) {
                Path q = dst.resolve(src.relativize(p).toString());
                if (Files.isDirectory(p)) {
                    Files.createDirectories(q);
                } else {
                    Files.copy(p, q, StandardCopyOption.REPLACE_EXISTING);
                }
            }
        }
        return dst;
    }

    @Test
    void goldenReportsAFailingCaseAndExitsOne() throws IOException {
        Path set = copyOfCaseSet("bdr_shared_microexponent");
        Path expected = set.resolve("expected/pub_mx9_normal_away_k16_ax1_c0.bin");
        byte[] b = Files.readAllBytes(expected);
        b[4] ^= 0x01; // flip the lowest mantissa bit of element 1
        Files.write(expected, b);
        CliRun r = CliRun.of("golden", set.toString());
        assertEquals(1, r.exitCode());
        assertTrue(r.out().contains("FAIL bdr_shared_microexponent/pub_mx9_normal_away_k16_ax1_c0 [mx9:k16]: fake quantization: 1 of 300 elements differ; first at 1"), r.out());
        assertTrue(r.out().strip().endsWith("35 passed, 1 failed"), r.out());
    }

    @Test
    void goldenOnAMalformedManifestOrMissingFileExitsTwoNamingIt() throws IOException {
        Path set = copyOfCaseSet("rowwise_embedding");
        Files.delete(set.resolve("expected/pub_rowwise8_edge_10x24.dequant.bin"));
        CliRun missing = CliRun.of("golden", set.toString());
        assertEquals(2, missing.exitCode());
        assertTrue(missing.err().contains("pub_rowwise8_edge_10x24.dequant.bin"), missing.err());
        assertFalse(missing.err().contains("\tat "), "no stack trace");
        Files.writeString(set.resolve("manifest.json"), "{\"cases\": [ {\"name\": 1 ");
        CliRun bad = CliRun.of("golden", set.toString());
        assertEquals(2, bad.exitCode());
        assertTrue(bad.err().contains("manifest.json: not valid JSON"), bad.err());
        assertEquals(1, bad.err().strip().lines().count(), "one line: " + bad.err());
    }

    @Test
    void formatsJsonListsEveryStandardFormatWithItsFigures() throws IOException {
        CliRun r = CliRun.of("formats", "--json", "--rows", "16");
        assertEquals(0, r.exitCode(), r.err());
        JsonNode root = Json.MAPPER.readTree(r.out());
        JsonNode formats = root.get("formats");
        assertEquals(24, formats.size());
        JsonNode mxfp4 = null;
        for (JsonNode f : formats) {
            if (f.get("name").asText().equals("mxfp4_e2m1")) {
                mxfp4 = f;
            }
        }
        assertEquals(4.25, mxfp4.get("bits_per_element").asDouble());
        // FP4 with a shared power-of-two scale: roughly 17-19 dB on Gaussian data (the MX paper's range)
        double q = mxfp4.get("qsnr_normal_db").asDouble();
        assertTrue(q > 16 && q < 21, "mxfp4 QSNR " + q);
        assertEquals("Infinity", formats.get(0).get("qsnr_normal_db").asText(), "fp32 is exact");
    }

    @Test
    void unknownFormatIsOneLineAndExitTwo() {
        CliRun r = CliRun.of("formats", "mxfp5");
        assertEquals(2, r.exitCode());
        assertTrue(r.err().startsWith("quantize formats: error: unknown format 'mxfp5'"), r.err());
    }
}
