package dev.quantize.samples.mlp;

import dev.quantize.core.metrics.ClassificationMetrics;
import dev.quantize.core.tensor.DataType;
import dev.quantize.core.tensor.Tensor;
import dev.quantize.samples.GeneratedSample;
import dev.quantize.samples.OrderedMap;
import dev.quantize.samples.SampleGenerator;
import dev.quantize.samples.SampleReport;
import dev.quantize.samples.train.Rng;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/** The MLP classifier sample with outlier channels after its first LayerNorm. */
public final class MlpSample implements SampleGenerator.Sample {
    public static final String NAME = "mlp";
    static final int TRAIN_ROWS = 32768;
    static final int EPOCHS = 4;
    static final int BATCH = 128;
    static final double LEARNING_RATE = 2e-3;
    static final int CALIB_ROWS = 1024;
    static final int EVAL_ROWS = 4096;

    @Override
    public String name() {
        return NAME;
    }

    @Override
    public GeneratedSample generate(Rng rng) {
        Rng worldRng = rng.split();
        Rng dataRng = rng.split();
        Rng initRng = rng.split();
        Rng trainRng = rng.split();
        MixtureWorld world = new MixtureWorld(worldRng);
        MixtureSplit train = world.sample(dataRng.split(), TRAIN_ROWS, false);
        Map<String, MixtureSplit> splits = new LinkedHashMap<>();
        splits.put("calib", world.sample(dataRng.split(), CALIB_ROWS, false));
        splits.put("eval", world.sample(dataRng.split(), EVAL_ROWS, false));
        splits.put("drift", world.sample(dataRng.split(), EVAL_ROWS, true));

        Mlp model = new Mlp(initRng);
        model.train(train, trainRng, EPOCHS, BATCH, LEARNING_RATE);
        model.foldOutlierScales();

        Map<String, Map<String, Double>> metrics = new LinkedHashMap<>();
        Map<String, Map<String, Tensor>> data = new LinkedHashMap<>();
        for (Map.Entry<String, MixtureSplit> e : splits.entrySet()) {
            MixtureSplit s = e.getValue();
            Map<String, Double> m = new LinkedHashMap<>();
            m.put("accuracy", ClassificationMetrics.accuracy(model.predict(s), MixtureWorld.CLASSES, s.labels()));
            m.put("rows", (double) s.rows());
            metrics.put(e.getKey(), m);
            Map<String, Tensor> c = new LinkedHashMap<>();
            c.put(MlpOnnx.INPUT, Tensor.ofFloats(new int[] {s.rows(), MixtureWorld.FEATURES}, s.features()));
            c.put("labels", Tensor.ofLongs(DataType.INT64, new int[] {s.rows()}, s.labels()));
            data.put(e.getKey(), c);
        }
        SampleReport report = new SampleReport(NAME, "multiclass", metrics);
        Map<String, String> modelMetadata = OrderedMap.of("sample", NAME,
                "description", "MLP classifier with LayerNorm/GELU and outlier channels after the first LayerNorm");
        Map<String, Object> details = new LinkedHashMap<>();
        details.put("output", MlpOnnx.OUTPUT);
        details.put("metric_definitions", OrderedMap.of("accuracy", "top-1 accuracy of argmax(logits) against labels"));
        details.put("outliers", outliers(model, splits.get("eval")));
        Map<String, Object> training = new LinkedHashMap<>();
        training.put("rows", TRAIN_ROWS);
        training.put("epochs", EPOCHS);
        training.put("batch", BATCH);
        training.put("optimizer", "adam");
        training.put("learning_rate", LEARNING_RATE);
        details.put("training", training);
        return new GeneratedSample(report, MlpOnnx.export(model, modelMetadata), data, details);
    }

    /** Per-channel max |x| of the first LayerNorm's output on eval: the outlier channels against the median channel. */
    private static Map<String, Object> outliers(Mlp model, MixtureSplit eval) {
        float[] channelMax = new float[Mlp.HIDDEN];
        for (int r = 0; r < eval.rows(); r++) {
            model.forward(eval, r);
            float[] y = model.firstNormOutput();
            for (int c = 0; c < Mlp.HIDDEN; c++) {
                channelMax[c] = Math.max(channelMax[c], Math.abs(y[c]));
            }
        }
        float[] sorted = channelMax.clone();
        Arrays.sort(sorted);
        List<Object> channels = new ArrayList<>();
        for (int c : Mlp.OUTLIER_CHANNELS) {
            channels.add(OrderedMap.of("channel", c, "max_abs", (double) channelMax[c]));
        }
        Map<String, Object> o = new LinkedHashMap<>();
        o.put("tensor", "ln1.out");
        o.put("split", "eval");
        o.put("max_abs", (double) sorted[sorted.length - 1]);
        o.put("median_channel_max_abs", (sorted[Mlp.HIDDEN / 2 - 1] + sorted[Mlp.HIDDEN / 2]) / 2.0);
        o.put("outlier_channels", channels);
        return o;
    }
}
