package dev.quantize.quantizer.serve;

import dev.quantize.core.exec.Executor;
import dev.quantize.core.tensor.Tensor;
import dev.quantize.quantizer.artifact.StreamedTableArtifact;
import java.nio.file.Path;
import java.util.Map;
import java.util.SplittableRandom;

/**
 * Run in a child JVM with a small heap by {@link LargeTableTest}: opens the streamed artifact packed
 * (no checksum pass), predicts a few batches of random bags and compares every output with the sum
 * computed here from the generator's formula for the rows touched (not from the file). Prints
 * "ok ROWS OUTPUTS HEAP_MAX" and exits 0, or prints the first mismatch and exits 1.
 */
public final class LargeTableChild {
    private LargeTableChild() {
    }

    public static void main(String[] args) throws Exception {
        Path file = Path.of(args[0]);
        int rows = Integer.parseInt(args[1]);
        int cols = Integer.parseInt(args[2]);
        int bag = StreamedTableArtifact.BAG;
        SplittableRandom rnd = new SplittableRandom(23);
        long checked = 0;
        try (PackedModel pm = PackedModel.open(file, false)) {
            Executor ex = pm.executor().threads(2).build();
            for (int b = 0; b < 4; b++) {
                int batch = 257;
                long[] idx = new long[batch * bag];
                for (int i = 0; i < idx.length; i++) {
                    idx[i] = i % 5 == 0 ? rows - 1 - rnd.nextInt(16) : rnd.nextInt(rows); // the end of the table too
                }
                Map<String, Tensor> out = ex.run(Map.of("idx", Tensor.ofLongs(new int[] {batch, bag}, idx)));
                float[] got = out.get("pooled").floats();
                for (int s = 0; s < batch; s++) {
                    for (int j = 0; j < cols; j++) {
                        double acc = 0;
                        for (int k = 0; k < bag; k++) {
                            long r = idx[s * bag + k];
                            acc += StreamedTableArtifact.code(r, j) * StreamedTableArtifact.scale(r) + StreamedTableArtifact.bias(r);
                        }
                        float want = (float) acc;
                        if (Float.floatToIntBits(want) != Float.floatToIntBits(got[s * cols + j])) {
                            System.out.println("mismatch at batch " + b + " sample " + s + " column " + j + ": " + got[s * cols + j]
                                    + " != " + want);
                            System.exit(1);
                        }
                        checked++;
                    }
                }
            }
        }
        System.out.println("ok " + rows + " " + checked + " " + Runtime.getRuntime().maxMemory());
    }
}
