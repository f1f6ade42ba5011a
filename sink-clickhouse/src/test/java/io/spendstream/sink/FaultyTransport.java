package io.spendstream.sink;

import io.spendstream.sink.transport.ClickHouseTransport;
import io.spendstream.sink.transport.TransportException;
import java.util.Map;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Predicate;

/** Wraps a real transport and fails inserts on demand: ClickHouse "away" (retriable) or a schema mismatch (fatal). */
public final class FaultyTransport implements ClickHouseTransport {
    private final ClickHouseTransport delegate;
    private volatile long downUntilNanos;
    private volatile Predicate<String> fatalFor = t -> false;
    public final AtomicLong failedInserts = new AtomicLong();

    public FaultyTransport(ClickHouseTransport delegate) {
        this.delegate = delegate;
    }

    /** Every insert fails with NETWORK_ERROR (210) for this long from now. */
    public void awayFor(java.time.Duration d) {
        downUntilNanos = System.nanoTime() + d.toNanos();
    }

    public boolean away() {
        return System.nanoTime() < downUntilNanos;
    }

    /** Inserts into tables matching {@code tables} fail with NO_SUCH_COLUMN_IN_TABLE (16). */
    public void fatalFor(Predicate<String> tables) {
        fatalFor = tables;
    }

    @Override
    public void execute(String sql) {
        delegate.execute(sql);
    }

    @Override
    public void insert(String table, String format, byte[] data, String dedupToken) {
        if (away()) {
            failedInserts.incrementAndGet();
            throw new TransportException("Code: 210. DB::NetException: Connection refused (simulated)", null, true, 210);
        }
        if (fatalFor.test(table)) {
            failedInserts.incrementAndGet();
            throw new TransportException("Code: 16. DB::Exception: No such column cost_usd_nanos_v2 in table " + table
                    + " (simulated schema mismatch)", null, false, 16);
        }
        delegate.insert(table, format, data, dedupToken);
    }

    @Override
    public byte[] query(String sql, String format, Map<String, String> params) {
        return delegate.query(sql, format, params);
    }

    @Override
    public java.io.InputStream queryStream(String sql, String format, Map<String, String> params) {
        return delegate.queryStream(sql, format, params);
    }

    @Override
    public String kind() {
        return "faulty-" + delegate.kind();
    }

    @Override
    public void close() {
        // the delegate is owned by the test
    }
}
