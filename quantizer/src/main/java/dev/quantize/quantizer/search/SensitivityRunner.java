package dev.quantize.quantizer.search;

import java.io.Serializable;
import java.util.List;

/**
 * Runs step 1 of the {@link FormatSearch}, the sensitivity trials (one layer alone in one candidate
 * format), and returns the primary metric of each trial in the order given. The search's own runner
 * evaluates them in this JVM; a runner may instead fan them out (e.g. as Spark tasks), as long as each
 * value is what {@link FormatSearch#measure} gives for that trial.
 */
@FunctionalInterface
public interface SensitivityRunner {
    double[] run(List<Trial> trials);

    /** One sensitivity trial: layer {@code layer} (its node's display name) alone in candidate {@code candidate}. */
    record Trial(String layer, String candidate) implements Serializable {
    }
}
