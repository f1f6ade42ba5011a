package io.spendstream.schemas.topics;

import io.spendstream.config.KafkaClientSettings;
import io.spendstream.schemas.registry.SchemaRegistryException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Consumer;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.ConsumerRecords;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.PartitionInfo;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.errors.WakeupException;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Reads compacted table topics whole on a thread of its own and keeps following them: every partition is
 * assigned (no consumer group, so every instance sees every record), read from the beginning, and each
 * record is handed to {@code handler} in partition order. {@link #loaded()} turns true once the end offsets
 * seen at start-up are reached, which is what the tables built on it (ingest-api's key, budget, price and
 * channel tables, the notifier's delivery log) report as part of readiness; {@link #reached} tells whether
 * given offsets were, which the notifier waits for before it takes over a partition's deliveries.
 *
 * <p>A record whose value cannot be decoded because the schema registry is unreachable is read again
 * later (the table must not silently lose it); any other unreadable record is logged and skipped. A
 * failed consumer is replaced and starts over from the beginning, which the handlers tolerate because
 * applying a table record is idempotent.
 */
public final class TopicFollower implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(TopicFollower.class);
    private static final Duration POLL = Duration.ofMillis(200);

    private final String name;
    private final KafkaClientSettings kafka;
    private final List<String> topics;
    private final Consumer<ConsumerRecord<String, byte[]>> handler;
    private final Runnable onLoaded;
    private final Thread thread;
    private final Map<TopicPartition, Long> positions = new ConcurrentHashMap<>();
    private volatile boolean loaded;
    private volatile boolean running = true;
    private volatile KafkaConsumer<String, byte[]> consumer;

    /**
     * @param name     names the thread, the client id and the log lines ({@code ingest-key-table}, {@code notifier-delivery-log})
     * @param handler  applies one record (value null: tombstone); may throw on an undecodable value
     * @param onLoaded runs once on the follower thread when the table first caught up (for a log line)
     */
    public TopicFollower(String name, KafkaClientSettings kafka, List<String> topics,
                  Consumer<ConsumerRecord<String, byte[]>> handler, Runnable onLoaded) {
        this.name = name;
        this.kafka = kafka;
        this.topics = List.copyOf(topics);
        this.handler = handler;
        this.onLoaded = onLoaded;
        this.thread = Thread.ofPlatform().name(name).daemon(true).unstarted(this::run);
    }

    public void start() {
        thread.start();
    }

    public boolean loaded() {
        return loaded;
    }

    /** True when this follower's position in every given partition of {@code topic} is at least the offset. */
    public boolean reached(String topic, Map<Integer, Long> offsets) {
        return offsets.entrySet().stream().allMatch(e ->
                positions.getOrDefault(new TopicPartition(topic, e.getKey()), -1L) >= e.getValue());
    }

    private void run() {
        while (running) {
            try (KafkaConsumer<String, byte[]> c = newConsumer()) {
                consumer = c;
                follow(c);
            } catch (WakeupException e) {
                if (running) {
                    LOG.warn("{} consumer woken up unexpectedly; restarting it", name);
                }
            } catch (Exception e) {
                if (!running) {
                    break;
                }
                LOG.warn("{} consumer failed ({}); restarting it in 1 s", name, e.toString());
                sleep(1000);
            } finally {
                consumer = null;
                positions.clear();
            }
        }
    }

    private KafkaConsumer<String, byte[]> newConsumer() {
        Properties p = kafka.clientProperties();
        p.put(ConsumerConfig.CLIENT_ID_CONFIG, name + "-" + UUID.randomUUID().toString().substring(0, 8));
        p.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, "false");
        p.put(ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "earliest");
        p.put(ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed");
        p.put(ConsumerConfig.MAX_POLL_RECORDS_CONFIG, "2000");
        return new KafkaConsumer<>(p, new StringDeserializer(), new ByteArrayDeserializer());
    }

    private void follow(KafkaConsumer<String, byte[]> c) {
        List<TopicPartition> partitions = new ArrayList<>();
        for (String topic : topics) {
            List<PartitionInfo> infos = List.of();
            while (running && infos.isEmpty()) {
                try {
                    infos = c.partitionsFor(topic, Duration.ofSeconds(5));
                } catch (org.apache.kafka.common.errors.TimeoutException e) {
                    LOG.info("waiting for topic {} ({})", topic, e.getMessage());
                }
                if (infos == null || infos.isEmpty()) {
                    infos = List.of();
                    sleep(500);
                }
            }
            infos.forEach(i -> partitions.add(new TopicPartition(i.topic(), i.partition())));
        }
        if (!running) {
            return;
        }
        c.assign(partitions);
        c.seekToBeginning(partitions);
        Map<TopicPartition, Long> end = new HashMap<>(c.endOffsets(partitions, Duration.ofSeconds(30)));
        while (running) {
            ConsumerRecords<String, byte[]> records = c.poll(POLL);
            for (TopicPartition tp : records.partitions()) {
                for (ConsumerRecord<String, byte[]> r : records.records(tp)) {
                    if (!apply(r)) {
                        c.seek(tp, r.offset()); // registry not reachable: read this record again later
                        sleep(500);
                        break;
                    }
                }
            }
            for (TopicPartition tp : partitions) {
                positions.put(tp, c.position(tp));
            }
            if (!loaded) {
                end.entrySet().removeIf(e -> c.position(e.getKey()) >= e.getValue());
                if (end.isEmpty()) {
                    loaded = true;
                    onLoaded.run();
                }
            }
        }
    }

    /** @return false when the record must be retried (registry unavailable) */
    private boolean apply(ConsumerRecord<String, byte[]> r) {
        try {
            handler.accept(r);
            return true;
        } catch (RuntimeException e) {
            if (e.getCause() instanceof SchemaRegistryException sre && sre.isTransient()) {
                LOG.warn("cannot decode {}-{}@{} yet: {}", r.topic(), r.partition(), r.offset(), sre.getMessage());
                return false;
            }
            LOG.error("skipping unreadable record {}-{}@{}: {}", r.topic(), r.partition(), r.offset(), e.toString());
            return true;
        }
    }

    private static void sleep(long millis) {
        try {
            Thread.sleep(millis);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    @Override
    public void close() {
        running = false;
        KafkaConsumer<String, byte[]> c = consumer;
        if (c != null) {
            c.wakeup();
        }
        try {
            thread.join(10_000);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
