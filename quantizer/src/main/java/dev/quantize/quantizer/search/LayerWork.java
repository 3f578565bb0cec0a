package dev.quantize.quantizer.search;

/**
 * What one quantizable node does per input row, counted from real shapes during the FP32 run:
 * {@code macs} multiply-adds (a lookup: gathered elements), {@code inputs} elements of the input
 * activations the layer's activation format applies to (a lookup: its indices, i.e. gathered rows),
 * {@code outputs} elements it produces.
 */
public record LayerWork(long macs, long inputs, long outputs) {
    public static final LayerWork NONE = new LayerWork(0, 0, 0);
}
