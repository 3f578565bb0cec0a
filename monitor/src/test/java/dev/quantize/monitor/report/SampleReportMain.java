package dev.quantize.monitor.report;

import java.nio.file.Path;

/** Writes the sample report of {@link SyntheticHistory} (and its charts as PNGs) for looking at: args = output folder, number of windows (10). */
public final class SampleReportMain {
    private SampleReportMain() {
    }

    public static void main(String[] args) throws Exception {
        Path dir = Path.of(args.length > 0 ? args[0] : "target/sample-report");
        java.nio.file.Files.createDirectories(dir);
        Path html = dir.resolve("report.html");
        int windows = args.length > 1 ? Integer.parseInt(args[1]) : 10;
        long t0 = System.nanoTime();
        HtmlReport.write(html, SyntheticHistory.MODEL, SyntheticHistory.windows(windows), HtmlReport.DEFAULT_TOP);
        System.out.printf("rendered %d windows in %.2f s%n", windows, (System.nanoTime() - t0) / 1e9);
        String text = java.nio.file.Files.readString(html);
        java.util.regex.Matcher m = java.util.regex.Pattern.compile("src=\"data:image/png;base64,([^\"]+)\"").matcher(text);
        int i = 0;
        while (m.find()) {
            java.nio.file.Files.write(dir.resolve("chart" + (i++) + ".png"), java.util.Base64.getDecoder().decode(m.group(1)));
        }
        System.out.println("wrote " + html + " (" + text.length() + " chars) and " + i + " PNGs");
    }
}
