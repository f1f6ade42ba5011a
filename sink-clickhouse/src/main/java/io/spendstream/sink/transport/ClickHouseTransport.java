package io.spendstream.sink.transport;

import java.io.InputStream;
import java.util.Map;

/**
 * The last hop to ClickHouse: the embedded chDB engine or a ClickHouse server over HTTP. Both run
 * the same SQL and receive the same insert bytes. Every failure is a {@link TransportException}
 * that says whether retrying can help.
 */
public interface ClickHouseTransport extends AutoCloseable {

    /** Runs a statement (DDL, ALTER, INSERT ... SELECT); the result is discarded. */
    void execute(String sql);

    /**
     * Inserts {@code data} (rows in {@code format}, e.g. RowBinary) into {@code table}
     * ({@code database.table}). {@code dedupToken}, when not null, is sent as
     * {@code insert_deduplication_token}: the same token again within the table's deduplication
     * window is acknowledged without inserting anything.
     */
    void insert(String table, String format, byte[] data, String dedupToken);

    /** Runs a query with typed parameters ({@code {name:Type}} in the SQL) and returns its output in {@code format}. */
    byte[] query(String sql, String format, Map<String, String> params);

    /**
     * Runs a SELECT like {@link #query} and returns its output as a stream that the caller reads at its
     * own pace and must close: results of any size pass through a bounded buffer, never a whole array.
     * Errors the engine reports before the first byte are thrown here; a server that fails later ends
     * the stream with an {@link java.io.IOException}.
     */
    InputStream queryStream(String sql, String format, Map<String, String> params);

    /** A short name for logs and metrics ("chdb", "http"). */
    String kind();

    @Override
    void close();
}
