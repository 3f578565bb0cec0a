package dev.quantize.core.exec.ops;

import dev.quantize.core.tensor.DataType;
import dev.quantize.core.tensor.Shape;
import dev.quantize.core.tensor.Tensor;
import java.util.Arrays;
import java.util.List;
import java.util.function.DoubleUnaryOperator;
import java.util.function.LongUnaryOperator;

/**
 * Element-wise ops: arithmetic, math functions, activations, comparisons, logic, Where, Clip,
 * variadic Min/Max/Sum/Mean. Broadcasting goes through {@link Broadcast}. Float32 arithmetic is done
 * in float32 (as ONNX Runtime does); transcendental functions are evaluated in double and rounded.
 */
final class ElementwiseOps {
    private ElementwiseOps() {
    }

    interface FloatBin {
        float apply(float a, float b);
    }

    interface DoubleBin {
        double apply(double a, double b);
    }

    interface LongBin {
        long apply(long a, long b);
    }

    static void register(OpRegistry r) {
        r.register("Add", 7, arithOp(FloatArith.ADD, (a, b) -> a + b, (a, b) -> a + b));
        r.register("Sub", 7, arithOp(FloatArith.SUB, (a, b) -> a - b, (a, b) -> a - b));
        r.register("Mul", 7, arithOp(FloatArith.MUL, (a, b) -> a * b, (a, b) -> a * b));
        r.register("Div", 7, arithOp(FloatArith.DIV, (a, b) -> a / b, ElementwiseOps::intDiv));
        r.register("Pow", 7, (ctx, in) -> List.of(pow(ctx, in.get(0), in.get(1))));
        r.register("Mod", 10, ElementwiseOps::mod);
        r.register("PRelu", 7, binaryOp((x, s) -> x < 0 ? s * x : x, (x, s) -> x < 0 ? s * x : x,
                (x, s) -> x < 0 ? s * x : x));

        r.register("Neg", 6, unary(v -> -v, v -> -v));
        r.register("Abs", 6, unary(Math::abs, Math::abs));
        r.register("Sign", 9, unary(Math::signum, Long::signum));
        Op relu = unary(v -> v > 0 ? v : (Double.isNaN(v) ? v : 0.0), v -> Math.max(v, 0));
        r.register("Relu", 6, (ctx, in) -> in.get(0).type() == DataType.FLOAT32
                ? List.of(Tensor.ofFloats(in.get(0).shape(), reluFloat(in.get(0).floats()))) : relu.run(ctx, in));
        r.register("Sqrt", 6, floatUnary(Math::sqrt));
        r.register("Exp", 6, floatUnary(Math::exp));
        r.register("Log", 6, floatUnary(Math::log));
        r.register("Reciprocal", 6, floatUnary(v -> 1.0 / v));
        r.register("Floor", 6, floatUnary(Math::floor));
        r.register("Ceil", 6, floatUnary(Math::ceil));
        r.register("Round", 11, floatUnary(Math::rint));
        r.register("Sin", 7, floatUnary(Math::sin));
        r.register("Cos", 7, floatUnary(Math::cos));
        r.register("Tan", 7, floatUnary(Math::tan));
        r.register("Asin", 7, floatUnary(Math::asin));
        r.register("Acos", 7, floatUnary(Math::acos));
        r.register("Atan", 7, floatUnary(Math::atan));
        r.register("Sinh", 9, floatUnary(Math::sinh));
        r.register("Cosh", 9, floatUnary(Math::cosh));
        r.register("Asinh", 9, floatUnary(v -> Math.log(v + Math.sqrt(v * v + 1))));
        r.register("Acosh", 9, floatUnary(v -> Math.log(v + Math.sqrt(v * v - 1))));
        r.register("Atanh", 9, floatUnary(v -> 0.5 * Math.log((1 + v) / (1 - v))));
        r.register("Tanh", 6, floatUnary(Math::tanh));
        r.register("Sigmoid", 6, floatUnary(v -> 1.0 / (1.0 + Math.exp(-v))));
        r.register("Erf", 9, ElementwiseOps::erf);
        r.register("Softsign", 1, floatUnary(v -> v / (1 + Math.abs(v))));
        r.register("Softplus", 1, floatUnary(v -> v > 30 ? v : Math.log1p(Math.exp(v))));
        r.register("LeakyRelu", 6, (ctx, in) -> {
            double alpha = ctx.floatAttr("alpha", 0.01f);
            return List.of(mapFloat(in.get(0), v -> v >= 0 ? v : alpha * v));
        });
        r.register("Elu", 6, (ctx, in) -> {
            double alpha = ctx.floatAttr("alpha", 1.0f);
            return List.of(mapFloat(in.get(0), v -> v >= 0 ? v : alpha * (Math.exp(v) - 1)));
        });
        r.register("Selu", 6, (ctx, in) -> {
            double alpha = ctx.floatAttr("alpha", 1.67326319217681884765625f);
            double gamma = ctx.floatAttr("gamma", 1.05070102214813232421875f);
            return List.of(mapFloat(in.get(0), v -> v > 0 ? gamma * v : gamma * alpha * (Math.exp(v) - 1)));
        });
        r.register("HardSigmoid", 6, (ctx, in) -> {
            double alpha = ctx.floatAttr("alpha", 0.2f);
            double beta = ctx.floatAttr("beta", 0.5f);
            return List.of(mapFloat(in.get(0), v -> Math.max(0, Math.min(1, alpha * v + beta))));
        });
        r.register("ThresholdedRelu", 10, (ctx, in) -> {
            double alpha = ctx.floatAttr("alpha", 1.0f);
            return List.of(mapFloat(in.get(0), v -> v > alpha ? v : 0));
        });
        r.register("Gelu", 20, (ctx, in) -> {
            String approx = ctx.stringAttr("approximate", "none");
            DoubleUnaryOperator f = switch (approx) {
                case "none" -> v -> 0.5 * v * (1 + SpecialFunctions.erf(v / Math.sqrt(2)));
                case "tanh" -> v -> 0.5 * v * (1 + Math.tanh(Math.sqrt(2 / Math.PI) * (v + 0.044715 * v * v * v)));
                default -> throw ctx.error("approximate must be 'none' or 'tanh', got '" + approx + "'");
            };
            return List.of(mapFloat(in.get(0), f));
        });
        r.register("IsNaN", 9, (ctx, in) -> List.of(predicate(in.get(0), Double::isNaN)));
        r.register("IsInf", 10, (ctx, in) -> {
            boolean neg = ctx.intAttr("detect_negative", 1) != 0;
            boolean pos = ctx.intAttr("detect_positive", 1) != 0;
            return List.of(predicate(in.get(0), v -> (pos && v == Double.POSITIVE_INFINITY)
                    || (neg && v == Double.NEGATIVE_INFINITY)));
        });

        r.register("Equal", 7, compareOp(c -> c == 0));
        r.register("Less", 7, compareOp(c -> c < 0));
        r.register("Greater", 7, compareOp(c -> c > 0));
        r.register("LessOrEqual", 12, compareOp(c -> c <= 0));
        r.register("GreaterOrEqual", 12, compareOp(c -> c >= 0));
        r.register("And", 7, logicOp((a, b) -> a & b));
        r.register("Or", 7, logicOp((a, b) -> a | b));
        r.register("Xor", 7, logicOp((a, b) -> a ^ b));
        r.register("Not", 1, (ctx, in) -> {
            long[] x = requireBool(ctx, in.get(0)).longs();
            long[] o = new long[x.length];
            for (int i = 0; i < x.length; i++) {
                o[i] = x[i] == 0 ? 1 : 0;
            }
            return List.of(Tensor.ofLongs(DataType.BOOL, in.get(0).shape(), o));
        });
        r.register("Where", 9, (ctx, in) -> List.of(where(in.get(0), in.get(1), in.get(2))));

        r.register("Clip", 6, (ctx, in) -> List.of(clip(in.get(0),
                ctx.floatAttr("min", Float.NEGATIVE_INFINITY), ctx.floatAttr("max", Float.POSITIVE_INFINITY))));
        r.register("Clip", 11, (ctx, in) -> List.of(clip(in.get(0), in.size() > 1 ? in.get(1) : null,
                in.size() > 2 ? in.get(2) : null)));
        Op max = variadic((a, b) -> Float.isNaN(a) || Float.isNaN(b) ? Float.NaN : Math.max(a, b),
                (a, b) -> Double.isNaN(a) || Double.isNaN(b) ? Double.NaN : Math.max(a, b), null, true);
        Op min = variadic((a, b) -> Float.isNaN(a) || Float.isNaN(b) ? Float.NaN : Math.min(a, b),
                (a, b) -> Double.isNaN(a) || Double.isNaN(b) ? Double.NaN : Math.min(a, b), null, false);
        r.register("Max", 8, max);
        r.register("Min", 8, min);
        r.register("Sum", 8, variadic((a, b) -> a + b, (a, b) -> a + b, (a, b) -> a + b, false));
        r.register("Mean", 8, (ctx, in) -> {
            Tensor sum = variadic((a, b) -> a + b, (a, b) -> a + b, null, false).run(ctx, in).get(0);
            int n = in.size();
            return List.of(mapFloat(sum, v -> v / n));
        });
        r.register("Cast", 6, (ctx, in) -> {
            DataType to = DataType.fromOnnx((int) ctx.intAttr("to", -1));
            if (to == null) {
                throw ctx.unsupported("target type code " + ctx.intAttr("to", -1) + " is not supported");
            }
            return List.of(Cast.cast(in.get(0), to));
        });
        r.register("CastLike", 15, (ctx, in) -> List.of(Cast.cast(in.get(0), in.get(1).type())));
    }

