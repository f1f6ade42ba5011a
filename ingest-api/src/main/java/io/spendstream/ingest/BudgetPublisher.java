package io.spendstream.ingest;

import io.spendstream.schema.Budget;
import io.spendstream.schemas.registry.SchemaRegistry;
import io.spendstream.schemas.topics.OrgPartitioning;
import io.spendstream.schemas.topics.TopicSpec;
import java.time.Duration;
import java.util.Properties;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.function.Supplier;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.clients.producer.RecordMetadata;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.Serializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Writes budgets and their tombstones to the budgets topic, key {@code org_id|budget_id}.
 *
 * <p>A producer of its own rather than {@link EventPublisher}'s, because it needs
 * {@link OrgPartitioning#PARTITIONER}: the default partitioner would hash the whole key and scatter an org's
 * budgets over partitions, while the stream processor expects them in the partition of the org's usage
 * events. Otherwise it has the same reliability settings (acks=all, idempotent, the configured delivery
 * timeout). Serialisation (which may call the schema registry) and {@code send} (which may block on
 * metadata) run on a sender thread of its own, never on an event loop.
 */
final class BudgetPublisher implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(BudgetPublisher.class);

    private final IngestConfig config;
    private final TopicSpec<String, Budget> topic;
    private final Serializer<Budget> serializer;
    private final ExecutorService sender;
    private volatile KafkaProducer<String, byte[]> producer;
    private volatile boolean closed;

    BudgetPublisher(IngestConfig config, SchemaRegistry registry, TopicSpec<String, Budget> budgetsTopic) {
        this.config = config;
        this.topic = budgetsTopic;
        this.serializer = budgetsTopic.valueSerde(registry).serializer();
        this.sender = Executors.newSingleThreadExecutor(r -> Thread.ofPlatform().name("ingest-budget-send")
                .daemon(true).unstarted(r));
        this.producer = newProducer();
    }

    static Properties producerProperties(IngestConfig config) {
        Properties p = EventPublisher.producerProperties(config);
        p.put(ProducerConfig.CLIENT_ID_CONFIG, "ingest-api-budgets");
        p.put(ProducerConfig.PARTITIONER_CLASS_CONFIG, OrgPartitioning.PARTITIONER.getName());
        p.put(ProducerConfig.LINGER_MS_CONFIG, "0"); // one record per request: nothing to batch
        p.put(ProducerConfig.BUFFER_MEMORY_CONFIG, Long.toString(4L * 1024 * 1024));
        return p;
    }

    private KafkaProducer<String, byte[]> newProducer() {
        return new KafkaProducer<>(producerProperties(config), new StringSerializer(), new ByteArraySerializer());
    }

    /**
     * Writes a budget.
     *
     * @return completes with the record's partition and offset once acknowledged; fails with
     *         {@link EventPublisher.UnavailableException} when Kafka or the registry could not take it
     */
    CompletableFuture<RecordMetadata> put(Budget budget) {
        return send(OrgPartitioning.budgetKey(budget.getOrgId(), budget.getBudgetId()),
                () -> serializer.serialize(topic.name(), budget));
    }

    /** Writes the tombstone of a budget; completes as {@link #put}. */
    CompletableFuture<RecordMetadata> delete(String orgId, String budgetId) {
        return send(OrgPartitioning.budgetKey(orgId, budgetId), () -> null);
    }

    private CompletableFuture<RecordMetadata> send(String key, Supplier<byte[]> value) {
        CompletableFuture<RecordMetadata> done = new CompletableFuture<>();
        try {
            sender.execute(() -> {
                try {
                    producer.send(new ProducerRecord<>(topic.name(), key, value.get()), (md, ex) -> {
                        if (ex != null) {
                            done.completeExceptionally(EventPublisher.unavailable(ex, "the budget"));
                        } else {
                            done.complete(md);
                        }
                    });
                } catch (RuntimeException ex) {
                    done.completeExceptionally(EventPublisher.unavailable(ex, "the budget"));
                    replaceProducerIfBroken(ex);
                }
            });
        } catch (RuntimeException rejected) { // executor shut down
            done.completeExceptionally(new EventPublisher.UnavailableException("ingest-api is shutting down", rejected));
        }
        return done;
    }

    /** As {@link EventPublisher}: a producer that failed fatally refuses further sends, so replace it. */
    private void replaceProducerIfBroken(RuntimeException ex) {
        if (closed || !EventPublisher.breaksProducer(ex)) {
            return;
        }
        LOG.warn("budget producer failed fatally ({}); replacing it", ex.toString());
        KafkaProducer<String, byte[]> old = producer;
        producer = newProducer();
        old.close(Duration.ZERO);
    }

    @Override
    public void close() {
        close(Duration.ofSeconds(10));
    }

    /** Lets queued writes go out (at most {@code timeout}), then flushes and closes the producer. */
    void close(Duration timeout) {
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
