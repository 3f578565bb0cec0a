package dev.quantize.monitor.history;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;

/**
 * The monitor's history: one row per (model, window) in a SQLite database.
 *
 * <p>Storage is normalised ({@code windows}; {@code metrics(window_id, name, value)};
 * {@code layer_metrics(window_id, layer, name, value)}; {@code input_metrics(window_id, input, name, value)})
 * rather than JSON columns, because the report plots one metric over all windows: a series is then a
 * single indexed join, and new metric names need no schema change. NaN is stored as SQL NULL (SQLite
 * has no NaN) and read back as NaN. Window order is (started_at, window).
 *
 * <p>Appending a window that is already stored replaces it, atomically: the monitor re-running a
 * window after a crash must converge to the latest result, not fail. {@link #append} says which happened.
 *
 * <p>Safety: WAL journal, a busy timeout, and every write in a {@code BEGIN IMMEDIATE} transaction, so
 * two jobs writing at once serialise instead of failing, and a crash mid-write leaves whole windows only.
 * A file that is not a history (not SQLite, corrupted, foreign tables, newer schema) is refused with a
 * {@link HistoryException} naming the file, after read-only checks: such a file is never modified.
 *
 * <p>One instance holds one connection and is not thread-safe: each job or thread opens its own.
 */
public final class History implements AutoCloseable {

    /** The schema version this code writes; a database with a larger one is refused. */
    public static final int SCHEMA_VERSION = 1;

    private static final int BUSY_TIMEOUT_MS = 30_000;
    private static final byte[] SQLITE_MAGIC = "SQLite format 3\0".getBytes(StandardCharsets.US_ASCII);

    private final Path file;
    private final Connection connection;

    private History(Path file, Connection connection) {
        this.file = file;
        this.connection = connection;
    }

    /** Opens (creating if absent or empty) the history at {@code db}. */
    public static History open(Path db) {
        boolean existing = Files.exists(db) && size(db) > 0;
        if (existing) {
            checkExisting(db);
        }
        Connection c = connect(db, false);
        try {
            try (Statement s = c.createStatement()) {
                s.execute("PRAGMA busy_timeout=" + BUSY_TIMEOUT_MS);
                s.execute("PRAGMA journal_mode=WAL");
                s.execute("PRAGMA foreign_keys=ON");
                s.execute("PRAGMA synchronous=NORMAL");
            }
            History h = new History(db, c);
            h.inWriteTransaction(History::createSchemaIfAbsent);
            return h;
        } catch (SQLException | RuntimeException e) {
            closeQuietly(c, e);
            if (e instanceof HistoryException he) {
                throw he;
            }
            throw new HistoryException(name(db) + ": cannot open history (" + e.getMessage() + ")", e);
        }
    }

    /** Inserts the window, or replaces the stored window with the same (model, window). Returns true if inserted. */
    public boolean append(WindowRecord r) {
        boolean[] inserted = {true};
        inWriteTransaction(c -> {
            try (PreparedStatement del = c.prepareStatement("DELETE FROM windows WHERE model=? AND window=?")) {
                del.setString(1, r.model());
                del.setString(2, r.window());
                inserted[0] = del.executeUpdate() == 0; // children go with ON DELETE CASCADE
            }
            long id;
            try (PreparedStatement ins = c.prepareStatement(
                    "INSERT INTO windows(model, window, started_at_ms, rows, status, report_json) VALUES (?,?,?,?,?,?)",
                    Statement.RETURN_GENERATED_KEYS)) {
                ins.setString(1, r.model());
                ins.setString(2, r.window());
                ins.setLong(3, r.startedAt().toEpochMilli());
                ins.setLong(4, r.rows());
                ins.setString(5, r.status());
                ins.setString(6, r.reportJson());
                ins.executeUpdate();
                try (ResultSet keys = ins.getGeneratedKeys()) {
                    keys.next();
                    id = keys.getLong(1);
                }
            }
            try (PreparedStatement m = c.prepareStatement("INSERT INTO metrics(window_id, name, value) VALUES (?,?,?)")) {
                for (Map.Entry<String, Double> e : r.metrics().entrySet()) {
                    m.setLong(1, id);
                    m.setString(2, e.getKey());
                    setValue(m, 3, e.getValue());
                    m.addBatch();
                }
                m.executeBatch();
            }
            insertNested(c, "layer_metrics", "layer", id, r.layers());
            insertNested(c, "input_metrics", "input", id, r.inputs());
        });
        return inserted[0];
    }

