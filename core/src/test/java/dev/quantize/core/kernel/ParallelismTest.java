package dev.quantize.core.kernel;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicIntegerArray;
import org.junit.jupiter.api.Test;

class ParallelismTest {
    @Test
    void everyIndexRunsExactlyOnceInContiguousChunks() {
        for (int threads : new int[] {1, 2, 3, 8}) {
            for (int n : new int[] {0, 1, 2, 7, 17, 1000}) {
                AtomicIntegerArray hits = new AtomicIntegerArray(Math.max(n, 1));
                AtomicInteger chunks = new AtomicInteger();
                Parallelism.of(threads).parallelFor(n, (s, e) -> {
                    assertTrue(s < e, "empty chunk");
                    chunks.incrementAndGet();
                    for (int i = s; i < e; i++) {
                        hits.incrementAndGet(i);
                    }
                });
                for (int i = 0; i < n; i++) {
                    assertEquals(1, hits.get(i), "index " + i + " threads " + threads + " n " + n);
                }
                assertTrue(chunks.get() <= Math.min(threads, Math.max(n, 1)));
            }
        }
    }

    @Test
    void nestedCallsComplete() {
        AtomicInteger total = new AtomicInteger();
        Parallelism par = Parallelism.of(2);
        par.parallelFor(4, (s, e) -> {
            for (int i = s; i < e; i++) {
                par.parallelFor(10, (s2, e2) -> total.addAndGet(e2 - s2));
            }
        });
        assertEquals(40, total.get());
    }

    @Test
    void failuresReachTheCaller() {
        IllegalStateException e = assertThrows(IllegalStateException.class, () ->
                Parallelism.of(2).parallelFor(10, (s, end) -> {
                    if (s > 0) {
                        throw new IllegalStateException("chunk " + s);
                    }
                }));
        assertEquals("chunk 5", e.getMessage());
    }

    @Test
    void factories() {
        assertSame(Parallelism.single(), Parallelism.of(1));
        assertEquals(Runtime.getRuntime().availableProcessors(), Parallelism.defaultForMachine().threads());
        assertThrows(IllegalArgumentException.class, () -> Parallelism.of(0));
    }
}
