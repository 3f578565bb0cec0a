package dev.quantize.monitor.history;

import java.time.Instant;

/** One value of a metric series: the window it belongs to, when that window started, the value (NaN if absent). */
public record Point(String window, Instant startedAt, double value) {
}
