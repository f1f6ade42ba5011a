package io.spendstream.sink.transport;

import io.spendstream.chdb.Chdb;
import io.spendstream.chdb.ChdbException;
import java.io.BufferedInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.HashMap;
import java.util.Map;
import java.util.OptionalInt;
import java.util.function.Supplier;
import java.util.regex.Pattern;

/**
 * The embedded engine, through the {@link Chdb} binding: inserts go through {@link Chdb#insert}
 * (a private temporary file read by the engine with {@code INSERT ... SELECT * FROM file(...)}, never
 * inline, never stdin), with the batch's deduplication token as an insert setting. {@link Chdb}
 * serializes calls on its connection. Engine errors are sorted into retriable and fatal by
 * ClickHouse error code, as with the HTTP transport.
 */
public final class ChdbTransport implements ClickHouseTransport {
    private final Chdb chdb;
    private final boolean owned;
    private final Path resultDir;

    public ChdbTransport(Chdb chdb, boolean closeEngineOnClose) {
        this.chdb = chdb;
        this.owned = closeEngineOnClose;
        try {
            this.resultDir = Files.createTempDirectory("chdb-results-");
        } catch (IOException e) {
            throw new UncheckedIOException("cannot create a directory for query results", e);
        }
    }

    public static ChdbTransport open(Path dataDir) {
        return new ChdbTransport(Chdb.open(dataDir), true);
    }

    public Chdb engine() {
        return chdb;
    }

    private static <T> T call(Supplier<T> engineCall) {
        try {
            return engineCall.get();
        } catch (ChdbException e) {
            throw classify(e);
        }
    }

    @Override
    public void execute(String sql) {
        call(() -> chdb.execute(sql));
    }

    @Override
    public void insert(String table, String format, byte[] data, String dedupToken) {
        Map<String, String> settings = dedupToken == null ? Map.of()
                : Map.of("insert_deduplication_token", dedupToken);
        try {
            call(() -> chdb.insert(table, format, data, settings));
        } catch (UncheckedIOException e) {
            throw new TransportException("cannot spool the insert batch: " + e.getMessage(), e, true, null);
        }
    }

    @Override
    public byte[] query(String sql, String format, Map<String, String> params) {
        return call(() -> chdb.query(sql, format, params).data());
    }

    /**
     * libchdb returns a result as one native buffer, so a large result would be held whole (natively and
     * again as a Java array). Instead the engine writes the rows to a private temporary file
     * ({@code INSERT INTO FUNCTION file(...)}, streamed by the engine's pipeline, never via stdout) and the
     * stream reads that file in 64 KiB steps and deletes it on close. Java memory stays at the buffer;
     * disk holds the result until the caller is done; the engine lock is held only while the file is written,
     * so a slow reader never blocks inserts.
     */
    @Override
    public InputStream queryStream(String sql, String format, Map<String, String> params) {
        if (!FORMAT.matcher(format).matches()) {
            throw new IllegalArgumentException("not a format name: " + format);
        }
        if (params.containsKey(OUT_PARAM)) {
            throw new IllegalArgumentException("parameter name " + OUT_PARAM + " is reserved");
        }
        Path file;
        try {
            file = Files.createTempFile(resultDir, "result-", ".out");
            Files.delete(file); // file() refuses to write into an existing file; the name stays ours in a private dir
        } catch (IOException e) {
            throw new TransportException("cannot create a result file: " + e.getMessage(), e, true, null);
        }
        Map<String, String> p = new HashMap<>(params);
        p.put(OUT_PARAM, file.toString());
        try {
            call(() -> chdb.query("INSERT INTO FUNCTION file({" + OUT_PARAM + ":String}, '" + format + "') " + sql,
                    "TabSeparated", p));
            if (!Files.exists(file)) {
                Files.createFile(file); // no rows: the engine wrote nothing
            }
            return new BufferedInputStream(Files.newInputStream(file, StandardOpenOption.READ,
                    StandardOpenOption.DELETE_ON_CLOSE), 64 * 1024);
        } catch (IOException e) {
            deleteQuietly(file);
            throw new TransportException("cannot read the result file: " + e.getMessage(), e, true, null);
        } catch (RuntimeException e) {
            deleteQuietly(file);
            throw e;
        }
    }

    private static final String OUT_PARAM = "spendstream_outfile";
    private static final Pattern FORMAT = Pattern.compile("[A-Za-z][A-Za-z0-9]*");

    private static void deleteQuietly(Path file) {
        try {
            Files.deleteIfExists(file);
        } catch (IOException ignored) {
            // a leftover in the private temp directory is removed on close()
        }
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
        try (var left = Files.list(resultDir)) {
            left.forEach(ChdbTransport::deleteQuietly);
            Files.deleteIfExists(resultDir);
        } catch (IOException ignored) {
            // the OS temp directory is cleaned eventually
        }
        if (owned) {
            chdb.close();
        }
    }
}
