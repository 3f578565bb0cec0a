package dev.quantize.samples.train;

/**
 * A trainable tensor: values, the gradient accumulated over the current batch, and Adam's moment
 * estimates. Sparse parameters (embedding tables) track which rows the batch touched, so a step
 * updates only those rows (lazy Adam) instead of sweeping a 20,000-row table every batch.
 */
public final class Param {
    public final String name;
    public final int[] shape;
    public final float[] value;
    public final float[] grad;
    final float[] firstMoment;
    final float[] secondMoment;
    final int rowLength;
    final boolean sparse;
    private final boolean[] touched;
    private int[] touchedRows;
    private int touchedCount;

    private Param(String name, int[] shape, boolean sparse) {
        this.name = name;
        this.shape = shape.clone();
        int size = 1;
        for (int d : shape) {
            size *= d;
        }
        this.value = new float[size];
        this.grad = new float[size];
        this.firstMoment = new float[size];
        this.secondMoment = new float[size];
        this.rowLength = shape.length > 1 ? size / shape[0] : size;
        this.sparse = sparse;
        this.touched = sparse ? new boolean[shape[0]] : null;
        this.touchedRows = sparse ? new int[16] : null;
    }

    public static Param dense(String name, int... shape) {
        return new Param(name, shape, false);
    }

    /** A table of shape (rows, dim) updated row by row. */
    public static Param rows(String name, int rows, int dim) {
        return new Param(name, new int[] {rows, dim}, true);
    }

    /** Normal values with this standard deviation. */
    public Param initGaussian(Rng rng, double std) {
        for (int i = 0; i < value.length; i++) {
            value[i] = (float) (rng.gaussian() * std);
        }
        return this;
    }

    public Param fill(float v) {
        java.util.Arrays.fill(value, v);
        return this;
    }

    /** Marks a row of a sparse parameter as carrying gradient in this batch. */
    public void touch(int row) {
        if (!touched[row]) {
            touched[row] = true;
            if (touchedCount == touchedRows.length) {
                touchedRows = java.util.Arrays.copyOf(touchedRows, touchedCount * 2);
            }
            touchedRows[touchedCount++] = row;
        }
    }

    int touchedCount() {
        return touchedCount;
    }

    int touchedRow(int i) {
        return touchedRows[i];
    }

    /** Clears the gradient (only the touched rows of a sparse parameter). */
    void zeroGrad() {
        if (sparse) {
            for (int i = 0; i < touchedCount; i++) {
                int r = touchedRows[i];
                java.util.Arrays.fill(grad, r * rowLength, (r + 1) * rowLength, 0f);
                touched[r] = false;
            }
            touchedCount = 0;
        } else {
            java.util.Arrays.fill(grad, 0f);
        }
    }
}
