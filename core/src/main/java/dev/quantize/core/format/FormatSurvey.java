package dev.quantize.core.format;

import dev.quantize.core.metrics.ErrorStats;
import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;

/**
 * Compares formats the way the BDR paper does: the QSNR each reaches on a standard-normal tensor and
 * on a heavy-tailed one (Student's t with 3 degrees of freedom: finite variance, rare large values,
 * like activations with outliers). Both tensors are (rows, 1024), seeded, quantized along the last
 * axis (blocks, groups and rows along it; channels across it).
 */
public final class FormatSurvey {
    /** One line of the survey. */
    public record Row(String name, String description, double bitsPerElement, float maxValue,
                      double qsnrNormalDb, double qsnrHeavyTailedDb) {
    }

    private FormatSurvey() {
    }

    static float[] normal(int n, long seed) {
        SplittableRandom r = new SplittableRandom(seed);
        float[] x = new float[n];
        for (int i = 0; i < n; i++) {
            x[i] = (float) r.nextGaussian();
        }
        return x;
    }

    /** Student's t(3): a normal over sqrt(chi-square(3) / 3). */
    static float[] heavyTailed(int n, long seed) {
        SplittableRandom r = new SplittableRandom(seed);
        float[] x = new float[n];
        for (int i = 0; i < n; i++) {
            double chi = 0;
            for (int k = 0; k < 3; k++) {
                double g = r.nextGaussian();
                chi += g * g;
            }
            x[i] = (float) (r.nextGaussian() / Math.sqrt(chi / 3));
        }
        return x;
    }

    /** Surveys the given formats on tensors of {@code rows} x 1024. */
    public static List<Row> run(List<NumericFormat> formats, int rows) {
        int[] shape = {rows, 1024};
        float[] normal = normal(rows * 1024, 42);
        float[] heavy = heavyTailed(rows * 1024, 43);
        List<Row> out = new ArrayList<>();
        for (NumericFormat f : formats) {
            String base = f.name().split(":")[0];
            double qn = ErrorStats.of(normal, f.quantizeDequantize(normal, shape, 1)).sqnrDb();
            double qh = ErrorStats.of(heavy, f.quantizeDequantize(heavy, shape, 1)).sqnrDb();
            out.add(new Row(f.name(), FormatRegistry.description(base), f.bitsPerElement(), f.maxValue(), qn, qh));
        }
        return out;
    }
}
