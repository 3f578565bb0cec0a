package dev.quantize.monitor.history;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class HistoryModelsTest {
    @TempDir
    Path dir;

    @Test
    void modelsAreTheDistinctModelsWithWindowsSorted() {
        try (History h = History.open(dir.resolve("h.db"))) {
            assertEquals(List.of(), h.models());
            h.append(Records.window("zeta", 1));
            h.append(Records.window("alpha", 1));
            h.append(Records.window("zeta", 2));
            h.append(Records.window("alpha", 1)); // a replaced window counts once
            assertEquals(List.of("alpha", "zeta"), h.models());
        }
    }
}
