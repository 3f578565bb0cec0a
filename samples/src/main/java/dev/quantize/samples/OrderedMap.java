package dev.quantize.samples;

import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;

/** Maps that keep the order they were written in (Map.of's order changes from one JVM run to the next, and file bytes must not). */
public final class OrderedMap {
    private OrderedMap() {
    }

    /** key1, value1, key2, value2, ... in that order. */
    @SuppressWarnings("unchecked")
    public static <V> Map<String, V> of(Object... keysAndValues) {
        if (keysAndValues.length % 2 != 0) {
            throw new IllegalArgumentException("keys and values must come in pairs");
        }
        Map<String, V> m = new LinkedHashMap<>();
        for (int i = 0; i < keysAndValues.length; i += 2) {
            m.put((String) keysAndValues[i], (V) keysAndValues[i + 1]);
        }
        return Collections.unmodifiableMap(m);
    }
}