    private static long intDiv(long a, long b) {
        if (b == 0) {
            throw new ArithmeticException("integer division by zero");
        }
        return a / b;
    }

    /** a op b with broadcasting; both operands must have the same element type. */
    static Tensor binary(Tensor a, Tensor b, FloatBin f, DoubleBin d, LongBin l) {
        if (a.type() != b.type()) {
            throw new IllegalArgumentException("operand types differ: " + a.type() + " and " + b.type());
        }
        int[] shape = Broadcast.shape(a.shape(), b.shape());
        int n = Shape.size(shape);
        int[] ia = Broadcast.index(a.shape(), shape);
        int[] ib = Broadcast.index(b.shape(), shape);
        DataType t = a.type();
        switch (t.storage()) {
            case FLOAT -> {
                float[] x = a.floats();
                float[] y = b.floats();
                float[] o = new float[n];
                if (ia == null && ib == null) {
                    for (int i = 0; i < n; i++) {
                        o[i] = f.apply(x[i], y[i]);
                    }
                } else {
                    for (int i = 0; i < n; i++) {
                        o[i] = f.apply(x[ia == null ? i : ia[i]], y[ib == null ? i : ib[i]]);
                    }
                }
                TensorData.narrow(t, o);
                return Tensor.ofFloats(t, shape, o);
            }
            case DOUBLE -> {
                double[] x = a.doubles();
                double[] y = b.doubles();
                double[] o = new double[n];
                for (int i = 0; i < n; i++) {
                    o[i] = d.apply(x[ia == null ? i : ia[i]], y[ib == null ? i : ib[i]]);
                }
                return Tensor.ofDoubles(shape, o);
            }
            case LONG -> {
                if (l == null) {
                    throw new UnsupportedFeatureException("integer operands are not supported here");
                }
                long[] x = a.longs();
                long[] y = b.longs();
                long[] o = new long[n];
                for (int i = 0; i < n; i++) {
                    o[i] = l.apply(x[ia == null ? i : ia[i]], y[ib == null ? i : ib[i]]);
                }
                TensorData.wrap(t, o);
                return Tensor.ofLongs(t, shape, o);
            }
            default -> throw new UnsupportedFeatureException("string operands are not supported");
        }
    }

