package dev.quantize.core.format;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;

/**
 * Names to formats. A name is a base name optionally followed by options separated by colons:
 * {@code k<N>} block size (MX, default 32; BDR, 16), {@code g<N>} group size (int4_per_group,
 * default 32), {@code rne} or {@code rna} rounding. Examples: {@code mxfp4_e2m1},
 * {@code mxfp8_e4m3:k16:rna}, {@code int4_per_group:g128}. The canonical name of a format lists only
 * the options that differ from the defaults, so {@code parse(f.name())} gives back {@code f}.
 */
public final class FormatRegistry {
    private record Base(String description, Kind kind, ElementType element, int param, boolean saturate) {
    }

    private enum Kind { SCALAR, MX, BDR, INT8_TENSOR, INT8_TENSOR_AFFINE, INT8_CHANNEL, INT8_CHANNEL_AFFINE, INT4_GROUP, ROWWISE }

    private static final Map<String, Base> BASES = new LinkedHashMap<>();
    private static final Map<String, String> ALIASES = new LinkedHashMap<>();

    static {
        scalar("fp32", "IEEE single precision (the reference)", ElementType.FP32, false);
        scalar("bf16", "bfloat16", ElementType.BF16, false);
        scalar("fp16", "IEEE half precision", ElementType.FP16, false);
        scalar("fp8_e4m3", "OFP8 E4M3FN, saturating", ElementType.E4M3, true);
        scalar("fp8_e4m3_nosat", "OFP8 E4M3FN, overflow to NaN", ElementType.E4M3, false);
        scalar("fp8_e5m2", "OFP8 E5M2, saturating", ElementType.E5M2, true);
        scalar("fp8_e5m2_nosat", "OFP8 E5M2, overflow to Inf", ElementType.E5M2, false);
        BASES.put("int8_per_tensor", new Base("int8, one symmetric scale", Kind.INT8_TENSOR, null, 0, true));
        BASES.put("int8_per_tensor_affine", new Base("int8, one scale and zero point", Kind.INT8_TENSOR_AFFINE, null, 0, true));
        BASES.put("int8_per_channel", new Base("int8, a symmetric scale per channel", Kind.INT8_CHANNEL, null, 0, true));
        BASES.put("int8_per_channel_affine", new Base("int8, scale and zero point per channel", Kind.INT8_CHANNEL_AFFINE, null, 0, true));
        BASES.put("int4_per_group", new Base("int4, a symmetric scale per group", Kind.INT4_GROUP, null, 32, true));
        mx("mxfp8_e4m3", ElementType.E4M3);
        mx("mxfp8_e5m2", ElementType.E5M2);
        mx("mxfp6_e3m2", ElementType.E3M2);
        mx("mxfp6_e2m3", ElementType.E2M3);
        mx("mxfp4_e2m1", ElementType.E2M1);
        mx("mxint8", ElementType.INT8_FIXED);
        BASES.put("mx9", new Base("shared microexponents, 7-bit magnitudes", Kind.BDR, null, 7, true));
        BASES.put("mx6", new Base("shared microexponents, 4-bit magnitudes", Kind.BDR, null, 4, true));
        BASES.put("mx4", new Base("shared microexponents, 2-bit magnitudes", Kind.BDR, null, 2, true));
        BASES.put("rowwise_8bit", new Base("FBGEMM row-wise uint8, fp32 scale and bias", Kind.ROWWISE, null, 8, true));
        BASES.put("rowwise_4bit", new Base("FBGEMM row-wise uint4, fp16 scale and bias", Kind.ROWWISE, null, 4, true));
        BASES.put("rowwise_2bit", new Base("FBGEMM row-wise uint2, fp16 scale and bias", Kind.ROWWISE, null, 2, true));
        // Element types alone, as the golden vectors name them.
        scalar("fp6_e3m2_sat", "FP6 E3M2 element, saturating", ElementType.E3M2, true);
        scalar("fp6_e2m3_sat", "FP6 E2M3 element, saturating", ElementType.E2M3, true);
        scalar("fp4_e2m1_sat", "FP4 E2M1 element, saturating", ElementType.E2M1, true);
        scalar("int8_elem_sat", "MXINT8 element (c / 64), saturating", ElementType.INT8_FIXED, true);

        ALIASES.put("int8", "int8_per_channel");
        ALIASES.put("fp8_e4m3_sat", "fp8_e4m3");
        ALIASES.put("fp8_e5m2_sat", "fp8_e5m2");
        ALIASES.put("fused_rowwise_8bit_fp32_scale_bias", "rowwise_8bit");
        ALIASES.put("fused_rowwise_4bit_fp16_scale_bias", "rowwise_4bit");
        ALIASES.put("fused_rowwise_2bit_fp16_scale_bias", "rowwise_2bit");
    }

