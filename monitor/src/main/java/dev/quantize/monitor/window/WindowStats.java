package dev.quantize.monitor.window;

import dev.quantize.core.metrics.BinaryMetrics;
import dev.quantize.core.metrics.BinnedDistribution;
import dev.quantize.core.metrics.ClassificationMetrics;
import dev.quantize.core.metrics.ErrorStats;
import java.io.Serializable;
import java.util.Map;
import java.util.TreeMap;

/**
 * Everything a monitoring window accumulates, as a mergeable partial: counts, sums in double, binned
 * distributions over fixed edges, per-score counts for an exact AUC. {@link #merge} is associative
 * and commutative up to the rounding of double sums, so one JVM over a stream and a Spark job that
 * builds one partial per partition and merges them on the driver give the same window. Turning a
 * partial into metrics is {@link WindowSummary}'s job.
 *
 * <p>Outputs: a model with one output per row is read as a binary probability; several as
 * multi-class scores (logits), turned into probabilities with a softmax for the soft-label
 * cross-entropy.
 */
public final class WindowStats implements Serializable {
    private static final long serialVersionUID = 1L;
    private static final double EPS = ClassificationMetrics.EPS;

    private final Map<String, double[]> inputEdges;
    private final Map<String, double[]> activationEdges;

    long rows;
    int outputsPerRow;
    long agree;
    final ErrorStats output = new ErrorStats();
    double softCeQuant;
    double softCeFp32;
    // With labels.
    long labelled;
    long correctFp32;
    long correctQuant;
    /** A binary model's labelled rows: AUC (exact), NE and calibration of each model, mergeable. */
    final BinaryMetrics binaryFp32 = new BinaryMetrics();
    final BinaryMetrics binaryQuant = new BinaryMetrics();
    // Drift and layers.
    final TreeMap<String, BinnedDistribution> inputs = new TreeMap<>();
    final TreeMap<String, BinnedDistribution> activations = new TreeMap<>();
    final TreeMap<String, ErrorStats> layers = new TreeMap<>();
    /** layer -> {values outside the calibrated bounds, values}. */
    final TreeMap<String, long[]> saturation = new TreeMap<>();

    /**
     * An empty partial whose distributions use these edges (features and layers without edges are
     * not binned: the baseline decides what is compared).
     */
    public WindowStats(Map<String, double[]> inputEdges, Map<String, double[]> activationEdges) {
        this.inputEdges = new TreeMap<>(inputEdges);
        this.activationEdges = new TreeMap<>(activationEdges);
    }

    public long rows() {
        return rows;
    }

    public long labelledRows() {
        return labelled;
    }

    public int outputsPerRow() {
        return outputsPerRow;
    }

    /** Adds one batch of model outputs (rows x k, row-major); {@code labels} may be null. */
    public void addOutputs(float[] fp32, float[] quant, float[] labels, int batchRows) {
        if (batchRows == 0) {
            return;
        }
        int k = fp32.length / batchRows;
        if (k * batchRows != fp32.length || quant.length != fp32.length || k == 0) {
            throw new IllegalArgumentException("model outputs of " + fp32.length + " and " + quant.length
                    + " values do not make " + batchRows + " rows");
        }
        if (outputsPerRow != 0 && outputsPerRow != k) {
            throw new IllegalArgumentException("the model gave " + k + " outputs per row, earlier batches " + outputsPerRow);
        }
        outputsPerRow = k;
        if (labels != null && labels.length != batchRows) {
            throw new IllegalArgumentException(labels.length + " labels for " + batchRows + " rows");
        }
        output.add(fp32, quant);
        rows += batchRows;
        if (k == 1) {
            addBinary(fp32, quant, labels);
        } else {
            addMulticlass(fp32, quant, labels, k);
        }
    }

    private void addBinary(float[] fp32, float[] quant, float[] labels) {
        if (labels != null) {
            binaryFp32.add(fp32, labels); // checks every label is 0 or 1 before counting any
            binaryQuant.add(quant, labels);
            labelled += labels.length;
        }
        for (int r = 0; r < fp32.length; r++) {
            double pf = clip(fp32[r]);
            double pq = clip(quant[r]);
            if ((fp32[r] >= 0.5f) == (quant[r] >= 0.5f)) {
                agree++;
            }
            softCeQuant -= pf * StrictMath.log(pq) + (1 - pf) * StrictMath.log(1 - pq);
            softCeFp32 -= pf * StrictMath.log(pf) + (1 - pf) * StrictMath.log(1 - pf);
            if (labels != null) {
                boolean pos = labels[r] == 1f;
                correctFp32 += (fp32[r] >= 0.5f) == pos ? 1 : 0;
                correctQuant += (quant[r] >= 0.5f) == pos ? 1 : 0;
            }
        }
    }