    /** Add/Sub/Mul/Div: float32 through {@link FloatArith}, every other type through {@link #binary}. */
    private static Op arithOp(FloatArith f, DoubleBin d, LongBin l) {
        Op generic = binaryOp(f::apply, d, l);
        return (ctx, in) -> {
            Tensor a = in.get(0);
            Tensor b = in.get(1);
            if (a.type() != DataType.FLOAT32 || b.type() != DataType.FLOAT32) {
                return generic.run(ctx, in);
            }
            int[] shape;
            try {
                shape = Broadcast.shape(a.shape(), b.shape());
            } catch (IllegalArgumentException e) {
                throw ctx.error(e.getMessage());
            }
            return List.of(Tensor.ofFloats(shape, f.run(a.floats(), a.shape(), b.floats(), b.shape(), shape, ctx.parallelism())));
        };
    }

    /** max(x, 0) in float, NaN kept: the same values as the generic path, without a per-element lambda. */
    static float[] reluFloat(float[] x) {
        float[] o = new float[x.length];
        for (int i = 0; i < x.length; i++) {
            float v = x[i];
            o[i] = v > 0 || v != v ? v : 0f;
        }
        return o;
    }

    /** Erf; float32 with the float-precision evaluation, split over threads. */
    private static List<Tensor> erf(OpContext ctx, List<Tensor> in) {
        Tensor x = in.get(0);
        if (x.type() != DataType.FLOAT32) {
            if (!x.type().isFloating()) {
                throw ctx.unsupported("element type " + x.type() + " is not supported");
            }
            return List.of(mapFloat(x, SpecialFunctions::erf));
        }
        float[] v = x.floats();
        float[] o = new float[v.length];
        ctx.parallelism().parallelFor(v.length, 1 << 13, (i0, i1) -> SpecialFunctions.erfFloat(v, i0, o, i0, i1 - i0));
        return List.of(Tensor.ofFloats(x.shape(), o));
    }

