package io.spendstream.sink.transport;

import io.spendstream.chdb.Chdb;
import io.spendstream.chdb.ChdbException;
import java.io.UncheckedIOException;
import java.nio.file.Path;
import java.util.Map;
import java.util.OptionalInt;
import java.util.function.Supplier;

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

    public ChdbTransport(Chdb chdb, boolean closeEngineOnClose) {
        this.chdb = chdb;
        this.owned = closeEngineOnClose;
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
        if (owned) {
            chdb.close();
        }
    }
}
