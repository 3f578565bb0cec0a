package dev.quantize.core.exec.ops;

import dev.quantize.core.tensor.DataType;
import dev.quantize.core.tensor.Tensor;

/**
 * Conversion between element types with ONNX Cast semantics: float to integer truncates toward
 * zero then wraps to the target width (as a C cast does for in-range values), anything to bool is
 * "not zero", float narrowing rounds to nearest even. FLOAT8 targets are not supported yet.
 */
public final class Cast {
    private Cast() {
    }

    public static Tensor cast(Tensor x, DataType to) {
        DataType from = x.type();
        if (from == to) {
            return x;
        }
        if (to == DataType.FLOAT8E4M3FN || to == DataType.FLOAT8E5M2 || from == DataType.FLOAT8E4M3FN
                || from == DataType.FLOAT8E5M2) {
            throw new UnsupportedFeatureException("Cast from " + from + " to " + to + " is not supported (FLOAT8)");
        }
        int[] shape = x.shape();
        int n = x.size();
        if (to == DataType.STRING) {
            String[] o = new String[n];
            for (int i = 0; i < n; i++) {
                o[i] = toText(x, i);
            }
            return Tensor.ofStrings(shape, o);
        }
        if (from == DataType.STRING) {
            String[] s = x.strings();
            double[] d = new double[n];
            for (int i = 0; i < n; i++) {
                d[i] = parse(s[i]);
            }
            return TensorData.fromDoubles(to, shape, d);
        }
        switch (to.storage()) {
            case FLOAT -> {
                float[] o = new float[n];
                if (from.storage() == DataType.Storage.FLOAT) {
                    System.arraycopy(x.floats(), 0, o, 0, n);
                } else {
                    double[] d = TensorData.toDoubles(x);
                    for (int i = 0; i < n; i++) {
                        o[i] = (float) d[i];
                    }
                }
                TensorData.narrow(to, o);
                return Tensor.ofFloats(to, shape, o);
            }
            case DOUBLE -> {
                return Tensor.ofDoubles(shape, TensorData.toDoubles(x));
            }
            case LONG -> {
                if (from.storage() == DataType.Storage.LONG) {
                    long[] o = x.longs().clone();
                    TensorData.wrap(to, o);
                    return Tensor.ofLongs(to, shape, o);
                }
                return TensorData.fromDoubles(to, shape, TensorData.toDoubles(x));
            }
            default -> throw new IllegalStateException("unreachable");
        }
    }

    private static String toText(Tensor x, int i) {
        return switch (x.type().storage()) {
            case FLOAT -> Float.toString(x.floats()[i]);
            case DOUBLE -> Double.toString(x.doubles()[i]);
            case LONG -> x.type() == DataType.UINT64 ? Long.toUnsignedString(x.longs()[i]) : Long.toString(x.longs()[i]);
            case STRING -> x.strings()[i];
        };
    }

    private static double parse(String s) {
        String t = s.trim();
        String lower = t.toLowerCase();
        String body = lower.startsWith("+") || lower.startsWith("-") ? lower.substring(1) : lower;
        double sign = lower.startsWith("-") ? -1 : 1;
        if (body.equals("inf") || body.equals("infinity")) {
            return sign * Double.POSITIVE_INFINITY;
        }
        if (body.equals("nan")) {
            return Double.NaN;
        }
        try {
            return Double.parseDouble(t);
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException("Cast: '" + s + "' is not a number", e);
        }
    }
}
