package io.spendstream.sink;

import com.dynatrace.hash4j.hashing.HashValue128;
import com.dynatrace.hash4j.hashing.Hashing;
import io.spendstream.schema.BudgetAlert;
import io.spendstream.schema.PricedUsageEvent;
import io.spendstream.schema.SpendRollup;
import io.spendstream.schema.WindowSize;
import io.spendstream.schemas.registry.SchemaRegistry;
import io.spendstream.schemas.serde.AvroSerde;
import io.spendstream.sink.rows.AvroRowTranscoder;
import io.spendstream.sink.rows.RowBinaryWriter;
import io.spendstream.sink.rows.RowEncoders;
import io.spendstream.sink.rows.Tables;
import io.spendstream.sink.rows.WireTranscoders;
import io.spendstream.sink.transport.ClickHouseErrors;
import io.spendstream.sink.transport.ClickHouseTransport;
import io.spendstream.sink.transport.TransportException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.TreeMap;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.BiConsumer;
import java.util.function.Function;
import org.apache.kafka.clients.consumer.CommitFailedException;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRebalanceListener;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.ConsumerRecords;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.KafkaException;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.errors.WakeupException;
import org.apache.kafka.common.header.internals.RecordHeaders;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Reads spend rollups, priced events and budget alerts from Kafka and writes them to ClickHouse in
 * batches (by rows and by time). Per batch: one RowBinary insert per table, each with a
 * deterministic insert_deduplication_token; the batch's offsets are committed only after every
 * insert of the batch was acknowledged. The consumer thread decodes and encodes the next batch
 * while a writer thread inserts the previous one (at most one batch in flight).
 *
 * <p>Retriable ClickHouse errors are retried with capped exponential backoff; meanwhile the
 * consumer is paused but keeps polling, so it stays in its group and nothing is skipped or
 * committed. A fatal error stops the sink (default) or, with SPENDSTREAM_SINK_ON_FATAL=dead-letter,
 * sends the records of the failed table to the dead-letter topic and goes on. Records that cannot
 * be deserialized always go to the dead-letter topic.
 */
