package dev.quantize.monitor.report;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.quantize.monitor.history.WindowRecord;
import java.io.ByteArrayInputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Base64;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import javax.xml.parsers.DocumentBuilderFactory;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.w3c.dom.Document;
import org.w3c.dom.Element;
import org.w3c.dom.NodeList;

class HtmlReportTest {
    private static final byte[] PNG_MAGIC = {(byte) 0x89, 'P', 'N', 'G', '\r', '\n', 0x1a, '\n'};
    private static final String HOSTILE = "<script>alert('x')</script>&\"";

    @TempDir
    Path dir;

    /** Parses the page as XML: the markup must be well-formed (every tag closed, every entity escaped). */
    private static Document parse(String html) throws Exception {
        DocumentBuilderFactory f = DocumentBuilderFactory.newInstance();
        f.setFeature("http://apache.org/xml/features/disallow-doctype-decl", false);
        f.setFeature("http://apache.org/xml/features/nonvalidating/load-external-dtd", false);
        return f.newDocumentBuilder().parse(new ByteArrayInputStream(html.getBytes(StandardCharsets.UTF_8)));
    }

    /** Every img is an embedded PNG that decodes; returns their count. */
    private static int checkImages(Document doc) {
        NodeList imgs = doc.getElementsByTagName("img");
        for (int i = 0; i < imgs.getLength(); i++) {
            String src = ((Element) imgs.item(i)).getAttribute("src");
            assertTrue(src.startsWith("data:image/png;base64,"), src.substring(0, Math.min(40, src.length())));
            byte[] png = Base64.getDecoder().decode(src.substring("data:image/png;base64,".length()));
            assertArrayEquals(PNG_MAGIC, Arrays.copyOf(png, 8));
            assertTrue(png.length > 2000, "an empty-looking chart: " + png.length + " bytes");
        }
        return imgs.getLength();
    }

    private static void noExternalReferences(String html, Document doc) {
        assertFalse(html.contains("http://") || html.contains("https://"), "a URL in the page");
        assertEquals(0, doc.getElementsByTagName("script").getLength());
        assertEquals(0, doc.getElementsByTagName("link").getLength());
    }

    @Test
    void syntheticHistoryGivesOneImagePerChartAndTheTables() throws Exception {
        List<WindowRecord> w = SyntheticHistory.windows(10);
        String html = HtmlReport.html(SyntheticHistory.MODEL, w, HtmlReport.DEFAULT_TOP);
        Document doc = parse(html);
        noExternalReferences(html, doc);
        // 6 summary metrics + layer SQNR + layer saturation + input PSI over time + latest PSI bars
        assertEquals(10, checkImages(doc));
        assertTrue(html.contains("Showing the 8 of 15 layers with the lowest SQNR in window 2026-11-29."), html);
        assertTrue(html.contains("Showing the 8 of 15 layers with the highest saturation"), html);
        assertTrue(html.contains("Showing the 8 of 21 inputs with the highest PSI"), html);
        assertTrue(html.contains("All 21 inputs."), html); // the bar chart holds up to 25
        assertTrue(html.contains("A dashed blue vertical line marks a recalibration."));
        // one status row per window, newest first, coloured by status
        assertEquals(10, count(html, "<tr><td>2026-11-"));
        for (String status : List.of("warn", "alarm", "recalibrated")) {
            long expected = w.stream().filter(r -> r.status().equals(status)).count();
            assertTrue(expected > 0, status);
            assertEquals(expected, count(html, "<td><span class=\"badge " + status + "\">" + status + "</span></td>"), status);
        }
        assertTrue(html.indexOf("<tr><td>2026-11-29") < html.indexOf("<tr><td>2026-11-20"));
        // the latest window is healthy: no findings or recommendations
        assertTrue(html.contains("<h3>Findings</h3>\n<p>None.</p>"));
        assertTrue(html.contains("<h3>Recommendations</h3>\n<p>None.</p>"));
    }

    @Test
    void findingsAndRecommendationsOfTheLatestWindowAreTabled() throws Exception {
        List<WindowRecord> w = SyntheticHistory.windows(8); // ends in alarm
        String html = HtmlReport.html(SyntheticHistory.MODEL, w, 8);
        parse(html);
        assertTrue(html.contains("<td><span class=\"badge alarm\">alarm</span></td><td><code>max_input_psi</code></td>"), html);
        assertTrue(html.contains("<td class=\"num\">0.25</td>"));
        assertTrue(html.contains("<td><code>/top_l/Gemm_2</code></td><td>widen</td><td><code>mxfp8_e4m3</code></td>"
                + "<td>SQNR 21.4 dB &lt; 25 dB &amp; saturation 3x calibration</td>"), html);
        assertTrue(html.contains("Latest status: <span class=\"badge alarm\">alarm</span>"));
    }

