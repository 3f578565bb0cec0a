package dev.quantize.samples.ctr;

/**
 * Rows of the CTR world. {@code dense} is (rows, DENSE) row-major; {@code ids[f]} is (rows, BAG[f]);
 * {@code trueProbability} is the planted click probability the label was drawn from.
 */
record CtrSplit(int rows, float[] dense, long[][] ids, float[] labels, float[] trueProbability) {
}
