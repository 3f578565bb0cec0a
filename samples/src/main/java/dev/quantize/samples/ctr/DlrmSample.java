package dev.quantize.samples.ctr;

import dev.quantize.core.metrics.ClassificationMetrics;
import dev.quantize.core.tensor.DataType;
import dev.quantize.core.tensor.Tensor;
import dev.quantize.samples.GeneratedSample;
import dev.quantize.samples.OrderedMap;
import dev.quantize.samples.SampleGenerator;
import dev.quantize.samples.SampleReport;
import dev.quantize.samples.train.Rng;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/** The DLRM-style CTR sample: world, training, measurement, and its columns and metrics. */
public final class DlrmSample implements SampleGenerator.Sample {
    public static final String NAME = "dlrm";
    static final int TRAIN_ROWS = 131072;
    static final int EPOCHS = 1;
    static final int BATCH = 256;
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
        CtrWorld world = new CtrWorld(worldRng);
        CtrSplit train = world.sample(dataRng.split(), TRAIN_ROWS, false);
        Map<String, CtrSplit> splits = new LinkedHashMap<>();
        splits.put("calib", world.sample(dataRng.split(), CALIB_ROWS, false));
        splits.put("eval", world.sample(dataRng.split(), EVAL_ROWS, false));
        splits.put("drift", world.sample(dataRng.split(), EVAL_ROWS, true));

        Dlrm model = new Dlrm(initRng);
        model.train(train, trainRng, EPOCHS, BATCH, LEARNING_RATE);

        Map<String, Map<String, Double>> metrics = new LinkedHashMap<>();
        Map<String, Map<String, Tensor>> data = new LinkedHashMap<>();
        Map<String, Object> oracle = new LinkedHashMap<>();
        for (Map.Entry<String, CtrSplit> e : splits.entrySet()) {
            CtrSplit s = e.getValue();
            metrics.put(e.getKey(), binaryMetrics(model.predict(s), s.labels()));
            data.put(e.getKey(), columns(s));
            if (!e.getKey().equals("calib")) {
                oracle.put(e.getKey(), binaryMetrics(s.trueProbability(), s.labels()));
            }
        }
        SampleReport report = new SampleReport(NAME, "binary", metrics);
        Map<String, String> modelMetadata = OrderedMap.of("sample", NAME,
                "description", "DLRM-style CTR model trained on a synthetic world with a planted signal");
        return new GeneratedSample(report, DlrmOnnx.export(model, modelMetadata), data, details(oracle));
    }

    /** AUC, normalized entropy, log loss, calibration, mean prediction, base rate and rows of one split. */
    public static Map<String, Double> binaryMetrics(float[] probabilities, float[] labels) {
        Map<String, Double> m = new LinkedHashMap<>();
        m.put("auc", ClassificationMetrics.auc(probabilities, labels));
        m.put("normalized_entropy", ClassificationMetrics.normalizedEntropy(probabilities, labels));
        m.put("logloss", ClassificationMetrics.logLoss(probabilities, labels));
        m.put("calibration", ClassificationMetrics.calibration(probabilities, labels));
        double mean = 0;
        for (float p : probabilities) {
            mean += p;
        }
        m.put("mean_prediction", mean / probabilities.length);
        m.put("base_rate", ClassificationMetrics.baseRate(labels));
        m.put("rows", (double) labels.length);
        return m;
    }

    private static Map<String, Tensor> columns(CtrSplit s) {
        Map<String, Tensor> c = new LinkedHashMap<>();
        c.put(DlrmOnnx.DENSE_INPUT, Tensor.ofFloats(new int[] {s.rows(), CtrWorld.DENSE}, s.dense()));
        for (int f = 0; f < CtrWorld.TABLE_SIZES.length; f++) {
            c.put(DlrmOnnx.categoricalInput(f), Tensor.ofLongs(DataType.INT64, new int[] {s.rows(), CtrWorld.BAG[f]}, s.ids()[f]));
        }
        c.put("labels", Tensor.ofFloats(new int[] {s.rows()}, s.labels()));
        return c;
    }

    private static Map<String, Object> details(Map<String, Object> oracle) {
        Map<String, Object> d = new LinkedHashMap<>();
        d.put("output", DlrmOnnx.OUTPUT);
        d.put("metric_definitions", OrderedMap.of(
                "auc", "ROC AUC of prob against labels, ties at their average rank",
                "normalized_entropy", "mean log loss (p clipped to [1e-7, 1-1e-7]) / entropy of the split's own base rate",
                "calibration", "mean(prob) / mean(labels)"));
        d.put("oracle_true_probability", oracle);
        Map<String, Object> arch = new LinkedHashMap<>();
        arch.put("dense_features", CtrWorld.DENSE);
        arch.put("table_sizes", List.of(box(CtrWorld.TABLE_SIZES)));
        arch.put("bag_sizes", List.of(box(CtrWorld.BAG)));
        arch.put("embedding_dim", Dlrm.DIM);
        arch.put("bottom_mlp", List.of(box(Dlrm.BOTTOM)));
        arch.put("top_mlp", List.of(box(Dlrm.TOP)));
        d.put("architecture", arch);
        Map<String, Object> training = new LinkedHashMap<>();
        training.put("rows", TRAIN_ROWS);
        training.put("epochs", EPOCHS);
        training.put("batch", BATCH);
        training.put("optimizer", "adam (lazy on embedding rows)");
        training.put("learning_rate", LEARNING_RATE);
        d.put("training", training);
        return d;
    }

    private static Integer[] box(int[] a) {
        Integer[] b = new Integer[a.length];
        for (int i = 0; i < a.length; i++) {
            b[i] = a[i];
        }
        return b;
    }
}
