package dev.quantize.calibration;

/** Told after every batch: which pass (1 or 2), rows done in it, and rows expected per pass (-1 if unknown). */
@FunctionalInterface
public interface CalibrationProgress {
    CalibrationProgress NONE = (pass, rows, total) -> { };

    void update(int pass, long rowsDone, long rowsPerPass);
}