    private static Op binaryOp(FloatBin f, DoubleBin d, LongBin l) {
        return (ctx, in) -> {
            try {
                return List.of(binary(in.get(0), in.get(1), f, d, l));
            } catch (UnsupportedFeatureException e) {
                throw ctx.unsupported(e.getMessage());
            } catch (IllegalArgumentException | ArithmeticException e) {
                throw ctx.error(e.getMessage());
            }
        };
    }

    private static Tensor pow(OpContext ctx, Tensor base, Tensor exp) {
        int[] shape = Broadcast.shape(base.shape(), exp.shape());
        if (base.type() == DataType.FLOAT32 && exp.type() == DataType.FLOAT32 && exp.size() == 1 && exp.floats()[0] == 2f
                && Arrays.equals(shape, base.shape())) {
            // x^2 (LayerNorm's variance): (double) x * x is exact, so rounding it equals rounding pow(x, 2).
            return Tensor.ofFloats(shape, FloatArith.MUL.run(base.floats(), shape, base.floats(), shape, shape,
                    ctx.parallelism()));
        }
        if (base.type() == DataType.FLOAT32 && exp.type() == DataType.FLOAT32) {
            return binary(base, exp, (a, b) -> (float) Math.pow(a, b), null, null);
        }
        double[] x = TensorData.toDoubles(base);
        double[] y = TensorData.toDoubles(exp);
        int[] ia = Broadcast.index(base.shape(), shape);
        int[] ib = Broadcast.index(exp.shape(), shape);
        double[] o = new double[Shape.size(shape)];
        for (int i = 0; i < o.length; i++) {
            o[i] = Math.pow(x[ia == null ? i : ia[i]], y[ib == null ? i : ib[i]]);
        }
        return TensorData.fromDoubles(base.type(), shape, o);
    }

