package dev.quantize.monitor.report;

import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * A strict reader of the Prometheus text exposition format 0.0.4, written from the format's description
 * for tests: every line must be a HELP, a TYPE or a sample line; a metric's HELP and TYPE come once and
 * before its samples; a metric's samples are contiguous; no two samples share name and labels; the text
 * ends with a newline. Throws IllegalArgumentException naming the line otherwise.
 */
final class ExpositionParser {
    record Sample(String name, Map<String, String> labels, double value) {
    }

    record Parsed(Map<String, String> help, Map<String, String> type, List<Sample> samples) {
        List<Sample> of(String name) {
            return samples.stream().filter(s -> s.name().equals(name)).toList();
        }
    }

    private static final String NAME = "[a-zA-Z_:][a-zA-Z0-9_:]*";
    private static final Pattern HELP = Pattern.compile("# HELP (" + NAME + ") (.*)");
    private static final Pattern TYPE = Pattern.compile("# TYPE (" + NAME + ") (counter|gauge|histogram|summary|untyped)");
    private static final Pattern SAMPLE_NAME = Pattern.compile("(" + NAME + ")");
    private static final Pattern LABEL_NAME = Pattern.compile("[a-zA-Z_][a-zA-Z0-9_]*");
    private static final Pattern FLOAT = Pattern.compile("[+-]?(\\d+\\.?\\d*|\\.\\d+)([eE][+-]?\\d+)?");

    private ExpositionParser() {
    }

    static Parsed parse(String text) {
        if (!text.isEmpty() && !text.endsWith("\n")) {
            throw new IllegalArgumentException("text does not end with a newline");
        }
        Map<String, String> help = new LinkedHashMap<>();
        Map<String, String> type = new LinkedHashMap<>();
        List<Sample> samples = new ArrayList<>();
        Set<String> finished = new HashSet<>();
        Set<String> seen = new HashSet<>();
        String current = null;
        String[] lines = text.split("\n", -1);
        for (int i = 0; i < lines.length - 1; i++) {
            String line = lines[i];
            String where = "line " + (i + 1) + " '" + line + "': ";
            Matcher m;
            String name;
            if ((m = HELP.matcher(line)).matches()) {
                name = m.group(1);
                if (help.put(name, unescape(m.group(2), false, where)) != null) {
                    throw new IllegalArgumentException(where + "second HELP for " + name);
                }
                if (seenSamples(samples, name)) {
                    throw new IllegalArgumentException(where + "HELP after samples of " + name);
                }
            } else if ((m = TYPE.matcher(line)).matches()) {
                name = m.group(1);
                if (type.put(name, m.group(2)) != null) {
                    throw new IllegalArgumentException(where + "second TYPE for " + name);
                }
                if (seenSamples(samples, name)) {
                    throw new IllegalArgumentException(where + "TYPE after samples of " + name);
                }
            } else if (line.startsWith("#")) {
                throw new IllegalArgumentException(where + "a comment that is neither HELP nor TYPE");
            } else {
                Sample s = sample(line, where);
                name = s.name();
                if (!type.containsKey(name)) {
                    throw new IllegalArgumentException(where + "sample before the TYPE of " + name);
                }
                if (!seen.add(name + s.labels())) {
                    throw new IllegalArgumentException(where + "duplicate series");
                }
                samples.add(s);
            }
            if (current != null && !current.equals(name)) {
                finished.add(current);
            }
            if (finished.contains(name)) {
                throw new IllegalArgumentException(where + name + " is not contiguous");
            }
            current = name;
        }
        return new Parsed(help, type, samples);
    }

    private static boolean seenSamples(List<Sample> samples, String name) {
        return samples.stream().anyMatch(s -> s.name().equals(name));
    }

    private static Sample sample(String line, String where) {
        Matcher m = SAMPLE_NAME.matcher(line);
        if (!m.lookingAt()) {
            throw new IllegalArgumentException(where + "no metric name");
        }
        String name = m.group(1);
        int p = m.end();
        Map<String, String> labels = new LinkedHashMap<>();
        if (p < line.length() && line.charAt(p) == '{') {
            p++;
            while (line.charAt(p) != '}') {
                Matcher ln = LABEL_NAME.matcher(line).region(p, line.length());
                if (!ln.lookingAt()) {
                    throw new IllegalArgumentException(where + "bad label name at " + p);
                }
                String label = ln.group();
                p = ln.end();
                if (!line.startsWith("=\"", p)) {
                    throw new IllegalArgumentException(where + "expected =\" after " + label);
                }
                p += 2;
                StringBuilder raw = new StringBuilder();
                while (line.charAt(p) != '"') {
                    if (line.charAt(p) == '\\') {
                        raw.append(line.charAt(p++));
                    }
                    raw.append(line.charAt(p++));
                }
                p++;
                if (labels.put(label, unescape(raw.toString(), true, where)) != null) {
                    throw new IllegalArgumentException(where + "label " + label + " twice");
                }
                if (line.charAt(p) == ',') {
                    p++;
                } else if (line.charAt(p) != '}') {
                    throw new IllegalArgumentException(where + "expected , or } at " + p);
                }
            }
            p++;
        }
        if (p >= line.length() || line.charAt(p) != ' ') {
            throw new IllegalArgumentException(where + "expected one space before the value");
        }
        String[] rest = line.substring(p + 1).split(" ", -1);
        if (rest.length > 2 || (rest.length == 2 && !rest[1].matches("-?\\d+"))) {
            throw new IllegalArgumentException(where + "expected a value and an optional integer timestamp");
        }
        return new Sample(name, labels, value(rest[0], where));
    }

    private static double value(String v, String where) {
        switch (v) {
            case "NaN":
                return Double.NaN;
            case "+Inf":
                return Double.POSITIVE_INFINITY;
            case "-Inf":
                return Double.NEGATIVE_INFINITY;
            default:
                if (!FLOAT.matcher(v).matches()) {
                    throw new IllegalArgumentException(where + "bad value '" + v + "'");
                }
                return Double.parseDouble(v);
        }
    }

    /** Label values escape backslash, double quote and newline; HELP text escapes backslash and newline only. */
    private static String unescape(String s, boolean labelValue, String where) {
        StringBuilder out = new StringBuilder();
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            if (c == '"' && labelValue) {
                throw new IllegalArgumentException(where + "unescaped quote");
            }
            if (c != '\\') {
                out.append(c);
                continue;
            }
            if (++i == s.length()) {
                throw new IllegalArgumentException(where + "dangling backslash");
            }
            char e = s.charAt(i);
            switch (e) {
                case '\\' -> out.append('\\');
                case 'n' -> out.append('\n');
                case '"' -> {
                    if (!labelValue) {
                        throw new IllegalArgumentException(where + "\\\" is not an escape in HELP");
                    }
                    out.append('"');
                }
                default -> throw new IllegalArgumentException(where + "bad escape \\" + e);
            }
        }
        return out.toString();
    }
}
