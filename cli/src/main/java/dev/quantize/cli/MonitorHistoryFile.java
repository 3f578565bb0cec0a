package dev.quantize.cli;

import dev.quantize.monitor.history.History;
import dev.quantize.monitor.history.WindowRecord;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.List;

/**
 * Opening a history for reading from the command line: the file must exist and be non-empty (History
 * would create one, which a read command must not), and the model is the one named or the only one.
 */
final class MonitorHistoryFile {
    private MonitorHistoryFile() {
    }

    /** Opens an existing history; a missing or empty file is a user error. */
    static History open(Path db) throws IOException {
        if (!Files.exists(db)) {
            throw new NoSuchFileException(db.toString());
        }
        if (Files.isDirectory(db)) {
            throw new IllegalArgumentException(db + " is a directory, not a monitor history");
        }
        if (Files.size(db) == 0) {
            throw new IllegalArgumentException(db + " is empty, not a monitor history (run quantize monitor run first)");
        }
        return History.open(db);
    }

    /** The model's windows, oldest first; without a model, those of the only model in the history. */
    static Selection windows(History h, String model) {
        List<String> models = h.models();
        if (models.isEmpty()) {
            throw new IllegalArgumentException(h.file() + " has no windows yet");
        }
        if (model == null) {
            if (models.size() > 1) {
                throw new IllegalArgumentException(h.file() + " holds " + models.size() + " models (" + String.join(", ", models)
                        + "): choose one with --model");
            }
            model = models.get(0);
        } else if (!models.contains(model)) {
            throw new IllegalArgumentException(h.file() + " has no windows for model '" + model + "' (models: "
                    + String.join(", ", models) + ")");
        }
        return new Selection(model, h.windows(model));
    }

    record Selection(String model, List<WindowRecord> windows) {
    }
}
