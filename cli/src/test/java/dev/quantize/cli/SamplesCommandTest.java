package dev.quantize.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import dev.quantize.samples.SampleReport;
import dev.quantize.samples.Samples;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class SamplesCommandTest {
    @TempDir
    Path tmp;

    @Test
    void listsTheEmbeddedSamplesWithTheirMetrics() throws IOException {
        CliRun r = CliRun.of("samples", "--json");
        assertEquals(0, r.exitCode(), r.err());
        JsonNode root = Json.MAPPER.readTree(r.out());
        assertEquals(Samples.location().toString(), root.get("location").asText());
        assertEquals(2, root.get("samples").size());
        for (JsonNode s : root.get("samples")) {
            Path dir = Path.of(s.get("path").asText());
            SampleReport expected = Samples.readReport(dir);
            assertEquals(expected.name(), s.get("name").asText());
            assertEquals(expected.metric("eval", expected.task().equals("binary") ? "auc" : "accuracy"),
                    s.get("metrics").get("eval").get(expected.task().equals("binary") ? "auc" : "accuracy").asDouble());
            assertEquals(Samples.FILES.size(), s.get("files").size());
            for (JsonNode f : s.get("files")) {
                assertEquals(Files.size(dir.resolve(f.get("name").asText())), f.get("bytes").asLong());
            }
        }
        CliRun text = CliRun.of("samples");
        assertEquals(0, text.exitCode(), text.err());
        assertTrue(text.out().contains("dlrm (binary") && text.out().contains("mlp (multiclass"), text.out());
        assertTrue(text.out().contains("normalized_entropy") && text.out().contains("accuracy"), text.out());
    }

    @Test
    void aFolderWithoutSamplesIsAUserErrorThatSaysHowToMakeThem() {
        CliRun r = CliRun.of("samples", "--out", tmp.toString());
        assertEquals(2, r.exitCode());
        assertTrue(r.err().contains("no sample 'dlrm'") && r.err().contains("--regenerate --out"), r.err());
    }
}