    private static List<Tensor> mod(OpContext ctx, List<Tensor> in) {
        boolean fmod = ctx.intAttr("fmod", 0) != 0;
        Tensor a = in.get(0);
        if (a.type().isFloating() && !fmod) {
            throw ctx.error("fmod must be 1 for floating-point inputs");
        }
        Op op = binaryOp((x, y) -> x % y, (x, y) -> x % y, (x, y) -> {
            if (y == 0) {
                throw new ArithmeticException("integer modulo by zero");
            }
            return fmod ? x % y : Math.floorMod(x, y);
        });
        return op.run(ctx, in);
    }

    /** A function of float and double tensors (and integers when {@code l} is given). */
    private static Op unary(DoubleUnaryOperator f, LongUnaryOperator l) {
        return (ctx, in) -> {
            Tensor x = in.get(0);
            if (x.type().storage() == DataType.Storage.LONG) {
                long[] v = x.longs();
                long[] o = new long[v.length];
                for (int i = 0; i < v.length; i++) {
                    o[i] = l.applyAsLong(v[i]);
                }
                TensorData.wrap(x.type(), o);
                return List.of(Tensor.ofLongs(x.type(), x.shape(), o));
            }
            return List.of(mapFloat(x, f));
        };
    }

    private static Op floatUnary(DoubleUnaryOperator f) {
        return (ctx, in) -> {
            Tensor x = in.get(0);
            if (!x.type().isFloating()) {
                throw ctx.unsupported("element type " + x.type() + " is not supported");
            }
            return List.of(mapFloat(x, f));
        };
    }

    /** Applies {@code f} (in double) to every element of a floating tensor, keeping its type. */
    static Tensor mapFloat(Tensor x, DoubleUnaryOperator f) {
        int n = x.size();
        switch (x.type().storage()) {
            case FLOAT -> {
                float[] v = x.floats();
                float[] o = new float[n];
                for (int i = 0; i < n; i++) {
                    o[i] = (float) f.applyAsDouble(v[i]);
                }
                TensorData.narrow(x.type(), o);
                return Tensor.ofFloats(x.type(), x.shape(), o);
            }
            case DOUBLE -> {
                double[] v = x.doubles();
                double[] o = new double[n];
                for (int i = 0; i < n; i++) {
                    o[i] = f.applyAsDouble(v[i]);
                }
                return Tensor.ofDoubles(x.shape(), o);
            }
            default -> throw new UnsupportedFeatureException("element type " + x.type() + " is not supported");
        }
    }

    private interface DoublePredicate {
        boolean test(double v);
    }

    private static Tensor predicate(Tensor x, DoublePredicate p) {
        double[] v = TensorData.toDoubles(x);
        long[] o = new long[v.length];
        for (int i = 0; i < v.length; i++) {
            o[i] = p.test(v[i]) ? 1 : 0;
        }
        return Tensor.ofLongs(DataType.BOOL, x.shape(), o);
    }

    private interface CompareResult {
        boolean test(int cmp);
    }

    private static Op compareOp(CompareResult p) {
        return (ctx, in) -> {
            Tensor a = in.get(0);
            Tensor b = in.get(1);
            if (a.type() != b.type()) {
                throw ctx.error("operand types differ: " + a.type() + " and " + b.type());
            }
            int[] shape = Broadcast.shape(a.shape(), b.shape());
            int[] ia = Broadcast.index(a.shape(), shape);
            int[] ib = Broadcast.index(b.shape(), shape);
            long[] o = new long[Shape.size(shape)];
            switch (a.type().storage()) {
                case LONG -> {
                    long[] x = a.longs();
                    long[] y = b.longs();
                    for (int i = 0; i < o.length; i++) {
                        o[i] = p.test(TensorData.compare(a.type(), x[ia == null ? i : ia[i]], y[ib == null ? i : ib[i]])) ? 1 : 0;
                    }
                }
                case STRING -> {
                    String[] x = a.strings();
                    String[] y = b.strings();
                    for (int i = 0; i < o.length; i++) {
                        o[i] = p.test(x[ia == null ? i : ia[i]].compareTo(y[ib == null ? i : ib[i]])) ? 1 : 0;
                    }
                }
                default -> {
                    double[] x = TensorData.toDoubles(a);
                    double[] y = TensorData.toDoubles(b);
                    for (int i = 0; i < o.length; i++) {
                        double u = x[ia == null ? i : ia[i]];
                        double v = y[ib == null ? i : ib[i]];
                        // NaN compares false for every relation, as in IEEE.
                        o[i] = !Double.isNaN(u) && !Double.isNaN(v) && p.test(u == v ? 0 : (u < v ? -1 : 1)) ? 1 : 0;
                    }
                }
            }
            return List.of(Tensor.ofLongs(DataType.BOOL, shape, o));
        };
    }

