package dev.quantize.core.format;

import dev.quantize.core.tensor.Shape;

/**
 * How a tensor is cut into blocks of {@code k} along one axis. With the shape read as
 * (outer, n, inner) around the axis, element (o, j, i) sits at {@code (o * n + j) * inner + i}; the
 * runs of j are cut into blocks of k from 0 (the last may be short). A "slab" is one (o, b): block b
 * of every inner column, which is the unit of work (contiguous memory, one block per column).
 */
record BlockLayout(int outer, int n, int inner, int k, int blocksPerRun) {

    static BlockLayout of(int[] shape, int axis, int k) {
        if (shape.length == 0) {
            return new BlockLayout(1, 1, 1, k, 1);
        }
        int a = Shape.axis(axis, shape.length);
        int n = shape[a];
        return new BlockLayout(Shape.outer(shape, a), n, Shape.inner(shape, a), k, (n + k - 1) / k);
    }

    int slabs() {
        return outer * blocksPerRun;
    }

    long blocks() {
        return (long) slabs() * inner;
    }

    /** First element index of slab s. */
    int slabStart(int s) {
        int o = s / blocksPerRun;
        int b = s % blocksPerRun;
        return (o * n + b * k) * inner;
    }

    /** Elements along the axis in slab s (k, or fewer for the last block of a run). */
    int slabLength(int s) {
        int b = s % blocksPerRun;
        return Math.min(k, n - b * k);
    }
}
