package dev.quantize.core.conformance;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * Conformance tests that cannot pass for a stated reason. Format, one per line:
 * {@code test_name  # reason}; blank lines and lines starting with '#' are ignored. An entry without
 * a reason is an error, so every exclusion explains itself.
 */
public final class Exclusions {
    private final Map<String, String> reasons;

    private Exclusions(Map<String, String> reasons) {
        this.reasons = Collections.unmodifiableMap(reasons);
    }

    public static Exclusions none() {
        return new Exclusions(new LinkedHashMap<>());
    }

    /** The list shipped with the project (resource {@code exclusions.txt} next to this class). */
    public static Exclusions standard() {
        try (InputStream in = Exclusions.class.getResourceAsStream("exclusions.txt")) {
            if (in == null) {
                throw new IllegalStateException("resource dev/quantize/core/conformance/exclusions.txt is missing");
            }
            return parse(in, "exclusions.txt");
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    public static Exclusions parse(InputStream in, String source) throws IOException {
        Map<String, String> m = new LinkedHashMap<>();
        BufferedReader r = new BufferedReader(new InputStreamReader(in, StandardCharsets.UTF_8));
        String line;
        int no = 0;
        while ((line = r.readLine()) != null) {
            no++;
            String t = line.strip();
            if (t.isEmpty() || t.startsWith("#")) {
                continue;
            }
            int hash = t.indexOf('#');
            String name = (hash < 0 ? t : t.substring(0, hash)).strip();
            String reason = hash < 0 ? "" : t.substring(hash + 1).strip();
            if (name.isEmpty() || name.contains(" ") || reason.isEmpty()) {
                throw new IllegalArgumentException(source + " line " + no + ": expected 'test_name  # reason', got '" + t + "'");
            }
            if (m.put(name, reason) != null) {
                throw new IllegalArgumentException(source + " line " + no + ": '" + name + "' is listed twice");
            }
        }
        return new Exclusions(m);
    }

    /** The reason a test is excluded, or null if it is not. */
    public String reason(String test) {
        return reasons.get(test);
    }

    public Map<String, String> all() {
        return reasons;
    }
}
