package dev.quantize.monitor.report;

import dev.quantize.monitor.history.WindowRecord;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;

/**
 * A realistic, seeded history of a DLRM-like model: daily windows, healthy until input drift starts at
 * window 6, warn then alarm, a recalibration at window 9 and healthy again after it.
 */
final class SyntheticHistory {
    static final String MODEL = "dlrm_small";
    static final String FORMAT = "int8_per_channel x10, mxfp8_e4m3 x3, rowwise_8bit x8";
    static final int DRIFT_START = 6; // 1-based window number
    static final int RECALIBRATION = 9;

    private SyntheticHistory() {
    }

    static List<String> layers() {
        List<String> out = new ArrayList<>();
        for (int i = 0; i < 4; i++) {
            out.add("/bot_l/Gemm_" + i);
        }
        for (int i = 0; i < 3; i++) {
            out.add("/top_l/Gemm_" + i);
        }
        for (int i = 0; i < 8; i++) {
            out.add("emb_" + i + "/Gather");
        }
        return out;
    }

    static List<String> inputs() {
        List<String> out = new ArrayList<>();
        for (int i = 0; i < 13; i++) {
            out.add("dense[" + i + "]");
        }
        for (int i = 0; i < 8; i++) {
            out.add("sparse_" + i);
        }
        return out;
    }

    static List<WindowRecord> windows(int n) {
        Random rng = new Random(42);
        List<WindowRecord> out = new ArrayList<>();
        Instant t0 = Instant.parse("2026-11-20T02:00:00Z");
        for (int w = 1; w <= n; w++) {
            // drift grows from DRIFT_START; the recalibration refits ranges, leaving a small residue
            double drift = w < DRIFT_START ? 0 : w < RECALIBRATION ? (w - DRIFT_START + 1) / 3.0 : 0.15;
            Map<String, Map<String, Double>> layers = new LinkedHashMap<>();
            double minSqnr = Double.POSITIVE_INFINITY;
            double maxSatRise = 0;
            double maxActPsi = 0;
            int li = 0;
            for (String l : layers()) {
                double calib = 38 - li * 0.9 + rng.nextGaussian() * 0.2;
                double sensitivity = li % 5 == 2 ? 3 : 1; // a few layers suffer much more
                double sqnr = calib - drift * 6 * sensitivity + rng.nextGaussian() * 0.3;
                double satCalib = 0.001 + li * 0.0002;
                double sat = satCalib + drift * 0.01 * sensitivity + Math.abs(rng.nextGaussian()) * 0.0003;
                double psi = 0.01 + drift * 0.12 * sensitivity + Math.abs(rng.nextGaussian()) * 0.005;
                layers.put(l, Map.of("sqnr_db", sqnr, "sqnr_db_calib", calib, "saturation", sat,
                        "saturation_calib", satCalib, "psi", psi, "ks", Math.sqrt(psi) / 3));
                minSqnr = Math.min(minSqnr, sqnr);
                maxSatRise = Math.max(maxSatRise, sat - satCalib);
                maxActPsi = Math.max(maxActPsi, psi);
                li++;
            }
            Map<String, Map<String, Double>> inputs = new LinkedHashMap<>();
            double maxInPsi = 0;
            int fi = 0;
            for (String f : inputs()) {
                double shift = fi % 7 == 3 ? 0.35 : fi % 4 == 1 ? 0.12 : 0.02; // some features drift more
                double psi = 0.005 + drift * shift + Math.abs(rng.nextGaussian()) * 0.004;
                inputs.put(f, Map.of("psi", psi, "ks", Math.sqrt(psi) / 4));
                maxInPsi = Math.max(maxInPsi, psi);
                fi++;
            }
            Map<String, Double> m = new LinkedHashMap<>();
            double aucFp32 = 0.79 + rng.nextGaussian() * 0.002;
            double aucDelta = -0.0002 - drift * 0.004 + rng.nextGaussian() * 0.0001;
            double neFp32 = 0.86 + rng.nextGaussian() * 0.003;
            double neRel = 0.0005 + drift * 0.006 + rng.nextGaussian() * 0.0002;
            m.put("agreement", 0.998 - drift * 0.02);
            m.put("output_sqnr_db", 34 - drift * 7 + rng.nextGaussian() * 0.2);
            m.put("auc_fp32", aucFp32);
            m.put("auc_quant", aucFp32 + aucDelta);
            m.put("auc_delta", aucDelta);
            m.put("ne_fp32", neFp32);
            m.put("ne_quant", neFp32 * (1 + neRel));
            m.put("ne_delta_rel", neRel);
            m.put("accuracy_delta", -drift * 0.004 + rng.nextGaussian() * 0.0003);
            m.put("calibration_ratio_delta", drift * 0.01);
            m.put("soft_ce_gap", 0.0004 + drift * 0.003);
            m.put("max_input_psi", maxInPsi);
            m.put("max_activation_psi", maxActPsi);
            m.put("max_saturation_rise", maxSatRise);
            m.put("min_layer_sqnr_db", minSqnr);
            m.put("seconds", 41.5 + rng.nextDouble() * 4);
            String status = w == RECALIBRATION ? "recalibrated" : maxInPsi >= 0.25 ? "alarm" : maxInPsi >= 0.1 ? "warn" : "healthy";
            out.add(new WindowRecord(MODEL, String.format("2026-11-%02d", 19 + w), t0.plus(Duration.ofDays(w - 1)),
                    200_000 + rng.nextInt(5000), m, layers, inputs, status, reportJson(status, maxInPsi)));
        }
        return out;
    }

    private static String reportJson(String status, double maxInPsi) {
        StringBuilder sb = new StringBuilder("{\"format\":\"" + FORMAT + "\",\"thresholds\":{\"psi_warn\":0.1,\"psi_alarm\":0.25},");
        sb.append("\"findings\":[");
        if (!status.equals("healthy") && !status.equals("recalibrated")) {
            sb.append("{\"level\":\"").append(status).append("\",\"what\":\"max_input_psi\",\"value\":").append(maxInPsi)
                    .append(",\"threshold\":").append(status.equals("alarm") ? 0.25 : 0.1).append("},");
            sb.append("{\"level\":\"warn\",\"what\":\"layers./top_l/Gemm_2.sqnr_db\",\"value\":21.4,\"threshold\":25}");
        }
        sb.append("],\"recommendations\":[");
        if (status.equals("alarm")) {
            sb.append("{\"layer\":\"/top_l/Gemm_2\",\"action\":\"widen\",\"to_format\":\"mxfp8_e4m3\",\"why\":\"SQNR 21.4 dB < 25 dB & saturation 3x calibration\"},");
            sb.append("{\"layer\":\"*\",\"action\":\"recalibrate\",\"to_format\":\"\",\"why\":\"input drift: max PSI > 0.25\"}");
        }
        sb.append("]}");
        return sb.toString();
    }
}
