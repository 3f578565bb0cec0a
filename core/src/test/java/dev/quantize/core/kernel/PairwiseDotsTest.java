package dev.quantize.core.kernel;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

/** Pairwise dots against the plain triple loop they must match bit for bit. */
class PairwiseDotsTest {
    @Test
    void matchesThePlainLoopForEveryBatchTail() {
        SplittableRandom r = new SplittableRandom(3);
        int m = 9;
        int k = 16;
        int[] rows = {1, 2, 2, 8, 0, 4};
        int[] cols = {0, 0, 1, 7, 0, 4};
        for (int batches : new int[] {1, 15, 16, 17, 100}) {
            float[] x = new float[batches * m * k];
            for (int i = 0; i < x.length; i++) {
                x[i] = i % 11 == 0 ? -0f : (float) (r.nextGaussian() * 3);
            }
            for (Parallelism par : new Parallelism[] {Parallelism.single(), Parallelism.of(2)}) {
                float[] y = new float[batches * rows.length];
                PairwiseDots.compute(x, batches, m, k, rows, cols, y, par);
                for (int b = 0; b < batches; b++) {
                    for (int t = 0; t < rows.length; t++) {
                        float s = 0f;
                        for (int p = 0; p < k; p++) {
                            s += x[(b * m + rows[t]) * k + p] * x[(b * m + cols[t]) * k + p];
                        }
                        assertEquals(Float.floatToRawIntBits(s), Float.floatToRawIntBits(y[b * rows.length + t]),
                                batches + " batches, entry " + b + "," + t);
                    }
                }
            }
        }
    }
}
