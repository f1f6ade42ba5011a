package io.spendstream.sink.transport;

import com.clickhouse.client.api.Client;
import com.clickhouse.client.api.ClientException;
import com.clickhouse.client.api.ServerException;
import com.clickhouse.client.api.command.CommandResponse;
import com.clickhouse.client.api.insert.InsertResponse;
import com.clickhouse.client.api.insert.InsertSettings;
import com.clickhouse.client.api.query.QueryResponse;
import com.clickhouse.client.api.query.QuerySettings;
import com.clickhouse.data.ClickHouseFormat;
import java.io.ByteArrayInputStream;
import java.io.FilterInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.time.temporal.ChronoUnit;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.OptionalInt;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

/**
 * A ClickHouse server over HTTP with ClickHouse's official Java client (client-v2). Inserts send
 * the same RowBinary bytes as the embedded transport, with the deduplication token in
 * {@link InsertSettings#setDeduplicationToken}; queries bind typed parameters server-side.
 */
public final class HttpTransport implements ClickHouseTransport {
    private static final long TIMEOUT_SECONDS = 120;
    private final Client client;

    public HttpTransport(String url, String user, String password, String database) {
        this.client = new Client.Builder()
                .addEndpoint(url)
                .setUsername(user)
                .setPassword(password == null ? "" : password)
                .setDefaultDatabase(database)
                .setConnectTimeout(10, ChronoUnit.SECONDS)
                .setSocketTimeout(TIMEOUT_SECONDS, ChronoUnit.SECONDS)
                .compressClientRequest(true)
                .build();
    }

    @Override
    public void execute(String sql) {
        try (CommandResponse ignored = client.execute(sql).get(TIMEOUT_SECONDS, TimeUnit.SECONDS)) {
            // done
        } catch (Exception e) {
            throw classify(e);
        }
    }

    @Override
    public void insert(String table, String format, byte[] data, String dedupToken) {
        // On a cluster the sink writes into Distributed tables: only a foreground insert is acknowledged
        // after the shards stored the rows (the background default acknowledges a local spool), and only it
        // hands the deduplication token to the replicated tables. A plain table ignores the setting.
        InsertSettings settings = new InsertSettings().serverSetting("distributed_foreground_insert", "1");
        if (dedupToken != null) {
            settings.setDeduplicationToken(dedupToken);
        }
        try (InsertResponse ignored = client.insert(table, new ByteArrayInputStream(data),
                ClickHouseFormat.valueOf(format), settings).get(TIMEOUT_SECONDS, TimeUnit.SECONDS)) {
            // acknowledged
        } catch (Exception e) {
            throw classify(e);
        }
    }

    @Override
    public byte[] query(String sql, String format, Map<String, String> params) {
        QuerySettings settings = new QuerySettings().setFormat(ClickHouseFormat.valueOf(format));
        Map<String, Object> p = new LinkedHashMap<>(params);
        try (QueryResponse response = client.query(sql, p, settings).get(TIMEOUT_SECONDS, TimeUnit.SECONDS);
             InputStream in = response.getInputStream()) {
            return in.readAllBytes();
        } catch (Exception e) {
            throw classify(e);
        }
    }

    /** client-v2 reads the HTTP body as the caller reads the stream; closing it releases the connection. */
    @Override
    public InputStream queryStream(String sql, String format, Map<String, String> params) {
        QuerySettings settings = new QuerySettings().setFormat(ClickHouseFormat.valueOf(format));
        QueryResponse response;
        try {
            response = client.query(sql, new LinkedHashMap<>(params), settings).get(TIMEOUT_SECONDS, TimeUnit.SECONDS);
        } catch (Exception e) {
            throw classify(e);
        }
        return new FilterInputStream(response.getInputStream()) {
            @Override
            public void close() throws IOException {
                try {
                    super.close();
                } finally {
                    try {
                        response.close();
                    } catch (Exception e) {
                        throw new IOException("cannot release the query response", e);
                    }
                }
            }
        };
    }

    static TransportException classify(Exception e) {
        Throwable t = e instanceof ExecutionException && e.getCause() != null ? e.getCause() : e;
        if (t instanceof InterruptedException) {
            Thread.currentThread().interrupt();
            return new TransportException("interrupted", t, true, null);
        }
        OptionalInt code = OptionalInt.empty();
        for (Throwable c = t; c != null; c = c.getCause()) {
            if (c instanceof ServerException se) {
                code = OptionalInt.of(se.getCode());
                break;
            }
        }
        boolean retriable = code.isPresent()
                ? ClickHouseErrors.isRetriableCode(code.getAsInt())
                : t instanceof TimeoutException || t instanceof ClientException
                        && ClickHouseErrors.isRetriable(OptionalInt.empty(), t.getCause())
                        || ClickHouseErrors.isRetriable(OptionalInt.empty(), t);
        return new TransportException(t.getMessage(), t, retriable, code.isPresent() ? code.getAsInt() : null);
    }

    @Override
    public String kind() {
        return "http";
    }

    @Override
    public void close() {
        client.close();
    }
}