    /** Every window of the model, in window order. */
    public List<WindowRecord> windows(String model) {
        return read(c -> {
            List<WindowRecord> out = new ArrayList<>();
            try (PreparedStatement p = c.prepareStatement(
                    "SELECT id, model, window, started_at_ms, rows, status, report_json FROM windows"
                            + " WHERE model=? ORDER BY started_at_ms, window")) {
                p.setString(1, model);
                try (ResultSet rs = p.executeQuery()) {
                    while (rs.next()) {
                        out.add(record(c, rs));
                    }
                }
            }
            return out;
        });
    }

    /** The model's last window in window order, if any. */
    public Optional<WindowRecord> latest(String model) {
        return read(c -> {
            try (PreparedStatement p = c.prepareStatement(
                    "SELECT id, model, window, started_at_ms, rows, status, report_json FROM windows"
                            + " WHERE model=? ORDER BY started_at_ms DESC, window DESC LIMIT 1")) {
                p.setString(1, model);
                try (ResultSet rs = p.executeQuery()) {
                    return rs.next() ? Optional.of(record(c, rs)) : Optional.<WindowRecord>empty();
                }
            }
        });
    }

    /** One summary metric over the model's windows (windows without it are left out). */
    public List<Point> series(String model, String metric) {
        return points("SELECT w.window, w.started_at_ms, m.value FROM windows w JOIN metrics m ON m.window_id=w.id"
                + " WHERE w.model=? AND m.name=? ORDER BY w.started_at_ms, w.window", model, metric);
    }

    /** One metric of one layer over the model's windows. */
    public List<Point> layerSeries(String model, String layer, String metric) {
        return points("SELECT w.window, w.started_at_ms, m.value FROM windows w JOIN layer_metrics m ON m.window_id=w.id"
                + " WHERE w.model=? AND m.layer=? AND m.name=? ORDER BY w.started_at_ms, w.window", model, layer, metric);
    }

    /** One drift metric of one input over the model's windows. */
    public List<Point> inputSeries(String model, String input, String metric) {
        return points("SELECT w.window, w.started_at_ms, m.value FROM windows w JOIN input_metrics m ON m.window_id=w.id"
                + " WHERE w.model=? AND m.input=? AND m.name=? ORDER BY w.started_at_ms, w.window", model, input, metric);
    }

    /** The models that have windows, sorted by name. */
    public List<String> models() {
        return read(c -> {
            List<String> out = new ArrayList<>();
            try (PreparedStatement p = c.prepareStatement("SELECT DISTINCT model FROM windows ORDER BY model");
                 ResultSet rs = p.executeQuery()) {
                while (rs.next()) {
                    out.add(rs.getString(1));
                }
            }
            return out;
        });
    }

    public Path file() {
        return file;
    }

    @Override
    public void close() {
        try {
            connection.close();
        } catch (SQLException e) {
            throw new HistoryException(name(file) + ": cannot close history (" + e.getMessage() + ")", e);
        }
    }

    /** Work run against the connection inside a transaction. */
    interface SqlWork {
        void run(Connection c) throws SQLException;
    }

    /** A read returning a value. */
    interface SqlRead<T> {
        T run(Connection c) throws SQLException;
    }

    /**
     * Runs work in a BEGIN IMMEDIATE transaction (the write lock is taken up front, so no deadlock between
     * two writers upgrading read locks); commits, or rolls back on any exception and rethrows it.
     */
    void inWriteTransaction(SqlWork work) {
        try (Statement s = connection.createStatement()) {
            s.execute("BEGIN IMMEDIATE");
            try {
                work.run(connection);
                s.execute("COMMIT");
            } catch (SQLException | RuntimeException e) {
                try {
                    s.execute("ROLLBACK");
                } catch (SQLException rollback) {
                    e.addSuppressed(rollback);
                }
                throw e;
            }
        } catch (SQLException e) {
            throw new HistoryException(name(file) + ": write failed (" + e.getMessage() + ")", e);
        }
    }

