package dev.quantize.core.conformance;

import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/** All outcomes of a conformance run, sorted by test name, with counts per status. */
public record ConformanceResults(List<TestOutcome> outcomes) {
    public ConformanceResults {
        outcomes = List.copyOf(outcomes);
    }

    public long count(TestOutcome.Status status) {
        return outcomes.stream().filter(o -> o.status() == status).count();
    }

    public List<TestOutcome> withStatus(TestOutcome.Status status) {
        return outcomes.stream().filter(o -> o.status() == status).toList();
    }

    /** How many skipped tests name each reason's leading words (e.g. "unsupported ops: Loop"). */
    public Map<String, Integer> skipReasons() {
        Map<String, Integer> m = new TreeMap<>();
        for (TestOutcome o : withStatus(TestOutcome.Status.SKIPPED)) {
            m.merge(o.reason(), 1, Integer::sum);
        }
        return m;
    }

    public String summary() {
        return "passed " + count(TestOutcome.Status.PASSED) + ", failed " + count(TestOutcome.Status.FAILED)
                + ", skipped " + count(TestOutcome.Status.SKIPPED) + ", excluded " + count(TestOutcome.Status.EXCLUDED)
                + " (of " + outcomes.size() + ")";
    }
}
