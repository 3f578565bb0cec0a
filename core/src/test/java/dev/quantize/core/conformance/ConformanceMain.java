package dev.quantize.core.conformance;

import java.nio.file.Path;

/** Developer entry point: prints every non-passing outcome. */
public final class ConformanceMain {
    public static void main(String[] args) throws Exception {
        ConformanceResults r = ConformanceRunner.run(Path.of(args[0]));
        for (TestOutcome o : r.outcomes()) {
            if (o.status() != TestOutcome.Status.PASSED) {
                System.out.println(o);
            }
        }
        System.out.println(r.summary());
    }
}