    /** Runs a multi-statement read in one transaction so it sees one snapshot. */
    private <T> T read(SqlRead<T> work) {
        try (Statement s = connection.createStatement()) {
            s.execute("BEGIN");
            try {
                return work.run(connection);
            } finally {
                s.execute("COMMIT");
            }
        } catch (SQLException e) {
            throw new HistoryException(name(file) + ": read failed (" + e.getMessage() + ")", e);
        }
    }

    private List<Point> points(String sql, String... args) {
        return read(c -> {
            List<Point> out = new ArrayList<>();
            try (PreparedStatement p = c.prepareStatement(sql)) {
                for (int i = 0; i < args.length; i++) {
                    p.setString(i + 1, args[i]);
                }
                try (ResultSet rs = p.executeQuery()) {
                    while (rs.next()) {
                        out.add(new Point(rs.getString(1), Instant.ofEpochMilli(rs.getLong(2)), value(rs, 3)));
                    }
                }
            }
            return out;
        });
    }

    private static WindowRecord record(Connection c, ResultSet rs) throws SQLException {
        long id = rs.getLong(1);
        Map<String, Double> metrics = new TreeMap<>();
        try (PreparedStatement p = c.prepareStatement("SELECT name, value FROM metrics WHERE window_id=?")) {
            p.setLong(1, id);
            try (ResultSet m = p.executeQuery()) {
                while (m.next()) {
                    metrics.put(m.getString(1), value(m, 2));
                }
            }
        }
        return new WindowRecord(rs.getString(2), rs.getString(3), Instant.ofEpochMilli(rs.getLong(4)), rs.getLong(5),
                metrics, nested(c, "layer_metrics", "layer", id), nested(c, "input_metrics", "input", id),
                rs.getString(6), rs.getString(7));
    }

    private static Map<String, Map<String, Double>> nested(Connection c, String table, String key, long id)
            throws SQLException {
        Map<String, Map<String, Double>> out = new TreeMap<>();
        try (PreparedStatement p = c.prepareStatement(
                "SELECT " + key + ", name, value FROM " + table + " WHERE window_id=?")) {
            p.setLong(1, id);
            try (ResultSet m = p.executeQuery()) {
                while (m.next()) {
                    out.computeIfAbsent(m.getString(1), k -> new TreeMap<>()).put(m.getString(2), value(m, 3));
                }
            }
        }
        return out;
    }

    private static void insertNested(Connection c, String table, String key, long id,
                                     Map<String, Map<String, Double>> values) throws SQLException {
        try (PreparedStatement p = c.prepareStatement(
                "INSERT INTO " + table + "(window_id, " + key + ", name, value) VALUES (?,?,?,?)")) {
            for (Map.Entry<String, Map<String, Double>> outer : values.entrySet()) {
                for (Map.Entry<String, Double> e : outer.getValue().entrySet()) {
                    p.setLong(1, id);
                    p.setString(2, outer.getKey());
                    p.setString(3, e.getKey());
                    setValue(p, 4, e.getValue());
                    p.addBatch();
                }
            }
            p.executeBatch();
        }
    }

    private static void setValue(PreparedStatement p, int index, Double v) throws SQLException {
        if (v == null || v.isNaN()) {
            p.setNull(index, java.sql.Types.REAL);
        } else {
            p.setDouble(index, v);
        }
    }

    private static double value(ResultSet rs, int index) throws SQLException {
        double v = rs.getDouble(index);
        return rs.wasNull() ? Double.NaN : v;
    }

    private static void createSchemaIfAbsent(Connection c) throws SQLException {
        try (Statement s = c.createStatement()) {
            if (tableExists(c, "schema_version")) {
                return; // version already checked (read-only) before opening for writing
            }
            s.execute("CREATE TABLE schema_version(version INTEGER NOT NULL)");
            s.execute("INSERT INTO schema_version(version) VALUES (" + SCHEMA_VERSION + ")");
            s.execute("CREATE TABLE windows(id INTEGER PRIMARY KEY, model TEXT NOT NULL, window TEXT NOT NULL,"
                    + " started_at_ms INTEGER NOT NULL, rows INTEGER NOT NULL, status TEXT NOT NULL,"
                    + " report_json TEXT NOT NULL, UNIQUE(model, window))");
            s.execute("CREATE INDEX windows_order ON windows(model, started_at_ms, window)");
            s.execute("CREATE TABLE metrics(window_id INTEGER NOT NULL REFERENCES windows(id) ON DELETE CASCADE,"
                    + " name TEXT NOT NULL, value REAL, PRIMARY KEY(window_id, name))");
            s.execute("CREATE TABLE layer_metrics(window_id INTEGER NOT NULL REFERENCES windows(id) ON DELETE CASCADE,"
                    + " layer TEXT NOT NULL, name TEXT NOT NULL, value REAL, PRIMARY KEY(window_id, layer, name))");
            s.execute("CREATE TABLE input_metrics(window_id INTEGER NOT NULL REFERENCES windows(id) ON DELETE CASCADE,"
                    + " input TEXT NOT NULL, name TEXT NOT NULL, value REAL, PRIMARY KEY(window_id, input, name))");
        }
    }

