package dev.quantize.samples.mlp;

/** Rows of the mixture world: {@code features} is (rows, FEATURES) row-major, {@code labels} class indices. */
record MixtureSplit(int rows, float[] features, long[] labels) {
}
