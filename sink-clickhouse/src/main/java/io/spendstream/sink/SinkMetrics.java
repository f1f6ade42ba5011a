package io.spendstream.sink;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;

/** The sink's meters (Prometheus names in parentheses are what /metrics shows). */
public final class SinkMetrics {
    private final MeterRegistry registry;
    private final Map<String, Counter> rowsByTable = new ConcurrentHashMap<>();
    private final Map<String, Counter> failuresByKind = new ConcurrentHashMap<>();
    private final Counter batches;
    private final Counter retries;
    private final Counter deadLettered;
    private final Timer batchLatency;
    private final AtomicLong lag = new AtomicLong();
    private final AtomicLong lastBatchMillis = new AtomicLong();
    private final AtomicLong rowsTotal = new AtomicLong();

    public SinkMetrics(MeterRegistry registry) {
        this.registry = registry;
        batches = Counter.builder("spendstream.sink.batches").description("Batches written and committed")
                .register(registry);
        retries = Counter.builder("spendstream.sink.retries").description("Insert attempts retried after a retriable"
                + " ClickHouse error").register(registry);
        deadLettered = Counter.builder("spendstream.sink.dead.lettered").description("Records sent to the dead-letter"
                + " topic").register(registry);
        batchLatency = Timer.builder("spendstream.sink.batch.latency").description("Time to insert one batch into all"
                + " tables, retries included").register(registry);
        Gauge.builder("spendstream.sink.consumer.lag", lag, AtomicLong::get)
                .description("Records behind the end of the assigned partitions").register(registry);
        Gauge.builder("spendstream.sink.last.batch.latency.ms", lastBatchMillis, AtomicLong::get)
                .description("Insert latency of the last batch").register(registry);
    }

    /** (spendstream_sink_rows_written_total{table}) */
    public void rowsWritten(String table, long rows) {
        rowsByTable.computeIfAbsent(table, t -> Counter.builder("spendstream.sink.rows.written")
                .description("Rows acknowledged by ClickHouse").tag("table", t).register(registry)).increment(rows);
        rowsTotal.addAndGet(rows);
    }

    /** (spendstream_sink_failures_total{kind}) kind: retriable, fatal, deserialization, commit. */
    public void failure(String kind) {
        failuresByKind.computeIfAbsent(kind, k -> Counter.builder("spendstream.sink.failures")
                .description("Failures by kind").tag("kind", k).register(registry)).increment();
    }

    public void batch(Duration latency) {
        batches.increment();
        batchLatency.record(latency);
        lastBatchMillis.set(latency.toMillis());
    }

    public void retry() {
        retries.increment();
    }

    public void deadLettered(long n) {
        deadLettered.increment(n);
    }

    public void lag(long records) {
        lag.set(records);
    }

    public long rowsTotal() {
        return rowsTotal.get();
    }

    public long batches() {
        return (long) batches.count();
    }

    public long retries() {
        return (long) retries.count();
    }

    public long lag() {
        return lag.get();
    }
}
