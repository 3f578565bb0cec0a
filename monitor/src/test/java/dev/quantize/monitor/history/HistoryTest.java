package dev.quantize.monitor.history;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.PreparedStatement;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class HistoryTest {
    @TempDir
    Path dir;

    @Test
    void roundTripsAWindowIncludingNaN() {
        Path db = dir.resolve("history.db");
        WindowRecord r = new WindowRecord("sha256:abc", "w1", Instant.ofEpochMilli(1234), 7,
                Map.of("agreement", 0.99, "auc_delta", Double.NaN), Map.of("fc1", Map.of("sqnr_db", 31.5)),
                Map.of("age", Map.of("psi", 0.2, "ks", 0.1)), "warn", "{\"a\":1}");
        try (History h = History.open(db)) {
            assertTrue(h.append(r));
        }
        try (History h = History.open(db)) {
            assertEquals(List.of(r), h.windows("sha256:abc"));
            assertTrue(Double.isNaN(h.latest("sha256:abc").orElseThrow().metrics().get("auc_delta")));
            assertTrue(h.windows("other").isEmpty());
            assertTrue(h.latest("other").isEmpty());
        }
    }

    @Test
    void sameWindowTwiceKeepsOneRowWithTheLatestValues() {
        Path db = dir.resolve("history.db");
        WindowRecord first = Records.window("m", 3);
        WindowRecord second = new WindowRecord("m", first.window(), first.startedAt(), 5, Map.of("agreement", 0.5),
                Map.of(), Map.of("f0", Map.of("psi", 9.0)), "alarm", "{}");
        try (History h = History.open(db)) {
            assertTrue(h.append(first));
            assertFalse(h.append(second));
            assertEquals(List.of(second), h.windows("m"));
            assertEquals(List.of(new Point(first.window(), first.startedAt(), 0.5)), h.series("m", "agreement"));
            assertTrue(h.series("m", "sqnr_db").isEmpty(), "old metrics must be gone");
            assertTrue(h.layerSeries("m", "layer0", "sqnr_db").isEmpty(), "old layer metrics must be gone");
        }
    }

    @Test
    void seriesAreInWindowOrderWithHandComputedValues() {
        Path db = dir.resolve("history.db");
        try (History h = History.open(db)) {
            for (int i : new int[] {4, 0, 2, 1, 3}) { // appended out of order
                h.append(Records.window("m", i));
            }
            h.append(Records.window("other", 9));
            List<Point> s = h.series("m", "sqnr_db");
            assertEquals(5, s.size());
            for (int i = 0; i < 5; i++) {
                assertEquals(String.format("w%05d", i), s.get(i).window());
                assertEquals(Instant.ofEpochMilli(1_700_000_000_000L + i * 60_000L), s.get(i).startedAt());
                assertEquals(40.0 - i * 0.5, s.get(i).value());
            }
            List<Point> layer = h.layerSeries("m", "layer7", "sqnr_db");
            assertEquals(List.of(30.07, 31.07, 32.07, 33.07, 34.07), layer.stream().map(Point::value).toList());
            List<Point> input = h.inputSeries("m", "f2", "psi");
            assertEquals(List.of(2.0, 2.01, 2.02, 2.03, 2.04), input.stream().map(Point::value).toList());
            assertEquals("w00004", h.latest("m").orElseThrow().window());
            assertEquals(List.of(Records.window("other", 9)), h.windows("other"));
        }
    }

    @Test
    void anExceptionInsideATransactionLeavesThePreviousState() {
        Path db = dir.resolve("history.db");
        try (History h = History.open(db)) {
            h.append(Records.window("m", 0));
            IllegalStateException e = assertThrows(IllegalStateException.class, () -> h.inWriteTransaction(c -> {
                try (PreparedStatement p = c.prepareStatement("DELETE FROM windows")) {
                    p.executeUpdate();
                }
                throw new IllegalStateException("boom");
            }));
            assertEquals("boom", e.getMessage());
            assertEquals(List.of(Records.window("m", 0)), h.windows("m"));
            h.append(Records.window("m", 1)); // the connection is usable afterwards
            assertEquals(2, h.windows("m").size());
        }
    }

    @Test
    void twoThreadsAppendingAtOnceLoseNothing() throws Exception {
        Path db = dir.resolve("history.db");
        History.open(db).close();
        ExecutorService pool = Executors.newFixedThreadPool(2);
        try {
            List<Future<?>> jobs = new ArrayList<>();
            for (int t = 0; t < 2; t++) {
                int from = t * 100;
                jobs.add(pool.submit(() -> {
                    try (History h = History.open(db)) { // one connection per job, as two monitor runs would
                        for (int i = from; i < from + 100; i++) {
                            h.append(Records.window("m", i));
                        }
                    }
                    return null;
                }));
            }
            for (Future<?> f : jobs) {
                f.get(60, TimeUnit.SECONDS);
            }
        } finally {
            pool.shutdownNow();
        }
        assertAllWholeWindows(db, 200);
    }

    @Test
    void twoProcessesAppendingAtOnceLoseNothing() throws Exception {
        Path db = dir.resolve("history.db");
        Process a = child(db, 0, 150);
        Process b = child(db, 150, 300);
        assertEquals(0, waitFor(a), "child a failed");
        assertEquals(0, waitFor(b), "child b failed");
        assertAllWholeWindows(db, 300);
    }

    @Test
    void aKilledWriterLeavesOnlyWholeWindows() throws Exception {
        Path db = dir.resolve("history.db");
        Process p = child(db, 0, 1_000_000);
        try (BufferedReader out = new BufferedReader(new InputStreamReader(p.getInputStream(), StandardCharsets.UTF_8))) {
            assertEquals("started", out.readLine());
            Thread.sleep(700); // let it write a few hundred windows, then kill it mid-batch
            p.destroyForcibly().waitFor(30, TimeUnit.SECONDS);
        }
        try (History h = History.open(db)) {
            int n = h.windows("m").size();
            assertTrue(n > 0 && n < 1_000_000, "windows written before the kill: " + n);
            System.out.println("killed writer: " + n + " whole windows survived");
            assertAllWholeWindows(h, n);
        }
    }

    @Test
    void garbageIsRefusedWithTheFileNameAndLeftUntouched() throws Exception {
        Path db = dir.resolve("history.db");
        byte[] garbage = new byte[5000];
        new Random(42).nextBytes(garbage);
        Files.write(db, garbage);
        HistoryException e = assertThrows(HistoryException.class, () -> History.open(db));
        assertEquals("history.db: not a quantize monitor history (file is not a database)", e.getMessage());
        assertArrayEquals(garbage, Files.readAllBytes(db));
    }

    @Test
    void corruptedDatabasesAreRefusedAndLeftUntouched() throws Exception {
        Path good = dir.resolve("good.db");
        try (History h = History.open(good)) {
            for (int i = 0; i < 60; i++) {
                h.append(Records.window("m", i));
            }
        }
        byte[] original = Files.readAllBytes(good);
        Random rnd = new Random(7);
        int refused = 0;
        for (int trial = 0; trial < 12; trial++) {
            Path db = dir.resolve("history" + trial + ".db");
            byte[] bytes;
            if (trial % 2 == 0) { // truncation
                bytes = java.util.Arrays.copyOf(original, 100 + rnd.nextInt(original.length - 200));
            } else { // overwrite a run of bytes inside a page after the header
                bytes = original.clone();
                int at = 4096 + rnd.nextInt(original.length - 4096 - 64);
                for (int k = 0; k < 64; k++) {
                    bytes[at + k] = (byte) rnd.nextInt(256);
                }
            }
            Files.write(db, bytes);
            try (History h = History.open(db)) {
                // Some damage is invisible to quick_check (e.g. inside a text value); reading must still not crash silently.
                h.windows("m");
                assertTrue(trial % 2 == 1, "a truncated database must be refused: " + db.getFileName());
            } catch (HistoryException ex) {
                refused++;
                assertTrue(ex.getMessage().startsWith(db.getFileName() + ": "), ex.getMessage());
                assertFalse(ex.getMessage().contains("\n"), "one-line message: " + ex.getMessage());
                assertArrayEquals(bytes, Files.readAllBytes(db), "a refused file must not be modified");
            }
        }
        System.out.println("corruption fuzz: " + refused + " of 12 damaged copies refused, all unmodified");
        assertTrue(refused >= 6, "every truncation must be refused; refused " + refused + " of 12");
    }

    @Test
    void aNewerSchemaIsRefused() throws Exception {
        Path db = dir.resolve("history.db");
        try (History h = History.open(db)) {
            h.inWriteTransaction(c -> c.createStatement().execute("UPDATE schema_version SET version = 99"));
        }
        byte[] before = Files.readAllBytes(db);
        HistoryException e = assertThrows(HistoryException.class, () -> History.open(db));
        assertEquals("history.db: history schema version 99 is newer than this tool's version 1; use a newer quantize",
                e.getMessage());
        assertArrayEquals(before, Files.readAllBytes(db));
    }

    @Test
    void aForeignSqliteDatabaseIsRefusedAndLeftUntouched() throws Exception {
        Path db = dir.resolve("other.db");
        try (java.sql.Connection c = java.sql.DriverManager.getConnection("jdbc:sqlite:" + db);
             java.sql.Statement st = c.createStatement()) {
            st.execute("CREATE TABLE customers(id INTEGER, name TEXT)");
            st.execute("INSERT INTO customers VALUES (1, 'a')");
        }
        byte[] before = Files.readAllBytes(db);
        HistoryException e = assertThrows(HistoryException.class, () -> History.open(db));
        assertEquals("other.db: not a quantize monitor history (a SQLite database without a schema_version table)",
                e.getMessage());
        assertArrayEquals(before, Files.readAllBytes(db));
    }

    private Process child(Path db, int from, int to) throws Exception {
        String cp = System.getProperty("surefire.test.class.path", System.getProperty("java.class.path"));
        ProcessBuilder pb = new ProcessBuilder(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-cp", cp, HistoryWriterMain.class.getName(), db.toString(), "m", Integer.toString(from),
                Integer.toString(to));
        pb.redirectError(ProcessBuilder.Redirect.INHERIT);
        return pb.start();
    }

    private static int waitFor(Process p) throws Exception {
        p.getInputStream().transferTo(java.io.OutputStream.nullOutputStream());
        if (!p.waitFor(120, TimeUnit.SECONDS)) {
            p.destroyForcibly();
            throw new AssertionError("child did not finish");
        }
        return p.exitValue();
    }

    private static void assertAllWholeWindows(Path db, int expected) {
        try (History h = History.open(db)) {
            assertAllWholeWindows(h, expected);
        }
    }

    /** Windows 0..expected-1 all present and each exactly as written (all metrics, layers and inputs). */
    private static void assertAllWholeWindows(History h, int expected) {
        List<WindowRecord> all = h.windows("m");
        assertEquals(expected, all.size());
        for (int i = 0; i < expected; i++) {
            assertEquals(Records.window("m", i), all.get(i));
        }
    }

}
