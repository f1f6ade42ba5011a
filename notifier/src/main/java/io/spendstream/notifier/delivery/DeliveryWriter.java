package io.spendstream.notifier.delivery;

import io.spendstream.config.KafkaClientSettings;
import io.spendstream.schema.AlertDelivery;
import io.spendstream.schemas.registry.SchemaRegistry;
import io.spendstream.schemas.topics.OrgPartitioning;
import io.spendstream.schemas.topics.TopicSpec;
import java.time.Duration;
import java.util.Properties;
import java.util.concurrent.CompletableFuture;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.clients.producer.RecordMetadata;
import org.apache.kafka.common.serialization.Serializer;
import org.apache.kafka.common.serialization.StringSerializer;

/**
 * Writes delivery records (idempotent producer, acks=all) in their org's partition, the same partition
 * number the org's alerts have on budget-alerts, so the instance that consumes an org's alerts owns its
 * deliveries too. The returned future completes once Kafka acknowledged the record, and {@link DeliveryLog}
 * is updated then: nothing is considered recorded before it is durable.
 */
public final class DeliveryWriter implements AutoCloseable {
    private final KafkaProducer<String, AlertDelivery> producer;
    private final String topic;
    private final DeliveryLog log;

    public DeliveryWriter(KafkaClientSettings kafka, SchemaRegistry registry, TopicSpec<String, AlertDelivery> spec,
                          DeliveryLog log) {
        Properties p = kafka.clientProperties();
        p.put(ProducerConfig.CLIENT_ID_CONFIG, "notifier-deliveries");
        p.put(ProducerConfig.ACKS_CONFIG, "all");
        p.put(ProducerConfig.ENABLE_IDEMPOTENCE_CONFIG, "true");
        p.put(ProducerConfig.LINGER_MS_CONFIG, "2");
        p.put(ProducerConfig.PARTITIONER_CLASS_CONFIG, OrgPartitioning.PARTITIONER.getName());
        p.put(ProducerConfig.REQUEST_TIMEOUT_MS_CONFIG, "15000");
        p.put(ProducerConfig.DELIVERY_TIMEOUT_MS_CONFIG, "30000");
        p.put(ProducerConfig.MAX_BLOCK_MS_CONFIG, "10000");
        Serializer<AlertDelivery> values = spec.valueSerde(registry).serializer();
        this.producer = new KafkaProducer<>(p, new StringSerializer(), values);
        this.topic = spec.name();
        this.log = log;
    }

    /** Completes once the record is acknowledged and applied to the log; fails when Kafka did not take it. */
    public CompletableFuture<AlertDelivery> write(AlertDelivery d) {
        CompletableFuture<AlertDelivery> done = new CompletableFuture<>();
        try {
            producer.send(new ProducerRecord<>(topic, DeliveryKey.of(d).toString(), d), (RecordMetadata md, Exception e) -> {
                if (e != null) {
                    done.completeExceptionally(e);
                } else {
                    log.apply(d, md.partition(), md.offset());
                    done.complete(d);
                }
            });
        } catch (RuntimeException e) {
            done.completeExceptionally(e);
        }
        return done;
    }

    /** Partitions of the topic (checked against budget-alerts at start). */
    public int partitions() {
        return producer.partitionsFor(topic).size();
    }

    @Override
    public void close() {
        producer.close(Duration.ofSeconds(10));
    }
}
