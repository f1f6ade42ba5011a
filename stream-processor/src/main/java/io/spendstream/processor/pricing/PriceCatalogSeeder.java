package io.spendstream.processor.pricing;

import io.spendstream.schema.ModelPrice;
import io.spendstream.schemas.topics.TopicSpec;
import io.spendstream.schemas.registry.SchemaRegistry;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.Set;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Future;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.clients.producer.RecordMetadata;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Seeds the model-prices topic from the catalog file: every entry whose key (provider, model,
 * effective_from) is not on the topic yet is produced. Entries already there are left alone, so a
 * price an operator changed on the topic is never overwritten by a restart.
 */
public final class PriceCatalogSeeder {
    private static final Logger LOG = LoggerFactory.getLogger(PriceCatalogSeeder.class);

    private PriceCatalogSeeder() {}

    /** Returns how many entries were produced. */
    public static int seed(String bootstrapServers, SchemaRegistry registry, TopicSpec<String, ModelPrice> topic,
                           List<ModelPrice> entries, Duration timeout) {
        Set<String> present = keysOnTopic(bootstrapServers, topic.name(), timeout);
        List<ModelPrice> missing = new ArrayList<>();
        for (ModelPrice p : entries) {
            if (!present.contains(Prices.topicKey(p))) {
                missing.add(p);
            }
        }
        if (missing.isEmpty()) {
            LOG.info("price catalog: all {} seed entries already on {}", entries.size(), topic.name());
            return 0;
        }
        Properties props = new Properties();
        props.put(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrapServers);
        props.put(ProducerConfig.ACKS_CONFIG, "all");
        props.put(ProducerConfig.ENABLE_IDEMPOTENCE_CONFIG, "true");
        try (var producer = new KafkaProducer<>(props, topic.keySerde(registry).serializer(),
                topic.valueSerde(registry).serializer())) {
            List<Future<RecordMetadata>> sent = new ArrayList<>();
            for (ModelPrice p : missing) {
                sent.add(producer.send(new ProducerRecord<>(topic.name(), Prices.topicKey(p), p)));
            }
            producer.flush();
            for (Future<RecordMetadata> f : sent) {
                f.get();
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted while seeding prices", e);
        } catch (ExecutionException e) {
            throw new IllegalStateException("cannot seed the price catalog on " + topic.name() + ": " + e.getCause(), e);
        }
        LOG.info("price catalog: produced {} of {} seed entries to {}", missing.size(), entries.size(), topic.name());
        return missing.size();
    }

    static Set<String> keysOnTopic(String bootstrapServers, String topic, Duration timeout) {
        Properties props = new Properties();
        props.put(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrapServers);
        props.put(ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed");
        props.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, "false");
        Set<String> keys = new HashSet<>();
        try (var consumer = new KafkaConsumer<>(props, new StringDeserializer(), new ByteArrayDeserializer())) {
            List<TopicPartition> partitions = consumer.partitionsFor(topic, timeout).stream()
                    .map(pi -> new TopicPartition(topic, pi.partition())).toList();
            consumer.assign(partitions);
            consumer.seekToBeginning(partitions);
            Map<TopicPartition, Long> end = consumer.endOffsets(partitions, timeout);
            long deadline = System.nanoTime() + timeout.toNanos();
            while (partitions.stream().anyMatch(tp -> consumer.position(tp) < end.get(tp))) {
                if (System.nanoTime() > deadline) {
                    throw new IllegalStateException("timed out reading " + topic + " to its end");
                }
                for (var r : consumer.poll(Duration.ofMillis(200))) {
                    keys.add(r.key()); // a tombstone counts too: an entry an operator deleted is not re-seeded
                }
            }
        }
        return keys;
    }
}