    private static void scalar(String name, String description, ElementType e, boolean saturate) {
        BASES.put(name, new Base(description, Kind.SCALAR, e, 0, saturate));
    }

    private static void mx(String name, ElementType e) {
        BASES.put(name, new Base("OCP MX, " + e.name() + " elements, E8M0 scale per block", Kind.MX, e, 32, true));
    }

    private FormatRegistry() {
    }

    /** The canonical base names, in the order of the summary table. */
    public static List<String> names() {
        return List.copyOf(BASES.keySet());
    }

    /** The formats a user chooses from (element-only golden types left out). */
    public static List<NumericFormat> standard() {
        List<NumericFormat> out = new ArrayList<>();
        for (String n : BASES.keySet()) {
            if (!n.endsWith("_sat") || n.startsWith("fp8")) {
                out.add(parse(n));
            }
        }
        return out;
    }

    public static String description(String baseName) {
        Base b = BASES.get(ALIASES.getOrDefault(baseName, baseName));
        return b == null ? "" : b.description();
    }

    /** Every accepted base name and alias. */
    public static Set<String> allNames() {
        Set<String> s = new TreeSet<>(BASES.keySet());
        s.addAll(ALIASES.keySet());
        return s;
    }

    /** The format with this name (with options), or an IllegalArgumentException listing the known names. */
    public static NumericFormat parse(String spec) {
        String[] parts = spec.trim().toLowerCase().split(":");
        String base = ALIASES.getOrDefault(parts[0], parts[0]);
        Base b = BASES.get(base);
        if (b == null) {
            throw new IllegalArgumentException("unknown format '" + spec + "'; known formats: " + String.join(", ", names()));
        }
        Rounding defaultRounding = b.kind() == Kind.BDR ? Rounding.NEAREST_AWAY : Rounding.NEAREST_EVEN;
        Rounding rounding = defaultRounding;
        int defaultSize = b.kind() == Kind.BDR ? 16 : b.param();
        int size = defaultSize;
        for (int i = 1; i < parts.length; i++) {
            String o = parts[i];
            if (o.equals("rne") || o.equals("rna")) {
                rounding = Rounding.parse(o);
            } else if (o.matches("[kg]\\d{1,5}") && (o.charAt(0) == 'k' ? b.kind() == Kind.MX || b.kind() == Kind.BDR
                    : b.kind() == Kind.INT4_GROUP)) {
                size = Integer.parseInt(o.substring(1));
                if (size < 1) {
                    throw new IllegalArgumentException("format '" + spec + "': size must be positive");
                }
            } else {
                throw new IllegalArgumentException("format '" + spec + "': unknown option '" + o + "'");
            }
        }
        if (rounding != defaultRounding && b.kind() != Kind.MX && b.kind() != Kind.SCALAR && b.kind() != Kind.BDR) {
            throw new IllegalArgumentException("format '" + spec + "': " + base + " has one rounding only");
        }
        if (b.kind() == Kind.BDR && (size % 2 != 0 || size > 64)) {
            throw new IllegalArgumentException("format '" + spec + "': BDR block size must be even and at most 64");
        }
        String name = base + (size != defaultSize ? (b.kind() == Kind.INT4_GROUP ? ":g" : ":k") + size : "")
                + (rounding != defaultRounding ? ":" + rounding.shortName() : "");
        return switch (b.kind()) {
            case SCALAR -> new ScalarFormat(name, b.element(), rounding, b.saturate());
            case MX -> new MxFormat(name, b.element(), size, rounding);
            case BDR -> new BdrFormat(name, b.param(), size, 2, rounding);
            case INT8_TENSOR -> new IntFormat(name, 8, IntFormat.Granularity.PER_TENSOR, true, 0);
            case INT8_TENSOR_AFFINE -> new IntFormat(name, 8, IntFormat.Granularity.PER_TENSOR, false, 0);
            case INT8_CHANNEL -> new IntFormat(name, 8, IntFormat.Granularity.PER_CHANNEL, true, 0);
            case INT8_CHANNEL_AFFINE -> new IntFormat(name, 8, IntFormat.Granularity.PER_CHANNEL, false, 0);
            case INT4_GROUP -> new IntFormat(name, 4, IntFormat.Granularity.PER_GROUP, true, size);
            case ROWWISE -> new RowwiseFormat(name, b.param());
        };
    }
}