    private static Tensor requireBool(OpContext ctx, Tensor t) {
        if (t.type() != DataType.BOOL) {
            throw ctx.error("expected a bool tensor, got " + t.type());
        }
        return t;
    }

    private static Op logicOp(LongBin f) {
        return (ctx, in) -> {
            requireBool(ctx, in.get(0));
            requireBool(ctx, in.get(1));
            return List.of(binary(in.get(0), in.get(1), null, null, f));
        };
    }

    static Tensor where(Tensor cond, Tensor x, Tensor y) {
        if (x.type() != y.type()) {
            throw new IllegalArgumentException("X and Y types differ: " + x.type() + " and " + y.type());
        }
        int[] shape = Broadcast.shape(cond.shape(), x.shape(), y.shape());
        long[] c = TensorData.gather(cond, shape, Broadcast.index(cond.shape(), shape)).longs();
        int[] ix = Broadcast.index(x.shape(), shape);
        int[] iy = Broadcast.index(y.shape(), shape);
        int n = c.length;
        int[] pick = new int[n];
        // Concatenate X and Y and pick from the right half when the condition is false.
        int xs = x.size();
        for (int i = 0; i < n; i++) {
            pick[i] = c[i] != 0 ? (ix == null ? i : ix[i]) : xs + (iy == null ? i : iy[i]);
        }
        Object both = TensorData.alloc(x.type(), xs + y.size());
        System.arraycopy(TensorData.array(x), 0, both, 0, xs);
        System.arraycopy(TensorData.array(y), 0, both, xs, y.size());
        Tensor joined = TensorData.wrap(x.type(), new int[] {xs + y.size()}, both);
        return TensorData.gather(joined, shape, pick);
    }

    private static Tensor clip(Tensor x, float lo, float hi) {
        return mapFloat(x, v -> Double.isNaN(v) ? v : Math.min(Math.max(v, lo), hi));
    }

    private static Tensor clip(Tensor x, Tensor lo, Tensor hi) {
        if (x.type().storage() == DataType.Storage.LONG) {
            long l = lo == null ? Long.MIN_VALUE : lo.longs()[0];
            long h = hi == null ? Long.MAX_VALUE : hi.longs()[0];
            long[] v = x.longs();
            long[] o = new long[v.length];
            for (int i = 0; i < v.length; i++) {
                o[i] = Math.min(Math.max(v[i], l), h);
            }
            return Tensor.ofLongs(x.type(), x.shape(), o);
        }
        double l = lo == null ? Double.NEGATIVE_INFINITY : lo.getDouble(0);
        double h = hi == null ? Double.POSITIVE_INFINITY : hi.getDouble(0);
        return mapFloat(x, v -> Double.isNaN(v) ? v : Math.min(Math.max(v, l), h));
    }

    /** Folds a variadic op pairwise with broadcasting; {@code l} null means integers use max/min. */
    private static Op variadic(FloatBin f, DoubleBin d, LongBin l, boolean isMax) {
        return (ctx, in) -> {
            DataType t = in.get(0).type();
            LongBin li = l;
            if (li == null) {
                li = isMax ? (a, b) -> TensorData.compare(t, a, b) >= 0 ? a : b
                        : (a, b) -> TensorData.compare(t, a, b) <= 0 ? a : b;
            }
            Tensor acc = in.get(0);
            for (int i = 1; i < in.size(); i++) {
                acc = binary(acc, in.get(i), f, d, li);
            }
            return List.of(acc);
        };
    }
}