    private static boolean tableExists(Connection c, String table) throws SQLException {
        try (PreparedStatement p = c.prepareStatement("SELECT 1 FROM sqlite_master WHERE type='table' AND name=?")) {
            p.setString(1, table);
            try (ResultSet rs = p.executeQuery()) {
                return rs.next();
            }
        }
    }

    /** Read-only checks of an existing file; throws before anything could write to it. */
    private static void checkExisting(Path db) {
        String prefix = name(db) + ": not a quantize monitor history (";
        byte[] head = new byte[SQLITE_MAGIC.length];
        int n;
        try (InputStream in = Files.newInputStream(db)) {
            n = in.readNBytes(head, 0, head.length);
        } catch (IOException e) {
            throw new HistoryException(name(db) + ": cannot read history (" + e.getMessage() + ")", e);
        }
        if (n < head.length || !java.util.Arrays.equals(head, SQLITE_MAGIC)) {
            throw new HistoryException(prefix + "file is not a database)");
        }
        Connection c = connect(db, true);
        try (Statement s = c.createStatement()) {
            s.execute("PRAGMA busy_timeout=" + BUSY_TIMEOUT_MS);
            try (ResultSet rs = s.executeQuery("PRAGMA quick_check")) {
                String verdict = rs.next() ? rs.getString(1) : "no result";
                if (!"ok".equals(verdict)) {
                    throw new HistoryException(prefix + "database is corrupted: " + verdict.lines().findFirst().orElse("") + ")");
                }
            }
            boolean hasVersion = tableExists(c, "schema_version");
            if (!hasVersion) {
                try (ResultSet rs = s.executeQuery("SELECT count(*) FROM sqlite_master")) {
                    if (rs.next() && rs.getInt(1) > 0) {
                        throw new HistoryException(prefix + "a SQLite database without a schema_version table)");
                    }
                }
                return; // an empty SQLite database: the schema is created on open
            }
            try (ResultSet rs = s.executeQuery("SELECT max(version) FROM schema_version")) {
                int version = rs.next() ? rs.getInt(1) : 0;
                if (version > SCHEMA_VERSION) {
                    throw new HistoryException(name(db) + ": history schema version " + version
                            + " is newer than this tool's version " + SCHEMA_VERSION + "; use a newer quantize");
                }
                if (version < 1) {
                    throw new HistoryException(prefix + "schema_version table is empty)");
                }
            }
        } catch (SQLException e) {
            throw new HistoryException(prefix + firstLine(e.getMessage()) + ")", e);
        } finally {
            closeQuietly(c, null);
        }
    }

    private static Connection connect(Path db, boolean readOnly) {
        try {
            java.util.Properties props = new java.util.Properties();
            if (readOnly) {
                props.setProperty("open_mode", "1"); // SQLITE_OPEN_READONLY
            }
            return DriverManager.getConnection("jdbc:sqlite:" + db.toAbsolutePath(), props);
        } catch (SQLException e) {
            throw new HistoryException(name(db) + ": cannot open history (" + firstLine(e.getMessage()) + ")", e);
        }
    }

    private static String firstLine(String s) {
        return s == null ? "" : s.lines().findFirst().orElse("");
    }

    private static long size(Path p) {
        try {
            return Files.size(p);
        } catch (IOException e) {
            throw new HistoryException(name(p) + ": cannot read history (" + e.getMessage() + ")", e);
        }
    }

    private static String name(Path p) {
        return p.getFileName() == null ? p.toString() : p.getFileName().toString();
    }

    private static void closeQuietly(Connection c, Throwable primary) {
        try {
            c.close();
        } catch (SQLException e) {
            if (primary != null) {
                primary.addSuppressed(e);
            }
        }
    }
}