    @Test
    void hostileNamesAreEscapedEverywhere() throws Exception {
        Map<String, Map<String, Double>> layers = Map.of(HOSTILE, Map.of("sqnr_db", 20.0, "sqnr_db_calib", 30.0, "saturation", 0.1));
        Map<String, Map<String, Double>> inputs = Map.of("\"><img src=x onerror=alert(1)>", Map.of("psi", 0.3));
        String json = "{\"format\":\"<b>bold</b>\",\"findings\":[{\"level\":\"<i>\",\"what\":\"" + "<script>x</script>"
                + "\",\"value\":1,\"threshold\":2}],\"recommendations\":[{\"layer\":\"<script>\",\"action\":\"a&b\","
                + "\"to_format\":\"'q'\",\"why\":\"\\u0001 control\"}]}";
        List<WindowRecord> w = List.of(new WindowRecord("m<script>", "w<1>", Instant.parse("2026-01-01T00:00:00Z"), 10,
                Map.of("auc_delta", -0.01), layers, inputs, "<blink>", json));
        String html = HtmlReport.html("m<script>", w, 8);
        Document doc = parse(html); // a raw < or & would break the parse
        noExternalReferences(html, doc);
        assertFalse(html.toLowerCase(java.util.Locale.ROOT).contains("<script"), "unescaped script tag");
        assertFalse(html.contains("<img src=x"));
        assertFalse(html.contains("<b>bold"));
        assertTrue(html.contains("<td><code>&lt;script&gt;x&lt;/script&gt;</code></td>"), "the finding's name, escaped");
        assertTrue(html.contains("<td><code>&lt;script&gt;</code></td><td>a&amp;b</td><td><code>&#39;q&#39;</code></td>"));
        assertTrue(html.contains("Plan: <code>&lt;b&gt;bold&lt;/b&gt;</code>"));
        assertTrue(html.contains("<h1>Monitor report: m&lt;script&gt;</h1>"));
        assertTrue(html.contains("<span class=\"badge other\">&lt;blink&gt;</span>"), "an unknown status gets the neutral class");
        assertTrue(html.contains("<td>\uFFFD control</td>"), "control characters are replaced");
        // the single hostile layer and input are plotted: 6 summary charts, of which 5 have no value, + 2 layer + 2 input
        assertEquals(1 + 2 + 2, checkImages(doc));
        // every text node the data produced comes back verbatim from the parsed document
        assertTrue(doc.getDocumentElement().getTextContent().contains("Monitor report: m<script>"));
    }

    @Test
    void oneWindowRendersEveryChart() throws Exception {
        List<WindowRecord> w = SyntheticHistory.windows(1);
        String html = HtmlReport.html(SyntheticHistory.MODEL, w, 8);
        Document doc = parse(html);
        assertEquals(10, checkImages(doc));
        assertTrue(html.contains("1 window, 2026-11-20"), html);
        assertFalse(html.contains("marks a recalibration"));
    }

    @Test
    void nanAndInfiniteValuesBecomeGapsOrNotes() throws Exception {
        List<WindowRecord> w = new ArrayList<>();
        for (WindowRecord r : SyntheticHistory.windows(4)) {
            Map<String, Double> m = new HashMap<>(r.metrics());
            m.put("auc_delta", Double.NaN); // e.g. one-class windows: no AUC anywhere
            m.put("output_sqnr_db", Double.POSITIVE_INFINITY);
            m.put("accuracy_delta", r.window().endsWith("21") ? Double.NaN : -0.001);
            m.remove("soft_ce_gap");
            Map<String, Map<String, Double>> layers = new LinkedHashMap<>(r.layers());
            layers.put("nan_layer", Map.of("sqnr_db", Double.NaN, "sqnr_db_calib", Double.NaN));
            w.add(new WindowRecord(r.model(), r.window(), r.startedAt(), r.rows(), m, layers, r.inputs(), r.status(), r.reportJson()));
        }
        String html = HtmlReport.html("m", w, 20);
        Document doc = parse(html);
        assertEquals(10 - 3, checkImages(doc)); // auc_delta, output_sqnr_db (only +inf) and soft_ce_gap have nothing to draw
        assertTrue(html.contains("AUC delta (quantized - FP32): no value in any window."));
        assertTrue(html.contains("Output SQNR: no value in any window."));
        assertTrue(html.contains("<td class=\"num\">NaN</td>"));
        assertTrue(html.contains("<td class=\"num\">+inf</td>"));
        assertTrue(html.contains("All 16 layers."));
    }

