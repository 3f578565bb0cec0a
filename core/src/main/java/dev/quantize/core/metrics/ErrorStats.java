package dev.quantize.core.metrics;

/**
 * How far an approximation is from a reference, accumulated in double: signal-to-quantization-noise
 * ratio (the BDR paper's QSNR: 10·log10(Σx² / Σ(x - q)²)), cosine similarity, largest absolute error
 * and relative L2 error. Mergeable: partial statistics over parts of a tensor (or over batches) add up
 * to the statistics of the whole. NaN in either input is counted apart and left out of the sums.
 */
public final class ErrorStats implements java.io.Serializable {
    private static final long serialVersionUID = 1L;
    private long count;
    private long nonFinite;
    private double signal;
    private double noise;
    private double approxEnergy;
    private double dot;
    private double maxAbs;

    /** Adds the pairs (reference[i], approx[i]). */
    public ErrorStats add(float[] reference, float[] approx) {
        return add(reference, approx, 0, reference.length);
    }

    public ErrorStats add(float[] reference, float[] approx, int from, int to) {
        if (reference.length != approx.length) {
            throw new IllegalArgumentException("lengths differ: " + reference.length + " vs " + approx.length);
        }
        for (int i = from; i < to; i++) {
            double r = reference[i];
            double a = approx[i];
            if (!Double.isFinite(r) || !Double.isFinite(a)) {
                nonFinite++;
                continue;
            }
            double d = a - r;
            signal += r * r;
            noise += d * d;
            approxEnergy += a * a;
            dot += r * a;
            maxAbs = Math.max(maxAbs, Math.abs(d));
            count++;
        }
        return this;
    }

    /** Adds another partial; the result is as if both had been added to one. */
    public ErrorStats merge(ErrorStats o) {
        count += o.count;
        nonFinite += o.nonFinite;
        signal += o.signal;
        noise += o.noise;
        approxEnergy += o.approxEnergy;
        dot += o.dot;
        maxAbs = Math.max(maxAbs, o.maxAbs);
        return this;
    }

    public long count() {
        return count;
    }

    /** Pairs where either side was NaN or infinite. */
    public long nonFinite() {
        return nonFinite;
    }

    /** QSNR in dB; +Inf when the approximation is exact, -Inf when the reference is all zero but the approximation is not. */
    public double sqnrDb() {
        if (noise == 0) {
            return Double.POSITIVE_INFINITY;
        }
        return 10 * Math.log10(signal / noise);
    }

    /** Cosine similarity; 1 when both are all zero. */
    public double cosine() {
        if (signal == 0 && approxEnergy == 0) {
            return 1;
        }
        if (signal == 0 || approxEnergy == 0) {
            return 0;
        }
        return dot / Math.sqrt(signal * approxEnergy);
    }

    public double maxAbsError() {
        return maxAbs;
    }

    /** ||q - x|| / ||x||; 0 when exact. */
    public double relativeL2() {
        if (noise == 0) {
            return 0;
        }
        return Math.sqrt(noise / signal);
    }

    public static ErrorStats of(float[] reference, float[] approx) {
        return new ErrorStats().add(reference, approx);
    }
}
