package dev.quantize.core.kernel;

/** The inner loop of {@link Erf}: plain Java ({@link Erf.Scalar}) or Vector API ({@code VectorErf}). */
interface ErfKernel {
    /** y[yOff + i] = erf(x[xOff + i]) rounded to float, for i < len. */
    void erf(float[] x, int xOff, float[] y, int yOff, int len);
}
