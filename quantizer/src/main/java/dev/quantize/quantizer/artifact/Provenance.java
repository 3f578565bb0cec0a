package dev.quantize.quantizer.artifact;

/**
 * Where an artifact came from: the tool that wrote it, the FP32 model's file name and the SHA-256
 * (lower-case hex) of that model's bytes.
 */
public record Provenance(String toolVersion, String sourceModel, String sourceSha256) {
}
