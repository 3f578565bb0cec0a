package dev.quantize.monitor.report;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class WindowReportTest {
    @Test
    void parsesTheFieldsTheReportsShow() {
        WindowReport r = WindowReport.parse("{\"format\":\"int8 x3\",\"thresholds\":{\"input_psi\":{\"warn\":0.2,\"alarm\":0.4},"
                + "\"broken\":{\"warn\":\"x\"},\"other\":3},\"findings\":[{\"level\":\"alarm\",\"what\":\"inputs.a.psi\","
                + "\"value\":\"NaN\",\"threshold\":0.4},7,{\"level\":\"warn\"}],\"recommendations\":[{\"layer\":\"fc1\","
                + "\"action\":\"widen\",\"to_format\":\"fp16\",\"why\":\"sqnr\"}],\"extra\":{}}");
        assertEquals("int8 x3", r.format());
        assertEquals(Map.of("input_psi", new WindowReport.Level(0.2, 0.4)), r.thresholds());
        assertEquals(new WindowReport.Level(0.2, 0.4), r.threshold("input_psi", HtmlReport.DEFAULT_PSI));
        assertEquals(HtmlReport.DEFAULT_PSI, r.threshold("layer_psi", HtmlReport.DEFAULT_PSI));
        assertEquals(2, r.findings().size()); // the bare number is skipped
        assertEquals("inputs.a.psi", r.findings().get(0).what());
        assertTrue(Double.isNaN(r.findings().get(0).value()));
        assertEquals(new WindowReport.Finding("warn", "", Double.NaN, Double.NaN).toString(), r.findings().get(1).toString());
        assertEquals(List.of(new WindowReport.Recommendation("fc1", "widen", "fp16", "sqnr")), r.recommendations());
    }

    @Test
    void anythingElseIsTheEmptyReport() {
        for (String json : new String[] {null, "", "  ", "{", "[]", "42", "\"text\"", "{\"findings\":{},\"recommendations\":\"x\"}"}) {
            WindowReport r = WindowReport.parse(json);
            assertEquals("unknown", r.format(), String.valueOf(json));
            assertTrue(r.findings().isEmpty() && r.recommendations().isEmpty() && r.thresholds().isEmpty(), String.valueOf(json));
        }
    }
}
