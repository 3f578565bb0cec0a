package dev.quantize.core.conformance;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayInputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;

class ConformanceTest {
    private static final Path NODE_TESTS = Path.of(System.getProperty("quantize.onnxNodeTests",
            "/usr/share/libonnx-testdata/data/node"));

    @Test
    void everyNonExcludedNodeTestWithSupportedOpsPasses() throws Exception {
        Assumptions.assumeTrue(Files.isDirectory(NODE_TESTS),
                "ONNX backend node tests not installed at " + NODE_TESTS + "; skipping conformance run");
        ConformanceResults r = ConformanceRunner.run(NODE_TESTS);
        System.out.println("ONNX node conformance: " + r.summary());
        for (Map.Entry<String, Integer> e : r.skipReasons().entrySet()) {
            System.out.println("  skipped x" + e.getValue() + ": " + e.getKey());
        }
        List<TestOutcome> failed = r.withStatus(TestOutcome.Status.FAILED);
        failed.forEach(o -> System.out.println("  " + o));
        assertEquals(List.of(), failed);
        // A sanity floor so a broken reader or executor cannot pass by skipping everything.
        assertTrue(r.count(TestOutcome.Status.PASSED) >= 590, r.summary());
        // Every exclusion names a test that exists.
        for (String name : Exclusions.standard().all().keySet()) {
            assertTrue(Files.isDirectory(NODE_TESTS.resolve(name)), "excluded test " + name + " does not exist");
        }
    }

    @Test
    void exclusionsNeedReasons() throws Exception {
        Exclusions ok = Exclusions.parse(new ByteArrayInputStream(
                "# comment\n\ntest_a  # because\n".getBytes(StandardCharsets.UTF_8)), "x.txt");
        assertEquals(Map.of("test_a", "because"), ok.all());
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> Exclusions.parse(
                new ByteArrayInputStream("test_a\n".getBytes(StandardCharsets.UTF_8)), "x.txt"));
        assertEquals("x.txt line 1: expected 'test_name  # reason', got 'test_a'", e.getMessage());
        assertThrows(IllegalArgumentException.class, () -> Exclusions.parse(new ByteArrayInputStream(
                "test_a # r\ntest_a # r\n".getBytes(StandardCharsets.UTF_8)), "x.txt"));
        assertTrue(Exclusions.standard().all().values().stream().noneMatch(String::isBlank));
    }
}
