package io.spendstream.chdb;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.concurrent.locks.ReentrantLock;
import java.util.regex.Pattern;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * ClickHouse's engine embedded in this process: libchdb through the Java FFM API (no JNI, no server).
 *
 * <p>Safety rules this class enforces:
 * <ul>
 *   <li>The JVM's signal handlers are saved before libchdb connects and restored after, because
 *       ClickHouse's own handlers would turn the next NullPointerException into a crash.</li>
 *   <li>Data never travels inline after {@code FORMAT} in the query text (the engine splits such
 *       text at a blank line and runs the rest as SQL): inserts go through a file
 *       ({@code INSERT ... FROM INFILE}) and values through typed query parameters.</li>
 *   <li>One data path per process (the engine holds a lock on it): opening a second one while the
 *       first is open fails with a clear error.</li>
 * </ul>
 * A single connection runs one query at a time; calls from several threads are serialized.
 */
public final class Chdb implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(Chdb.class);
    private static final Pattern TABLE = Pattern.compile("[A-Za-z_][A-Za-z0-9_]*(\\.[A-Za-z_][A-Za-z0-9_]*)?");
    private static final Pattern FORMAT = Pattern.compile("[A-Za-z][A-Za-z0-9]*");
    private static final Pattern SETTING = Pattern.compile("[a-z_][a-z0-9_]*");

    private static Path openPath; // guarded by Chdb.class

    private final LibChdb lib;
    private final Path dataDir;
    private final Path insertDir;
    private final MemorySegment connHandle; // chdb_connection* as returned by chdb_connect
    private final MemorySegment conn;       // *connHandle, passed to queries
    private final int restoredSignalHandlers;
    private final ReentrantLock lock = new ReentrantLock();
    private boolean closed;

    private Chdb(LibChdb lib, Path dataDir, MemorySegment connHandle, int restoredSignalHandlers) throws IOException {
        this.lib = lib;
        this.dataDir = dataDir;
        this.connHandle = connHandle;
        this.conn = connHandle.reinterpret(ValueLayout.ADDRESS.byteSize()).get(ValueLayout.ADDRESS, 0);
        this.restoredSignalHandlers = restoredSignalHandlers;
        this.insertDir = Files.createTempDirectory("chdb-inserts-");
    }

    /** Opens (creating if needed) the engine on {@code dataDir} with the library from {@link LibchdbLocator}. */
    public static Chdb open(Path dataDir) {
        return open(dataDir, LibchdbLocator.locate());
    }

    public static Chdb open(Path dataDir, Path libchdb) {
        Path dir = dataDir.toAbsolutePath().normalize();
        synchronized (Chdb.class) {
            if (openPath != null) {
                throw new ChdbException("chDB is already open on " + openPath + " in this process; libchdb allows one"
                        + " data path per process at a time, so " + dir + " cannot be opened until it is closed");
            }
            try {
                Files.createDirectories(dir);
                SignalHandlers jvmHandlers = SignalHandlers.save();
                LibChdb lib = LibChdb.load(libchdb);
                MemorySegment handle;
                int replaced;
                try (Arena arena = Arena.ofConfined()) {
                    MemorySegment argv = arena.allocate(ValueLayout.ADDRESS, 2);
                    argv.setAtIndex(ValueLayout.ADDRESS, 0, arena.allocateFrom("clickhouse"));
                    argv.setAtIndex(ValueLayout.ADDRESS, 1, arena.allocateFrom("--path=" + dir));
                    handle = (MemorySegment) lib.connect.invokeExact(2, argv);
                } finally {
                    replaced = jvmHandlers.restore();
                    LOG.debug("restored {} JVM signal handlers that libchdb replaced", replaced);
                }
                if (handle.equals(MemorySegment.NULL)) {
                    throw new ChdbException("chdb_connect failed for " + dir
                            + " (another process may hold its lock, or the directory is not a ClickHouse data path)");
                }
                Chdb chdb = new Chdb(lib, dir, handle, replaced);
                openPath = dir;
                return chdb;
            } catch (ChdbException e) {
                throw e;
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            } catch (Throwable t) {
                throw new ChdbException("cannot open chDB on " + dir, t);
            }
        }
    }

    public Path dataDir() {
        return dataDir;
    }

    /** How many of the JVM's signal handlers libchdb had replaced on connect (all were put back). */
    public int protectedSignalHandlers() {
        return restoredSignalHandlers;
    }

    /** Runs a statement that returns nothing of interest (DDL, INSERT ... SELECT). */
    public ChdbResult execute(String sql) {
        return query(sql, "TabSeparated");
    }

    /** Runs {@code sql} and returns its output in {@code format} (e.g. TabSeparated, JSONEachRow, CSV). */
    public ChdbResult query(String sql, String format) {
        return query(sql, format, Map.of());
    }

    /**
     * Runs {@code sql} with typed query parameters ({@code {name:Type}} in the SQL): the values are
     * bound by the engine, never spliced into the text.
     */
    public ChdbResult query(String sql, String format, Map<String, String> params) {
        requireFormat(format);
        lock.lock();
        try (Arena arena = Arena.ofConfined()) {
            ensureOpen();
            byte[] q = sql.getBytes(StandardCharsets.UTF_8);
            byte[] f = format.getBytes(StandardCharsets.UTF_8);
            MemorySegment qs = arena.allocateFrom(ValueLayout.JAVA_BYTE, q);
            MemorySegment fs = arena.allocateFrom(ValueLayout.JAVA_BYTE, f);
            MemorySegment result;
            if (params.isEmpty()) {
                result = (MemorySegment) lib.queryN.invokeExact(conn, qs, (long) q.length, fs, (long) f.length);
            } else {
                int n = params.size();
                MemorySegment names = arena.allocate(ValueLayout.ADDRESS, n);
                MemorySegment nameLens = arena.allocate(ValueLayout.JAVA_LONG, n);
                MemorySegment values = arena.allocate(ValueLayout.ADDRESS, n);
                MemorySegment valueLens = arena.allocate(ValueLayout.JAVA_LONG, n);
                int i = 0;
                for (var e : params.entrySet()) {
                    byte[] name = e.getKey().getBytes(StandardCharsets.UTF_8);
                    byte[] value = escapeParameter(e.getValue()).getBytes(StandardCharsets.UTF_8);
                    names.setAtIndex(ValueLayout.ADDRESS, i, arena.allocateFrom(ValueLayout.JAVA_BYTE, name));
                    nameLens.setAtIndex(ValueLayout.JAVA_LONG, i, name.length);
                    values.setAtIndex(ValueLayout.ADDRESS, i,
                            value.length == 0 ? arena.allocate(1) : arena.allocateFrom(ValueLayout.JAVA_BYTE, value));
                    valueLens.setAtIndex(ValueLayout.JAVA_LONG, i, value.length);
                    i++;
                }
                result = (MemorySegment) lib.queryWithParamsN.invokeExact(conn, qs, (long) q.length, fs, (long) f.length,
                        names, nameLens, values, valueLens, (long) n);
            }
            return readResult(result, sql);
        } catch (ChdbException e) {
            throw e;
        } catch (Throwable t) {
            throw new ChdbException("chDB call failed: " + t, t);
        } finally {
            lock.unlock();
        }
    }

    /**
     * Inserts the rows of {@code file} (in {@code format}, e.g. RowBinary, columns in table order) into
     * {@code table} with {@code INSERT INTO t SELECT * FROM file(...)}. {@code settings} become the
     * insert's SETTINGS clause (for example insert_deduplication_token); names must be ClickHouse setting
     * names, values are quoted.
     */
    public ChdbResult insertFile(String table, String format, Path file, Map<String, String> settings) {
        if (!TABLE.matcher(table).matches()) {
            throw new IllegalArgumentException("not a table name: " + table);
        }
        requireFormat(format);
        // Not "INSERT ... FROM INFILE": clickhouse-local handles INFILE in its client layer, which was seen to
        // fall back to reading the process's stdin (and block forever). The file() table function is read
        // by the engine itself; the insertion table gives it the structure.
        StringBuilder sql = new StringBuilder("INSERT INTO ").append(table)
                .append(" SELECT * FROM file({spendstream_infile:String}, '").append(format).append("')");
        if (!settings.isEmpty()) {
            sql.append(" SETTINGS ");
            boolean first = true;
            for (var e : settings.entrySet()) {
                if (!SETTING.matcher(e.getKey()).matches()) {
                    throw new IllegalArgumentException("not a setting name: " + e.getKey());
                }
                sql.append(first ? "" : ", ").append(e.getKey()).append(" = ").append(quote(e.getValue()));
                first = false;
            }
        }
        return query(sql.toString(), "TabSeparated",
                Map.of("spendstream_infile", file.toAbsolutePath().toString()));
    }

    /** Writes {@code data} to a private temporary file and inserts it with {@link #insertFile}. */
    public ChdbResult insert(String table, String format, byte[] data, Map<String, String> settings) {
        Path file = null;
        try {
            file = Files.createTempFile(insertDir, "batch-", ".bin");
            Files.write(file, data);
            return insertFile(table, format, file, settings);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot write the insert batch file", e);
        } finally {
            if (file != null) {
                try {
                    Files.deleteIfExists(file);
                } catch (IOException e) {
                    LOG.warn("cannot delete {}", file, e);
                }
            }
        }
    }

    public ChdbResult insert(String table, String format, byte[] data) {
        return insert(table, format, data, Map.of());
    }

    /**
     * Query parameter values are read by the engine in escaped (TabSeparated) form, as over
     * ClickHouse's HTTP interface; callers pass raw values and this escapes them.
     */
    static String escapeParameter(String s) {
        StringBuilder b = null;
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            String esc = switch (c) {
                case '\\' -> "\\\\";
                case '\n' -> "\\n";
                case '\r' -> "\\r";
                case '\t' -> "\\t";
                case '\0' -> "\\0";
                default -> null;
            };
            if (esc != null && b == null) {
                b = new StringBuilder(s.length() + 16).append(s, 0, i);
            }
            if (b != null) {
                if (esc != null) {
                    b.append(esc);
                } else {
                    b.append(c);
                }
            }
        }
        return b == null ? s : b.toString();
    }

    /** A ClickHouse string literal: single quotes, with backslash and quote escaped. */
    public static String quote(String s) {
        StringBuilder b = new StringBuilder(s.length() + 2).append('\'');
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            switch (c) {
                case '\\' -> b.append("\\\\");
                case '\'' -> b.append("\\'");
                case '\n' -> b.append("\\n");
                case '\r' -> b.append("\\r");
                case '\t' -> b.append("\\t");
                case '\0' -> b.append("\\0");
                default -> b.append(c);
            }
        }
        return b.append('\'').toString();
    }

    private ChdbResult readResult(MemorySegment result, String sql) throws Throwable {
        if (result.equals(MemorySegment.NULL)) {
            throw new ChdbException("chDB returned no result for: " + abbreviate(sql));
        }
        try {
            MemorySegment err = (MemorySegment) lib.resultError.invokeExact(result);
            if (!err.equals(MemorySegment.NULL)) {
                String message = err.reinterpret(Long.MAX_VALUE).getString(0);
                throw new ChdbException(message.strip() + " [query: " + abbreviate(sql) + "]");
            }
            long len = (long) lib.resultLength.invokeExact(result);
            byte[] data = new byte[Math.toIntExact(len)];
            if (len > 0) {
                MemorySegment buf = (MemorySegment) lib.resultBuffer.invokeExact(result);
                MemorySegment.copy(buf.reinterpret(len), ValueLayout.JAVA_BYTE, 0, data, 0, data.length);
            }
            long rowsRead = (long) lib.resultRowsRead.invokeExact(result);
            long rowsWritten = (long) lib.resultRowsWritten.invokeExact(result);
            double elapsed = (double) lib.resultElapsed.invokeExact(result);
            return new ChdbResult(data, rowsRead, rowsWritten, elapsed);
        } finally {
            lib.destroyResult.invokeExact(result);
        }
    }

    private static void requireFormat(String format) {
        if (!FORMAT.matcher(format).matches()) {
            throw new IllegalArgumentException("not a format name: " + format);
        }
    }

    private static String abbreviate(String sql) {
        return sql.length() <= 300 ? sql : sql.substring(0, 300) + "...";
    }

    private void ensureOpen() {
        if (closed) {
            throw new ChdbException("chDB on " + dataDir + " is closed");
        }
    }

    @Override
    public void close() {
        lock.lock();
        try {
            if (closed) {
                return;
            }
            closed = true;
            lib.closeConn.invokeExact(connHandle);
        } catch (Throwable t) {
            throw new ChdbException("chdb_close_conn failed", t);
        } finally {
            lock.unlock();
            synchronized (Chdb.class) {
                openPath = null;
            }
            try (var files = Files.list(insertDir)) {
                for (Path p : (Iterable<Path>) files::iterator) {
                    Files.deleteIfExists(p);
                }
                Files.deleteIfExists(insertDir);
            } catch (IOException e) {
                LOG.warn("cannot remove {}", insertDir, e);
            }
        }
    }
}
