package dev.quantize.core.exec;

import dev.quantize.core.graph.Model;
import dev.quantize.core.graph.ValueInfo;
import dev.quantize.core.onnx.OnnxReader;
import dev.quantize.core.tensor.Tensor;
import java.nio.file.Path;
import java.util.Map;
import java.util.Random;

/**
 * Prints an OpTimer profile of one model at one batch size (random normal inputs of its single float
 * input's row width). Not a test: timing is printed, never asserted. Run after {@code mvn test-compile}:
 * <pre>
 * java --add-modules=jdk.incubator.vector -cp core/target/classes:core/target/test-classes:$(cat cp.txt) \
 *     dev.quantize.core.exec.ExecutorProfile MODEL.onnx [batch] [threads] [seconds]
 * </pre>
 */
public final class ExecutorProfile {
    private ExecutorProfile() {
    }

    public static void main(String[] args) throws Exception {
        Model model = OnnxReader.read(Path.of(args[0]));
        int batch = args.length > 1 ? Integer.parseInt(args[1]) : 1024;
        int threads = args.length > 2 ? Integer.parseInt(args[2]) : 2;
        double seconds = args.length > 3 ? Double.parseDouble(args[3]) : 3;
        ValueInfo in = model.graph().inputs().get(0);
        int width = (int) in.shape().get(1).value();
        float[] x = new float[batch * width];
        Random rnd = new Random(1);
        for (int i = 0; i < x.length; i++) {
            x[i] = (float) rnd.nextGaussian();
        }
        Map<String, Tensor> feeds = Map.of(in.name(), Tensor.ofFloats(new int[] {batch, width}, x));
        Executor plain = Executor.builder(model).threads(threads).build();
        OpTimer timer = new OpTimer();
        Executor timed = Executor.builder(model).threads(threads).listener(timer).build();
        for (Executor e : new Executor[] {plain, timed}) {
            long end = System.nanoTime() + (long) (seconds * 1e9);
            while (System.nanoTime() < end) {
                e.run(feeds);
            }
        }
        timer.reset();
        long end = System.nanoTime() + (long) (seconds * 1e9);
        int runs = 0;
        while (System.nanoTime() < end) {
            timed.run(feeds);
            runs++;
        }
        long t0 = System.nanoTime();
        int plainRuns = 0;
        while (System.nanoTime() - t0 < seconds * 1e9) {
            plain.run(feeds);
            plainRuns++;
        }
        double plainMs = (System.nanoTime() - t0) / 1e6 / plainRuns;
        System.out.printf("plain run: %.3f ms/batch; timed: %.3f ms/batch of node time%n", plainMs,
                timer.totalNanos() / 1e6 / runs);
        System.out.println(timer.report(12));
    }
}
