package dev.quantize.core.format.golden;

import java.nio.file.Path;

/**
 * One golden-vector case as its manifest describes it (numeric-formats.md, section 7). Paths are
 * resolved against the manifest's folder. Row-wise cases have {@code expectedPacked}; the others
 * have {@code expected} and, for block formats, {@code blockSize} and {@code axis}.
 */
public record GoldenCase(String set, String name, String format, String rounding, Integer blockSize, Integer axis,
                         int[] shape, Path input, Path expected, Path expectedPacked, Path expectedDequant) {

    /** The registry name of the format this case exercises, with its options. */
    public String formatSpec() {
        StringBuilder sb = new StringBuilder(format);
        if (blockSize != null) {
            sb.append(":k").append(blockSize);
        }
        if (rounding != null && !rounding.equals("nearest_ties_away_saturating")) {
            sb.append(':').append(dev.quantize.core.format.Rounding.parse(rounding).shortName());
        }
        return sb.toString();
    }

    public boolean rowwise() {
        return expectedPacked != null;
    }
}
