package io.spendstream.processor.pricing;

import io.spendstream.config.KafkaClientSettings;
import io.spendstream.schema.ModelPrice;
import io.spendstream.schemas.topics.TopicSpec;
import io.spendstream.schemas.registry.SchemaRegistry;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.Set;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Future;
import java.util.function.BiConsumer;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.clients.producer.RecordMetadata;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.Deserializer;
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
    public static int seed(KafkaClientSettings kafka, SchemaRegistry registry, TopicSpec<String, ModelPrice> topic,
                           List<ModelPrice> entries, Duration timeout) {
        Set<String> present = keysOnTopic(kafka, topic.name(), timeout);
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
        publish(kafka, registry, topic, missing);
        LOG.info("price catalog: produced {} of {} seed entries to {}", missing.size(), entries.size(), topic.name());
        return missing.size();
    }

    /** Produces entries (keyed provider|model|effective_from_millis) and waits until all are acknowledged. */
    public static void publish(KafkaClientSettings kafka, SchemaRegistry registry, TopicSpec<String, ModelPrice> topic,
                               List<ModelPrice> entries) {
        Properties props = kafka.clientProperties();
        props.put(ProducerConfig.ACKS_CONFIG, "all");
        props.put(ProducerConfig.ENABLE_IDEMPOTENCE_CONFIG, "true");
        try (var producer = new KafkaProducer<>(props, topic.keySerde(registry).serializer(),
                topic.valueSerde(registry).serializer())) {
            List<Future<RecordMetadata>> sent = new ArrayList<>();
            for (ModelPrice p : entries) {
                sent.add(producer.send(new ProducerRecord<>(topic.name(), Prices.topicKey(p), p)));
            }
            producer.flush();
            for (Future<RecordMetadata> f : sent) {
                f.get();
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted while publishing prices", e);
        } catch (ExecutionException e) {
            throw new IllegalStateException("cannot publish prices to " + topic.name() + ": " + e.getCause(), e);
        }
    }

    static Set<String> keysOnTopic(KafkaClientSettings kafka, String topic, Duration timeout) {
        Set<String> keys = new HashSet<>();
        // A tombstone counts too: an entry an operator deleted is not re-seeded.
        readToEnd(kafka, topic, new ByteArrayDeserializer(), timeout, (k, v) -> keys.add(k));
        return keys;
    }

    /** The topic's live entries: the latest value per key, keys whose latest record is a tombstone left out. */
    public static Map<String, ModelPrice> latestOnTopic(KafkaClientSettings kafka, SchemaRegistry registry,
                                                        TopicSpec<String, ModelPrice> topic, Duration timeout) {
        Map<String, ModelPrice> latest = new HashMap<>();
        readToEnd(kafka, topic.name(), topic.valueSerde(registry).deserializer(), timeout, (k, v) -> {
            if (v == null) {
                latest.remove(k);
            } else {
                latest.put(k, v);
            }
        });
        return latest;
    }

    private static <V> void readToEnd(KafkaClientSettings kafka, String topic, Deserializer<V> values, Duration timeout,
                                      BiConsumer<String, V> record) {
        Properties props = kafka.clientProperties();
        props.put(ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed");
        props.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, "false");
        try (var consumer = new KafkaConsumer<>(props, new StringDeserializer(), values)) {
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
                    record.accept(r.key(), r.value());
                }
            }
        }
    }
}
