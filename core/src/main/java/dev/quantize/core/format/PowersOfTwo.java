package dev.quantize.core.format;

/** Exact powers of two as float32, built from the exponent field where that is valid. */
final class PowersOfTwo {
    private PowersOfTwo() {
    }

    /** 2^k for k in [-126, 127] (the normal range). */
    static float normal(int k) {
        return Float.intBitsToFloat((k + 127) << 23);
    }

    /** 2^k for k in [-149, 127]; below -126 the value is subnormal and cannot come from the exponent field. */
    static float of(int k) {
        return k >= -126 ? normal(k) : Math.scalb(1f, k);
    }
}
