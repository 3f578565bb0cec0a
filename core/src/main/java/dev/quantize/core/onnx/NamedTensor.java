package dev.quantize.core.onnx;

import dev.quantize.core.tensor.Tensor;

/** A tensor read from a TensorProto file, with the name the file gives it ("" when it has none). */
public record NamedTensor(String name, Tensor tensor) {
}
