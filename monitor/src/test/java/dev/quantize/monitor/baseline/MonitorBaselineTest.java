package dev.quantize.monitor.baseline;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.quantize.core.metrics.BinnedDistribution;
import java.util.Map;
import org.junit.jupiter.api.Test;

class MonitorBaselineTest {
    @Test
    void jsonRoundTripKeepsCountsEdgesAndNonFiniteValues() {
        BinnedDistribution d = new BinnedDistribution(new double[] {-1.5, 0, 2.25}).addAll(new float[] {-3, -1, 0, 1, 5, Float.NaN});
        MonitorBaseline b = new MonitorBaseline(512, "percentile", 0.98, Double.POSITIVE_INFINITY, Map.of("dense[0]", d),
                Map.of("/fc/Gemm", d), Map.of("/fc/Gemm", new MonitorBaseline.Layer(28.5, Double.NaN)));
        MonitorBaseline r = MonitorBaseline.fromJson(b.toJson(), "test");
        assertEquals(512, r.rows());
        assertEquals("percentile", r.calibrationMethod());
        assertEquals(Double.POSITIVE_INFINITY, r.outputSqnrDb());
        assertEquals(28.5, r.layers().get("/fc/Gemm").sqnrDb());
        assertTrue(Double.isNaN(r.layers().get("/fc/Gemm").saturation()));
        BinnedDistribution back = r.inputs().get("dense[0]");
        assertArrayEquals(d.edges(), back.edges());
        assertArrayEquals(new long[] {1, 1, 2, 1}, back.counts());
        assertEquals(1, back.nanCount());
        assertEquals(0.0, d.psi(back));
    }

    @Test
    void foreignOrNewerJsonIsRefused() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> MonitorBaseline.fromJson("{}", "a.qz"));
        assertTrue(e.getMessage().startsWith("a.qz: not a quantize-monitor-baseline"), e.getMessage());
        e = assertThrows(IllegalArgumentException.class,
                () -> MonitorBaseline.fromJson("{\"format\":\"quantize-monitor-baseline\",\"version\":99}", "a.qz"));
        assertTrue(e.getMessage().contains("newer"), e.getMessage());
        e = assertThrows(IllegalArgumentException.class, () -> MonitorBaseline.fromJson("{\"format\":\"quantize-monitor-baseline\","
                + "\"version\":1,\"inputs\":{\"x\":{\"edges\":[1,0],\"counts\":[1,2,3]}}}", "a.qz"));
        assertTrue(e.getMessage().startsWith("a.qz: the monitor baseline does not parse"), e.getMessage());
    }
}
