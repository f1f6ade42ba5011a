package io.spendstream.sink.transport;

import io.spendstream.chdb.Chdb;
import io.spendstream.chdb.ChdbException;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.OptionalInt;
import java.util.concurrent.Callable;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.regex.Pattern;

/**
 * The embedded engine. Inserts go through a private temporary file and
 * {@code INSERT INTO t SELECT * FROM file('f', 'RowBinary') SETTINGS insert_deduplication_token = '...'}
 * (through {@link Chdb#insertFile}, which never lets the engine read stdin)
 * (data never inline in the query text). The SETTINGS clause sits after FROM INFILE, where
 * ClickHouse's grammar expects it.
 *
 * <p>Every engine call runs on one long-lived thread owned by this transport: callers on many
 * (short-lived) threads never enter libchdb themselves. An insert once hung inside libchdb after
 * threads that had used the connection had ended; pinning the engine to one thread avoids that.
 */
public final class ChdbTransport implements ClickHouseTransport {
    private static final Pattern TABLE = Pattern.compile("[A-Za-z_][A-Za-z0-9_]*(\\.[A-Za-z_][A-Za-z0-9_]*)?");
    private static final Pattern FORMAT = Pattern.compile("[A-Za-z][A-Za-z0-9]*");

    private final Chdb chdb;
    private final boolean owned;
    private final Path spoolDir;
    private final ExecutorService engineThread = Executors.newSingleThreadExecutor(r -> {
        Thread t = new Thread(r, "chdb-engine");
        t.setDaemon(true);
        return t;
    });

    public ChdbTransport(Chdb chdb, boolean closeEngineOnClose) {
        this.chdb = chdb;
        this.owned = closeEngineOnClose;
        try {
            this.spoolDir = Files.createTempDirectory("sink-chdb-");
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    public static ChdbTransport open(Path dataDir) {
        return new ChdbTransport(Chdb.open(dataDir), true);
    }

    public Chdb engine() {
        return chdb;
    }

    private <T> T onEngine(Callable<T> call) {
        Future<T> f = engineThread.submit(call);
        try {
            return f.get();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new TransportException("interrupted while waiting for chDB", e, true, null);
        } catch (ExecutionException e) {
            Throwable c = e.getCause();
            if (c instanceof ChdbException ce) {
                throw classify(ce);
            }
            if (c instanceof RuntimeException re) {
                throw re;
            }
            throw new TransportException(c.toString(), c, false, null);
        }
    }

    @Override
    public void execute(String sql) {
        onEngine(() -> chdb.execute(sql));
    }

    @Override
    public void insert(String table, String format, byte[] data, String dedupToken) {
        if (!TABLE.matcher(table).matches() || !FORMAT.matcher(format).matches()) {
            throw new IllegalArgumentException("bad table or format: " + table + " " + format);
        }
        Path file = null;
        try {
            file = Files.createTempFile(spoolDir, "batch-", ".bin");
            Files.write(file, data);
            Path batch = file;
            Map<String, String> settings = dedupToken == null ? Map.of()
                    : Map.of("insert_deduplication_token", dedupToken);
            onEngine(() -> chdb.insertFile(table, format, batch, settings));
        } catch (IOException e) {
            throw new TransportException("cannot spool the insert batch: " + e.getMessage(), e, true, null);
        } finally {
            if (file != null) {
                try {
                    Files.deleteIfExists(file);
                } catch (IOException ignored) {
                    // temp dir; cleaned on close
                }
            }
        }
    }

    @Override
    public byte[] query(String sql, String format, Map<String, String> params) {
        return onEngine(() -> chdb.query(sql, format, params).data());
    }

    static TransportException classify(ChdbException e) {
        OptionalInt code = e.errorCode();
        boolean retriable = ClickHouseErrors.isRetriable(code, e.getCause());
        return new TransportException(e.getMessage(), e, retriable, code.isPresent() ? code.getAsInt() : null);
    }

    @Override
    public String kind() {
        return "chdb";
    }

    @Override
    public void close() {
        try (var files = Files.list(spoolDir)) {
            for (Path p : (Iterable<Path>) files::iterator) {
                Files.deleteIfExists(p);
            }
            Files.deleteIfExists(spoolDir);
        } catch (IOException ignored) {
            // best effort
        }
        try {
            if (owned) {
                onEngine(() -> {
                    chdb.close();
                    return null;
                });
            }
        } finally {
            engineThread.shutdown();
        }
    }
}