    @Test
    void emptyLayersAndInputsAreSaid() throws Exception {
        List<WindowRecord> w = new ArrayList<>();
        for (WindowRecord r : SyntheticHistory.windows(3)) {
            w.add(new WindowRecord(r.model(), r.window(), r.startedAt(), r.rows(), r.metrics(), Map.of(), Map.of(), r.status(), ""));
        }
        String html = HtmlReport.html("m", w, 8);
        Document doc = parse(html);
        assertEquals(6, checkImages(doc));
        assertTrue(html.contains("No per-layer metrics in this history."));
        assertTrue(html.contains("No per-input drift metrics in this history."));
        assertTrue(html.contains("Plan: <code>unknown</code>"));
    }

    @Test
    void psiLinesAreTheMonitorsThresholdsOrTheUsualOnes() throws Exception {
        List<WindowRecord> w = SyntheticHistory.windows(2);
        assertTrue(HtmlReport.html("m", w, 8).contains("with the monitor's warn (0.1) and alarm (0.25) levels"));
        WindowRecord last = w.get(1);
        WindowRecord custom = new WindowRecord(last.model(), last.window(), last.startedAt(), last.rows(), last.metrics(),
                last.layers(), last.inputs(), last.status(), "{\"thresholds\":{\"input_psi\":{\"warn\":0.2,\"alarm\":0.5}}}");
        String html = HtmlReport.html("m", List.of(w.get(0), custom), 8);
        parse(html);
        assertTrue(html.contains("warn (0.2) and alarm (0.5) levels"), html.substring(0, 3000));
    }

    @Test
    void worstRanksByLatestValueWithMissingLast() {
        Map<String, Double> latest = new HashMap<>(Map.of("a", 30.0, "b", 10.0, "c", 20.0, "d", Double.NaN, "e", 10.0));
        LinkedHashSet<String> all = new LinkedHashSet<>(List.of("a", "b", "c", "d", "e", "f"));
        assertEquals(List.of("b", "e", "c"), HtmlReport.worst(all, n -> latest.getOrDefault(n, Double.NaN), true, 3));
        assertEquals(List.of("a", "c", "b", "e", "d", "f"), HtmlReport.worst(all, n -> latest.getOrDefault(n, Double.NaN), false, 9));
    }

    @Test
    void refusesNoWindowsAndWritesAtomically() throws Exception {
        assertThrows(IllegalArgumentException.class, () -> HtmlReport.html("m", List.of(), 8));
        assertThrows(IllegalArgumentException.class, () -> HtmlReport.html("m", SyntheticHistory.windows(1), 0));
        Path out = dir.resolve("report.html");
        Files.writeString(out, "x".repeat(2_000_000));
        HtmlReport.write(out, "m", SyntheticHistory.windows(2), 8);
        String html = Files.readString(out);
        assertTrue(html.startsWith("<!DOCTYPE html>") && html.endsWith("</html>\n"));
        try (var s = Files.list(dir)) {
            assertEquals(List.of(out), s.toList());
        }
    }

    @Test
    void escapeAndNumbers() {
        assertEquals("&lt;a href=&quot;x&quot;&gt;&amp;&#39;", HtmlReport.esc("<a href=\"x\">&'"));
        assertEquals("NaN", HtmlReport.num(Double.NaN));
        assertEquals("-inf", HtmlReport.num(Double.NEGATIVE_INFINITY));
        assertEquals("0.1235", HtmlReport.num(0.123456));
        assertEquals("200000", HtmlReport.num(200000));
        assertEquals("0.3", Charts.tick(0.30000000000000004));
        assertEquals("0.05", Charts.tick(0.05));
        assertEquals("-0.004", Charts.tick(-0.004));
        assertEquals("35", Charts.tick(35.0));
    }

    private static int count(String s, String part) {
        Matcher m = Pattern.compile(Pattern.quote(part)).matcher(s);
        int n = 0;
        while (m.find()) {
            n++;
        }
        return n;
    }
}
