package io.spendstream.ingest;

import io.spendstream.schema.ApiKey;
import io.spendstream.schema.Budget;
import io.spendstream.schema.Org;
import io.spendstream.schema.UsageEvent;
import io.spendstream.schemas.registry.SchemaRegistry;
import io.spendstream.schemas.registry.SchemaRegistryException;
import io.spendstream.schemas.topics.OrgPartitioning;
import io.spendstream.schemas.topics.TopicSpec;
import java.time.Duration;
import java.util.List;
import java.util.Properties;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.clients.producer.RecordMetadata;
import org.apache.kafka.common.errors.SerializationException;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.Serializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Produces usage events and table records (orgs, API keys, budgets) to Kafka with one idempotent producer
 * (acks=all), and bounds the events in flight across requests. Budgets go to their org's partition
 * ({@link OrgPartitioning#partitionOf}), so the stream processor reads them in the task of the org's events.
 *
 * <p>Serialisation (which may call the schema registry once per schema) and {@code send} (which may
 * block up to max.block.ms on metadata or a full buffer) run on a dedicated sender thread, never on
 * a Vert.x event loop. A request's future completes when Kafka acknowledged every one of its events,
 * or fails at the first event that could not be sent or acknowledged ({@link UnavailableException}).
 */
public final class EventPublisher implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(EventPublisher.class);

    /** Kafka or the schema registry could not take the records: answer 503. */
    public static final class UnavailableException extends RuntimeException {
        public UnavailableException(String message, Throwable cause) {
            super(message, cause, false, false);
        }
    }

    private final IngestConfig config;
    private final TopicSpec<String, UsageEvent> eventsTopic;
    private final TopicSpec<String, ApiKey> keysTopic;
    private final TopicSpec<String, Org> orgsTopic;
    private final TopicSpec<String, Budget> budgetsTopic;
    private final Serializer<UsageEvent> eventSerializer;
    private final Serializer<ApiKey> keySerializer;
    private final Serializer<Org> orgSerializer;
    private final Serializer<Budget> budgetSerializer;
    private final IngestMetrics metrics;
    private final ExecutorService sender;
    private final AtomicLong inFlight = new AtomicLong();
    private final long maxInFlight;
    private volatile KafkaProducer<String, byte[]> producer;
    private volatile boolean closed;

    public EventPublisher(IngestConfig config, SchemaRegistry registry, TopicSpec<String, UsageEvent> eventsTopic,
                          TopicSpec<String, ApiKey> keysTopic, TopicSpec<String, Org> orgsTopic,
                          TopicSpec<String, Budget> budgetsTopic, IngestMetrics metrics) {
        this.config = config;
        this.eventsTopic = eventsTopic;
        this.keysTopic = keysTopic;
        this.orgsTopic = orgsTopic;
        this.budgetsTopic = budgetsTopic;
        this.eventSerializer = eventsTopic.valueSerde(registry).serializer();
        this.keySerializer = keysTopic.valueSerde(registry).serializer();
        this.orgSerializer = orgsTopic.valueSerde(registry).serializer();
        this.budgetSerializer = budgetsTopic.valueSerde(registry).serializer();
        this.metrics = metrics;
        this.maxInFlight = config.maxInFlightEvents();
        this.sender = Executors.newSingleThreadExecutor(r -> Thread.ofPlatform().name("ingest-producer-send")
                .daemon(true).unstarted(r));
        this.producer = newProducer();
    }

    static Properties producerProperties(IngestConfig config) {
        Properties p = config.kafka().clientProperties();
        p.put(ProducerConfig.CLIENT_ID_CONFIG, "ingest-api");
        p.put(ProducerConfig.ACKS_CONFIG, "all");
        p.put(ProducerConfig.ENABLE_IDEMPOTENCE_CONFIG, "true");
        p.put(ProducerConfig.MAX_IN_FLIGHT_REQUESTS_PER_CONNECTION, "5");
        p.put(ProducerConfig.DELIVERY_TIMEOUT_MS_CONFIG, Long.toString(config.deliveryTimeout().toMillis()));
        p.put(ProducerConfig.REQUEST_TIMEOUT_MS_CONFIG, Long.toString(config.requestTimeout().toMillis()));
        p.put(ProducerConfig.MAX_BLOCK_MS_CONFIG, Long.toString(config.maxBlock().toMillis()));
        p.put(ProducerConfig.LINGER_MS_CONFIG, Integer.toString(config.lingerMs()));
        p.put(ProducerConfig.BATCH_SIZE_CONFIG, Integer.toString(64 * 1024));
        p.put(ProducerConfig.COMPRESSION_TYPE_CONFIG, config.compression());
        p.put(ProducerConfig.BUFFER_MEMORY_CONFIG, Long.toString(64L * 1024 * 1024));
        p.put(ProducerConfig.RETRY_BACKOFF_MS_CONFIG, "100");
        p.put(ProducerConfig.RECONNECT_BACKOFF_MAX_MS_CONFIG, "1000");
        return p;
    }

    private KafkaProducer<String, byte[]> newProducer() {
        return new KafkaProducer<>(producerProperties(config), new StringSerializer(), new ByteArraySerializer());
    }

    /** Events being produced right now, across all requests. */
    public long inFlight() {
        return inFlight.get();
    }

    /**
     * Reserves room for {@code n} events. A request never waits: when the bound would be exceeded it is
     * answered 503 at once (a request larger than the whole bound is let through only when nothing else is
     * in flight, so it cannot starve).
     */
    public boolean tryReserve(int n) {
        while (true) {
            long cur = inFlight.get();
            if (cur + n > maxInFlight && cur > 0) {
                return false;
            }
            if (inFlight.compareAndSet(cur, cur + n)) {
                return true;
            }
        }
    }

    private void release(int n) {
        inFlight.addAndGet(-n);
    }

    /**
     * Produces {@code events} (room for them must have been {@link #tryReserve reserved}; it is released as
     * each one completes). Key: org_id; record timestamp: left to the producer (receive time).
     *
     * @return completes when every event is acknowledged; fails with {@link UnavailableException} at the
     *         first one that is not
     */
    public CompletableFuture<Void> publish(List<UsageEvent> events) {
        CompletableFuture<Void> done = new CompletableFuture<>();
        int n = events.size();
        long start = System.nanoTime();
        try {
            sender.execute(() -> {
                AtomicInteger remaining = new AtomicInteger(n);
                for (int i = 0; i < n; i++) {
                    UsageEvent e = events.get(i);
                    try {
                        if (done.isDone()) { // an earlier event failed: do not send the rest
                            release(1);
                            continue;
                        }
                        byte[] value = eventSerializer.serialize(eventsTopic.name(), e);
                        producer.send(new ProducerRecord<>(eventsTopic.name(), e.getOrgId(), value), (md, ex) -> {
                            release(1);
                            if (ex != null) {
                                done.completeExceptionally(unavailable(ex));
                            } else if (remaining.decrementAndGet() == 0) {
                                metrics.produced(System.nanoTime() - start);
                                done.complete(null);
                            }
                        });
                    } catch (RuntimeException ex) {
                        release(1);
                        done.completeExceptionally(unavailable(ex));
                        replaceProducerIfBroken(ex);
                    }
                }
            });
        } catch (RuntimeException rejected) { // executor shut down
            release(n);
            done.completeExceptionally(new UnavailableException("ingest-api is shutting down", rejected));
        }
        return done;
    }

    /** Writes an org record and completes with its offset once acknowledged. */
    public CompletableFuture<Long> write(Org org) {
        return writeTable(orgsTopic.name(), org.getOrgId(), null, () -> orgSerializer.serialize(orgsTopic.name(), org));
    }

    /** Writes an API key record and completes with its offset once acknowledged. */
    public CompletableFuture<Long> write(ApiKey key) {
        return writeTable(keysTopic.name(), key.getKeyId(), null, () -> keySerializer.serialize(keysTopic.name(), key));
    }

    /**
     * Writes a budget (key {@code org_id|budget_id}) in the partition of its org's usage events, where the
     * stream processor evaluates it ({@link OrgPartitioning}), and completes with its offset once acknowledged.
     */
    public CompletableFuture<Long> write(Budget budget) {
        return writeTable(budgetsTopic.name(), OrgPartitioning.budgetKey(budget.getOrgId(), budget.getBudgetId()),
                budget.getOrgId(), () -> budgetSerializer.serialize(budgetsTopic.name(), budget));
    }

    /** Writes the tombstone of a budget, as {@link #write(Budget)}. */
    public CompletableFuture<Long> deleteBudget(String orgId, String budgetId) {
        return writeTable(budgetsTopic.name(), OrgPartitioning.budgetKey(orgId, budgetId), orgId, () -> null);
    }

    /** Writes a record of a table topic keyed by {@code key}, partitioned by the key, once acknowledged: its offset. */
    CompletableFuture<Long> write(String topic, String key, java.util.function.Supplier<byte[]> value) {
        return writeTable(topic, key, null, value);
    }

    /**
     * Writes a record of a single-partition table topic (value null: a tombstone) whose value the caller
     * serialized, as the channel API does, and completes with its offset once acknowledged.
     */
    public CompletableFuture<Long> writeTableRecord(String topic, String key, byte[] value) {
        return writeTable(topic, key, null, () -> value);
    }

    /**
     * @param partitionOrg when set, the record goes to this org's partition (as the default partitioner
     *                     places a record keyed by the org); otherwise the default partitioner hashes the key
     */
    private CompletableFuture<Long> writeTable(String topic, String key, String partitionOrg,
                                               java.util.function.Supplier<byte[]> value) {
        CompletableFuture<Long> done = new CompletableFuture<>();
        try {
            sender.execute(() -> {
                try {
                    Integer partition = partitionOrg == null ? null
                            : OrgPartitioning.partitionOf(partitionOrg, producer.partitionsFor(topic).size());
                    producer.send(new ProducerRecord<>(topic, partition, key, value.get()),
                            (RecordMetadata md, Exception ex) -> {
                                if (ex != null) {
                                    done.completeExceptionally(unavailable(ex, "the write"));
                                } else {
                                    done.complete(md.offset());
                                }
                            });
                } catch (RuntimeException ex) {
                    done.completeExceptionally(unavailable(ex, "the write"));
                    replaceProducerIfBroken(ex);
                }
            });
        } catch (RuntimeException rejected) {
            done.completeExceptionally(new UnavailableException("ingest-api is shutting down", rejected));
        }
        return done;
    }

    private static UnavailableException unavailable(Throwable ex) {
        return unavailable(ex, "the events");
    }

    private static UnavailableException unavailable(Throwable ex, String what) {
        if (ex instanceof UnavailableException u) {
            return u;
        }
        if (ex instanceof SerializationException && ex.getCause() instanceof SchemaRegistryException) {
            return new UnavailableException("the schema registry is unavailable", ex);
        }
        return new UnavailableException("Kafka did not acknowledge " + what + " (" + ex.getClass().getSimpleName() + ")",
                ex);
    }

    /**
     * After a fatal producer error (anything but a timeout, a serialisation failure or a closed producer at
     * shutdown) the producer refuses further sends: replace it. Runs on the sender thread.
     */
    private void replaceProducerIfBroken(RuntimeException ex) {
        if (closed || ex instanceof SerializationException
                || ex instanceof org.apache.kafka.common.errors.TimeoutException
                || ex instanceof org.apache.kafka.common.errors.RetriableException) {
            return;
        }
        LOG.warn("producer failed fatally ({}); replacing it", ex.toString());
        KafkaProducer<String, byte[]> old = producer;
        producer = newProducer();
        old.close(Duration.ZERO);
    }

    /** Waits until the in-flight events are done (at most {@code timeout}), flushes and closes the producer. */
    @Override
    public void close() {
        close(Duration.ofSeconds(30));
    }

    public void close(Duration timeout) {
        long deadline = System.nanoTime() + timeout.toNanos();
        sender.shutdown();
        try {
            sender.awaitTermination(Math.max(0, deadline - System.nanoTime()), TimeUnit.NANOSECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        closed = true;
        KafkaProducer<String, byte[]> p = producer;
        try {
            p.flush();
        } catch (RuntimeException e) {
            LOG.warn("flush at shutdown failed: {}", e.toString());
        }
        p.close(Duration.ofNanos(Math.max(0, deadline - System.nanoTime())));
    }
}