public final class ClickHouseSink implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(ClickHouseSink.class);
    public static final String H_REASON = "dlq.reason";
    public static final String H_TOPIC = "dlq.topic";
    public static final String H_PARTITION = "dlq.partition";
    public static final String H_OFFSET = "dlq.offset";
    private static final Duration POLL = Duration.ofMillis(50);
    private static final Duration INITIAL_BACKOFF = Duration.ofMillis(100);
    /** How long the consumer waits for a busy writer before it pauses its partitions instead. */
    private static final Duration WRITER_WAIT = Duration.ofSeconds(2);

    /** Test seams. */
    public interface Hooks {
        /** Called on the writer thread after all inserts of batch {@code seq} were acknowledged, before the commit. */
        default void afterInsert(long seq) {}

        Hooks NONE = new Hooks() {};
    }

    public enum State { CREATED, RUNNING, STOPPED, FAILED }

    private final SinkConfig config;
    private final ClickHouseTransport transport;
    private final SinkMetrics metrics;
    private final Hooks hooks;
    /** How each input topic's records become rows. */
    private final Map<String, TopicRows<?>> rowsByTopic;
    private final KafkaConsumer<byte[], byte[]> consumer;
    private final KafkaProducer<byte[], byte[]> dlq;
    private final ExecutorService writer;
    private final AtomicBoolean stopping = new AtomicBoolean();
    private final AtomicBoolean abortRetries = new AtomicBoolean();
    private final AtomicReference<State> state = new AtomicReference<>(State.CREATED);
    private final AtomicReference<Throwable> failure = new AtomicReference<>();
    private final AtomicBoolean clickhouseHealthy = new AtomicBoolean(true);
    private Thread thread;

    private Batch current;
    private Batch inflightBatch;
    private Future<BatchResult> inflight;
    private long nextSeq = 1;
    private boolean paused;
    /** Set when the loop failed: closing the consumer must not write or commit anything more. */
    private volatile boolean noMoreCommits;
    private final List<Future<?>> dlqSends = new ArrayList<>();
    private final Map<String, Integer> sizeHints = new HashMap<>();

    public ClickHouseSink(SinkConfig config, ClickHouseTransport transport, SchemaRegistry registry,
                          SinkMetrics metrics, Hooks hooks) {
        this.config = config;
        this.transport = transport;
        this.metrics = metrics;
        this.hooks = hooks == null ? Hooks.NONE : hooks;
        // First one wins when two settings name the same topic, as the topics were tested in this order.
        Map<String, TopicRows<?>> rows = new HashMap<>();
        rows.putIfAbsent(config.rollupsTopic(), new TopicRows<>(
                new WireTranscoders(registry, SpendRollup.getClassSchema(), RowEncoders.ROLLUP_COLUMNS,
                        RowEncoders.ROLLUP_ROUTE),
                t -> Tables.rollups(WindowSize.valueOf(t.symbol(RowEncoders.ROLLUP_ROUTE))),
                AvroSerde.specific(SpendRollup.class, registry, false, false),
                v -> Tables.rollups(v.getWindowSize()), RowEncoders::rollup));
        rows.putIfAbsent(config.pricedEventsTopic(), new TopicRows<>(
                new WireTranscoders(registry, PricedUsageEvent.getClassSchema(), RowEncoders.PRICED_EVENT_COLUMNS,
                        null),
                t -> Tables.PRICED_EVENTS,
                AvroSerde.specific(PricedUsageEvent.class, registry, false, false),
                v -> Tables.PRICED_EVENTS, RowEncoders::pricedEvent));
        rows.putIfAbsent(config.alertsTopic(), new TopicRows<>(
                new WireTranscoders(registry, BudgetAlert.getClassSchema(), RowEncoders.ALERT_COLUMNS, null),
                t -> Tables.BUDGET_ALERTS,
                AvroSerde.specific(BudgetAlert.class, registry, false, false),
                v -> Tables.BUDGET_ALERTS, RowEncoders::alert));
        this.rowsByTopic = rows;
        Properties c = config.kafka().clientProperties();
        c.put(ConsumerConfig.GROUP_ID_CONFIG, config.groupId());
        c.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, false);
        c.put(ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed");
        c.put(ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "earliest");
        c.put(ConsumerConfig.MAX_POLL_RECORDS_CONFIG, Math.max(500, Math.min(config.batchRows(), 20_000)));
        c.put(ConsumerConfig.MAX_PARTITION_FETCH_BYTES_CONFIG, 8 * 1024 * 1024);
        c.put(ConsumerConfig.CLIENT_ID_CONFIG, config.groupId() + "-consumer");
        this.consumer = new KafkaConsumer<>(c, new ByteArrayDeserializer(), new ByteArrayDeserializer());
        Properties p = config.kafka().clientProperties();
        p.put(ProducerConfig.ACKS_CONFIG, "all");
        p.put(ProducerConfig.ENABLE_IDEMPOTENCE_CONFIG, true);
        p.put(ProducerConfig.CLIENT_ID_CONFIG, config.groupId() + "-dlq");
        this.dlq = new KafkaProducer<>(p, new ByteArraySerializer(), new ByteArraySerializer());
        this.writer = Executors.newSingleThreadExecutor(r -> {
            Thread t = new Thread(r, "sink-clickhouse-writer");
            t.setDaemon(true);
            return t;
        });
        this.current = new Batch(0, sizeHints);
    }

    /** Starts the consumer loop on its own thread. */
    public synchronized void start() {
        if (thread != null) {
            throw new IllegalStateException("already started");
        }
        thread = new Thread(this::run, "sink-clickhouse-consumer");
        thread.start();
    }

    public State state() {
        return state.get();
    }

    /** Why the sink failed, when {@link #state()} is FAILED. */
    public Throwable failure() {
        return failure.get();
    }

    /** Ready: the loop runs and ClickHouse accepted the last attempt. */
    public boolean ready() {
        return state.get() == State.RUNNING && clickhouseHealthy.get();
    }

    public SinkMetrics metrics() {
        return metrics;
    }

    private void run() {
        state.set(State.RUNNING);
        List<String> topics = List.of(config.rollupsTopic(), config.pricedEventsTopic(), config.alertsTopic());
        try {
            consumer.subscribe(topics, new Rebalance());
            LOG.info("sink subscribed to {} (group {}, transport {}, batches of {} rows or {})", topics,
                    config.groupId(), transport.kind(), config.batchRows(), config.batchInterval());
            while (!stopping.get()) {
                ConsumerRecords<byte[], byte[]> records;
                try {
                    records = consumer.poll(POLL);
                } catch (WakeupException e) {
                    continue;
                }
                for (ConsumerRecord<byte[], byte[]> r : records) {
                    accept(r);
                }
                Batch done = finishInflight(false);
                if (current.records > 0 && (current.records >= config.batchRows()
                        || System.nanoTime() - current.startedNanos >= config.batchInterval().toNanos())) {
                    current.seal(); // the insert bytes and tokens, made here while the writer is busy
                    if (inflight != null && !paused) {
                        // A healthy insert ends within a fraction of a second: wait for it rather than
                        // pause, since a paused consumer stops fetching and takes a round of fetches to
                        // resume. Bounded, so a failing ClickHouse still leads to pause-and-poll below.
                        done = awaitInflight(WRITER_WAIT);
                    }
                    if (inflight == null) {
                        submitCurrent();
                    } else if (!paused) {
                        consumer.pause(consumer.assignment());
                        paused = true;
                    }
                }
                if (done != null) {
                    commit(done); // after the next batch was handed to the writer, so it does not wait for the commit
                }
                if (paused && inflight == null) {
                    consumer.resume(consumer.paused());
                    paused = false;
                }
                updateLag();
            }
            // Graceful stop: finish the in-flight batch and flush the current one.
            flushAll();
            state.set(State.STOPPED);
        } catch (Throwable t) {
            noMoreCommits = true;
            failure.set(t);
            state.set(State.FAILED);
            LOG.error("sink stopped: {}", t.getMessage(), t);
        } finally {
            writer.shutdownNow();
            try {
                consumer.close(org.apache.kafka.clients.consumer.CloseOptions.timeout(Duration.ofSeconds(10)));
            } catch (RuntimeException e) {
                LOG.warn("closing the consumer: {}", e.toString());
            }
            dlq.close(Duration.ofSeconds(10));
        }
    }

    private void updateLag() {
        long lag = 0;
        for (TopicPartition tp : consumer.assignment()) {
            var l = consumer.currentLag(tp);
            if (l.isPresent()) {
                lag += l.getAsLong();
            }
        }
        metrics.lag(lag);
    }

    /** Decodes one record and appends its row to the current batch (or dead-letters it). */
    private void accept(ConsumerRecord<byte[], byte[]> r) {
        current.track(r);
        if (r.value() == null) {
            return; // tombstone on the compacted rollups topic: nothing to write
        }
        TopicRows<?> rows = rowsByTopic.get(r.topic());
        if (rows == null) {
            return;
        }
        try {
            current.source(rows.append(r.topic(), r.value(), current::writer), r);
        } catch (RuntimeException e) {
            // An undecodable record: to the dead-letter topic, the batch goes on.
            metrics.failure("deserialization");
            LOG.warn("record {}-{}@{} cannot be read, sent to {}: {}", r.topic(), r.partition(), r.offset(),
                    config.dlqTopic(), e.getMessage());
            deadLetter(r.topic(), r.partition(), r.offset(), r.key(), r.value(), "deserialization: " + e.getMessage());
        }
    }

    private void deadLetter(String topic, int partition, long offset, byte[] key, byte[] value, String reason) {
        RecordHeaders h = new RecordHeaders();
        h.add(H_REASON, reason.getBytes(StandardCharsets.UTF_8));
        h.add(H_TOPIC, topic.getBytes(StandardCharsets.UTF_8));
        h.add(H_PARTITION, Integer.toString(partition).getBytes(StandardCharsets.UTF_8));
        h.add(H_OFFSET, Long.toString(offset).getBytes(StandardCharsets.UTF_8));
        dlqSends.add(dlq.send(new ProducerRecord<>(config.dlqTopic(), null, key, value, h)));
        metrics.deadLettered(1);
    }

    private void submitCurrent() {
        Batch b = current;
        b.seq = nextSeq++;
        b.seal();
        current = new Batch(0, sizeHints);
        inflightBatch = b;
        inflight = writer.submit(() -> write(b));
    }

    /** Waits at most {@code timeout} for the in-flight batch; the batch to commit if it ended, else null. */
    private Batch awaitInflight(Duration timeout) throws Exception {
        try {
            inflight.get(timeout.toMillis(), TimeUnit.MILLISECONDS);
        } catch (TimeoutException e) {
            return null;
        } catch (ExecutionException e) {
            // finishInflight reports it
        }
        return finishInflight(true);
    }

    /** Waits for (or, non-blocking, checks) the in-flight batch and commits it. */
    private void completeInflight(boolean block) throws Exception {
        Batch b = finishInflight(block);
        if (b != null) {
            commit(b);
        }
    }

    /**
     * Waits for (or, non-blocking, checks) the in-flight batch; dead-letters the records of tables
     * that failed fatally (with on-fatal=dead-letter) and returns the batch, now ready to commit; null
     * while it is still running.
     */
    private Batch finishInflight(boolean block) throws Exception {
        if (inflight == null || (!block && !inflight.isDone())) {
            return null;
        }
        BatchResult result;
        try {
            result = inflight.get();
        } catch (ExecutionException e) {
            throw new SinkFailedException("batch " + inflightBatch.seq + " failed: " + e.getCause().getMessage(),
                    e.getCause());
        } finally {
            inflight = null;
        }
        Batch b = inflightBatch;
        inflightBatch = null;
        if (!result.fatal.isEmpty()) {
            if (config.onFatal() == SinkConfig.OnFatal.STOP) {
                var first = result.fatal.entrySet().iterator().next();
                throw new SinkFailedException("fatal ClickHouse error inserting batch " + b.seq + " into "
                        + first.getKey() + " (" + describe(first.getValue()) + "); stopping without committing"
                        + " (set SPENDSTREAM_SINK_ON_FATAL=dead-letter to divert such records to "
                        + config.dlqTopic() + ")", first.getValue());
            }
            for (var e : result.fatal.entrySet()) {
                for (ConsumerRecord<byte[], byte[]> r : b.sources.getOrDefault(e.getKey(), List.of())) {
                    deadLetter(r.topic(), r.partition(), r.offset(), r.key(), r.value(),
                            "fatal insert into " + e.getKey() + ": " + describe(e.getValue()));
                }
            }
        }
        return b;
    }

    private static String describe(TransportException e) {
        return (e.code().isPresent() ? ClickHouseErrors.name(e.code().getAsInt()) + ": " : "") + e.getMessage();
    }

    private void commit(Batch b) {
        if (!dlqSends.isEmpty()) {
            dlq.flush();
            for (Future<?> f : dlqSends) {
                try {
                    f.get();
                } catch (Exception e) {
                    throw new SinkFailedException("cannot write to the dead-letter topic " + config.dlqTopic()
                            + "; not committing", e);
                }
            }
            dlqSends.clear();
        }
        Map<TopicPartition, OffsetAndMetadata> offsets = new LinkedHashMap<>();
        var assigned = consumer.assignment();
        b.ranges.forEach((tp, range) -> {
            if (assigned.contains(tp)) {
                offsets.put(tp, new OffsetAndMetadata(range[1] + 1));
            }
        });
        if (!offsets.isEmpty()) {
            try {
                consumer.commitSync(offsets);
            } catch (CommitFailedException e) {
                // The group moved on; the new owner re-reads these records and the idempotent tables absorb them.
                metrics.failure("commit");
                LOG.warn("commit of batch {} failed after a rebalance: {}", b.seq, e.getMessage());
            }
        }
    }

    private void flushAll() throws Exception {
        completeInflight(true);
        if (current.records > 0) {
            submitCurrent();
            completeInflight(true);
        }
    }

    /** Writer thread: one insert per table, retried while retriable. */
    private BatchResult write(Batch b) {
        long start = System.nanoTime();
        BatchResult result = new BatchResult();
        for (Insert insert : b.seal()) {
            try {
                insertWithRetry(config.database() + "." + insert.table(), insert.data(), insert.token());
                metrics.rowsWritten(insert.table(), insert.rows());
            } catch (TransportException ex) {
                metrics.failure("fatal");
                result.fatal.put(insert.table(), ex);
                if (config.onFatal() == SinkConfig.OnFatal.STOP) {
                    return result;
                }
            }
        }
        hooks.afterInsert(b.seq);
        metrics.batch(Duration.ofNanos(System.nanoTime() - start));
        return result;
    }

    private void insertWithRetry(String table, byte[] data, String token) {
        Duration backoff = INITIAL_BACKOFF;
        while (true) {
            try {
                transport.insert(table, "RowBinary", data, token);
                clickhouseHealthy.set(true);
                return;
            } catch (TransportException e) {
                if (!e.retriable()) {
                    throw e;
                }
                clickhouseHealthy.set(false);
                metrics.retry();
                metrics.failure("retriable");
                if (abortRetries.get()) {
                    throw new TransportException("shutting down while ClickHouse fails: " + e.getMessage(), e, false,
                            null);
                }
                LOG.warn("retriable error inserting into {} ({}); retrying in {}", table, describe(e), backoff);
                try {
                    Thread.sleep(backoff);
                } catch (InterruptedException ie) {
                    Thread.currentThread().interrupt();
                    throw new TransportException("interrupted while retrying", ie, false, null);
                }
                backoff = backoff.multipliedBy(2);
                if (backoff.compareTo(config.retryBackoffMax()) > 0) {
                    backoff = config.retryBackoffMax();
                }
            }
        }
    }

    /**
     * Stops the loop: the in-flight and current batches are written and committed first (graceful
     * shutdown). Waits up to {@code timeout}; if ClickHouse still fails then, retries are abandoned
     * and the uncommitted records are re-read at the next start.
     */
    public void stop(Duration timeout) {
        stopping.set(true); // the loop polls every 50 ms; no wakeup(), which could interrupt a commitSync
        Thread t = thread;
        if (t == null) {
            return;
        }
        try {
            t.join(timeout.toMillis());
            if (t.isAlive()) {
                abortRetries.set(true);
                t.join(30_000);
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    /** Waits until the loop ends on its own (a failure) or {@code timeout} passes. */
    public boolean awaitTermination(Duration timeout) throws InterruptedException {
        Thread t = thread;
        if (t != null) {
            t.join(timeout.toMillis());
            return !t.isAlive();
        }
        return true;
    }

    @Override
    public void close() {
        stop(Duration.ofSeconds(30));
    }

    private final class Rebalance implements ConsumerRebalanceListener {
        @Override
        public void onPartitionsRevoked(Collection<TopicPartition> partitions) {
            if (partitions.isEmpty() || noMoreCommits) {
                return;
            }
            try {
                // Write and commit everything read so far while we still own the partitions.
                flushAll();
            } catch (Exception e) {
                throw new KafkaException("flush on revocation failed: " + e.getMessage(), e);
            }
        }

        @Override
        public void onPartitionsAssigned(Collection<TopicPartition> partitions) {
            LOG.info("assigned {}", partitions);
        }

        @Override
        public void onPartitionsLost(Collection<TopicPartition> partitions) {
            // Cannot commit any more; whatever is buffered is re-read by the new owner (idempotent tables).
            LOG.warn("partitions lost: {}", partitions);
        }
    }

    private static final class BatchResult {
        final Map<String, TransportException> fatal = new LinkedHashMap<>();
    }

    /**
     * How one topic's records become rows: copied directly when the record's writer schema allows
     * ({@link WireTranscoders}), else decoded by the serde and encoded by {@link RowEncoders}.
     */
    private record TopicRows<T>(WireTranscoders direct, Function<AvroRowTranscoder, String> directTable,
                                AvroSerde<T> serde, Function<T, String> table,
                                BiConsumer<RowBinaryWriter, T> encoder) {
        /** Appends the record's row to the writer of its table; returns the table. */
        String append(String topic, byte[] value, Function<String, RowBinaryWriter> writerOf) {
            AvroRowTranscoder t = direct.forRecord(value);
            if (t != null) {
                t.read(value, WireTranscoders.PAYLOAD_OFFSET);
                String name = directTable.apply(t);
                t.write(writerOf.apply(name));
                return name;
            }
            T v = serde.deserialize(topic, value);
            String name = table.apply(v);
            encoder.accept(writerOf.apply(name), v);
            return name;
        }
    }

    /** One table's insert of a batch: RowBinary rows and their deduplication token. */
    private record Insert(String table, byte[] data, int rows, String token) {}

    /** Rows per table, the source records per table, and the offset range per partition. */
    private static final class Batch {
        long seq;
        final long startedNanos = System.nanoTime();
        int records;
        final Map<String, RowBinaryWriter> writers = new TreeMap<>();
        final Map<String, List<ConsumerRecord<byte[], byte[]>>> sources = new LinkedHashMap<>();
        final Map<TopicPartition, long[]> ranges = new TreeMap<>(
                (a, b) -> a.topic().equals(b.topic()) ? Integer.compare(a.partition(), b.partition())
                        : a.topic().compareTo(b.topic()));

        /** The inserts, made once no more records come; null while records are still added. */
        private List<Insert> sealed;

        /** Bytes per table of the last sealed batch (consumer thread): new buffers start that large. */
        private final Map<String, Integer> sizeHints;

        Batch(long seq, Map<String, Integer> sizeHints) {
            this.seq = seq;
            this.sizeHints = sizeHints;
        }

        /** The inserts of this batch's non-empty tables (made now unless already made for the same records). */
        List<Insert> seal() {
            if (sealed == null) {
                List<Insert> inserts = new ArrayList<>();
                writers.forEach((table, w) -> {
                    if (!w.isEmpty()) {
                        sizeHints.put(table, w.size());
                        byte[] data = w.toByteArray();
                        inserts.add(new Insert(table, data, w.rows(), token(table, data)));
                    }
                });
                sealed = List.copyOf(inserts);
            }
            return sealed;
        }

        void track(ConsumerRecord<?, ?> r) {
            sealed = null; // another record: the inserts are made again
            records++;
            long[] range = ranges.computeIfAbsent(new TopicPartition(r.topic(), r.partition()),
                    tp -> new long[] {r.offset(), r.offset()});
            range[1] = r.offset();
        }

        RowBinaryWriter writer(String table) {
            sealed = null;
            return writers.computeIfAbsent(table,
                    t -> new RowBinaryWriter(Math.max(256 * 1024, sizeHints.getOrDefault(t, 0) / 8 * 9)));
        }

        void source(String table, ConsumerRecord<byte[], byte[]> r) {
            sources.computeIfAbsent(table, t -> new ArrayList<>()).add(r);
        }

        /**
         * The insert_deduplication_token of one table's insert: the offset ranges of the batch plus
         * a hash of the exact bytes, so the same insert retried is acknowledged once, while
         * different data (even at reused offsets after a topic was recreated) never collides. The
         * hash is XXH3-128 (hash4j): the data is our own, not an adversary's, so a fast
         * non-cryptographic 128-bit hash is enough, and it costs a fraction of SHA-256 per batch.
         */
        String token(String table, byte[] data) {
            StringBuilder s = new StringBuilder(table).append('|');
            ranges.forEach((tp, r) -> s.append(tp.topic()).append('-').append(tp.partition()).append(':')
                    .append(r[0]).append('-').append(r[1]).append(','));
            HashValue128 h = Hashing.xxh3_128().hashStream()
                    .putBytes(s.toString().getBytes(StandardCharsets.UTF_8))
                    .putBytes(data)
                    .get();
            return table + "-" + HexFormat.of().formatHex(h.toByteArray()) + "-" + data.length;
        }
    }
}