    private void addMulticlass(float[] fp32, float[] quant, float[] labels, int k) {
        int rowsHere = fp32.length / k;
        double[] pf = new double[k];
        double[] pq = new double[k];
        for (int r = 0; r < rowsHere; r++) {
            int at = r * k;
            int af = ClassificationMetrics.argMax(fp32, at, k);
            int aq = ClassificationMetrics.argMax(quant, at, k);
            if (af == aq) {
                agree++;
            }
            softmax(fp32, at, k, pf);
            softmax(quant, at, k, pq);
            for (int c = 0; c < k; c++) {
                softCeQuant -= pf[c] * StrictMath.log(Math.max(pq[c], EPS));
                softCeFp32 -= pf[c] * StrictMath.log(Math.max(pf[c], EPS));
            }
            if (labels != null) {
                float y = labels[r];
                if (y != Math.rint(y) || y < 0 || y >= k) {
                    throw new IllegalArgumentException("label " + y + " is not a class index in [0, " + k + ")");
                }
                labelled++;
                int c = (int) y;
                correctFp32 += af == c ? 1 : 0;
                correctQuant += aq == c ? 1 : 0;
            }
        }
    }

    private static double clip(float p) {
        return Math.min(Math.max(p, EPS), 1 - EPS);
    }

    private static void softmax(float[] x, int from, int k, double[] out) {
        double max = Double.NEGATIVE_INFINITY;
        for (int c = 0; c < k; c++) {
            max = Math.max(max, x[from + c]);
        }
        double sum = 0;
        for (int c = 0; c < k; c++) {
            out[c] = StrictMath.exp(x[from + c] - max);
            sum += out[c];
        }
        for (int c = 0; c < k; c++) {
            out[c] /= sum;
        }
    }

    /** Adds one batch's values of an input feature (ignored when the baseline has no edges for it). */
    public void addInput(String feature, float[] values) {
        bin(inputs, inputEdges, feature, values);
    }

    /** Adds one batch's values of a layer's activation input (ignored without edges). */
    public void addActivation(String layer, float[] values) {
        bin(activations, activationEdges, layer, values);
    }

    private static void bin(Map<String, BinnedDistribution> into, Map<String, double[]> edges, String key, float[] values) {
        double[] e = edges.get(key);
        if (e != null) {
            into.computeIfAbsent(key, k -> new BinnedDistribution(e)).addAll(values);
        }
    }

    /** Adds one batch of a layer's output, FP32 and quantized. */
    public void addLayerOutput(String layer, float[] fp32, float[] quant) {
        layers.computeIfAbsent(layer, k -> new ErrorStats()).add(fp32, quant);
    }

    /** Counts the values of a layer's activation input outside [lo, hi] (NaN counts as outside). */
    public void addSaturation(String layer, float[] values, double lo, double hi) {
        long out = 0;
        for (float v : values) {
            if (!(v >= lo && v <= hi)) {
                out++;
            }
        }
        long[] c = saturation.computeIfAbsent(layer, k -> new long[2]);
        c[0] += out;
        c[1] += values.length;
    }

    /** Adds another partial over the same edges into this one; returns this. */
    public WindowStats merge(WindowStats o) {
        if (!sameEdges(inputEdges, o.inputEdges) || !sameEdges(activationEdges, o.activationEdges)) {
            throw new IllegalArgumentException("cannot merge window statistics built on different baselines");
        }
        if (outputsPerRow != 0 && o.outputsPerRow != 0 && outputsPerRow != o.outputsPerRow) {
            throw new IllegalArgumentException("cannot merge windows of " + outputsPerRow + " and " + o.outputsPerRow + " outputs per row");
        }
        outputsPerRow = Math.max(outputsPerRow, o.outputsPerRow);
        rows += o.rows;
        agree += o.agree;
        output.merge(o.output);
        softCeQuant += o.softCeQuant;
        softCeFp32 += o.softCeFp32;
        labelled += o.labelled;
        correctFp32 += o.correctFp32;
        correctQuant += o.correctQuant;
        binaryFp32.merge(o.binaryFp32);
        binaryQuant.merge(o.binaryQuant);
        o.inputs.forEach((k, v) -> inputs.merge(k, copy(v), BinnedDistribution::merge));
        o.activations.forEach((k, v) -> activations.merge(k, copy(v), BinnedDistribution::merge));
        o.layers.forEach((k, v) -> layers.computeIfAbsent(k, x -> new ErrorStats()).merge(v));
        o.saturation.forEach((k, v) -> {
            long[] c = saturation.computeIfAbsent(k, x -> new long[2]);
            c[0] += v[0];
            c[1] += v[1];
        });
        return this;
    }

    private static BinnedDistribution copy(BinnedDistribution d) {
        return BinnedDistribution.of(d.edges(), d.counts(), d.nanCount());
    }

    private static boolean sameEdges(Map<String, double[]> a, Map<String, double[]> b) {
        if (!a.keySet().equals(b.keySet())) {
            return false;
        }
        for (Map.Entry<String, double[]> e : a.entrySet()) {
            if (!java.util.Arrays.equals(e.getValue(), b.get(e.getKey()))) {
                return false;
            }
        }
        return true;
    }

    /** The binned input features (copies). */
    public Map<String, BinnedDistribution> inputDistributions() {
        Map<String, BinnedDistribution> out = new TreeMap<>();
        inputs.forEach((k, v) -> out.put(k, copy(v)));
        return out;
    }

    /** The binned activation inputs per layer (copies). */
    public Map<String, BinnedDistribution> activationDistributions() {
        Map<String, BinnedDistribution> out = new TreeMap<>();
        activations.forEach((k, v) -> out.put(k, copy(v)));
        return out;
    }

    Map<String, double[]> inputEdges() {
        return inputEdges;
    }

    Map<String, double[]> activationEdges() {
        return activationEdges;
    }
}
