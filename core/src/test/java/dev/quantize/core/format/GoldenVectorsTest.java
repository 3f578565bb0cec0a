package dev.quantize.core.format;

import dev.quantize.core.SharedData;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.quantize.core.format.golden.GoldenCase;
import dev.quantize.core.format.golden.GoldenSuite;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;

class GoldenVectorsTest {
    @Test
    void everyGoldenCasePasses() {
        Path dir = SharedData.root().resolve("golden/mx");
        List<GoldenCase> cases = GoldenSuite.load(dir);
        assertEquals(471, cases.size(), "the top-level manifest announces 471 cases");
        List<GoldenSuite.Result> results = GoldenSuite.run(cases, r -> { });
        String failures = results.stream().filter(r -> !r.passed())
                .map(r -> r.goldenCase().set() + "/" + r.goldenCase().name() + " [" + r.goldenCase().formatSpec() + "]: " + r.failure())
                .collect(Collectors.joining("\n"));
        assertTrue(failures.isEmpty(), failures);
    }
}
