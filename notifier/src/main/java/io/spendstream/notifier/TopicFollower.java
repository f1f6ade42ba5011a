package io.spendstream.notifier;

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
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.PartitionInfo;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.errors.WakeupException;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Reads a compacted topic whole on a thread of its own and keeps following it: every partition assigned
 * (no group, so every instance sees every record), read from the beginning, each record handed to the
 * handler in partition order. {@link #loaded()} turns true once the end offsets seen at start were reached;
 * {@link #reached} tells whether given offsets were, which the notifier waits for before it takes over the
 * deliveries of a partition (another instance may have written them a moment ago).
 *
 * <p>A record that cannot be decoded because the registry is unreachable is read again later; any other
 * unreadable record is logged and skipped. A failed consumer is replaced and starts over from the
 * beginning, which the handlers tolerate because applying a record twice changes nothing.
 */
public final class TopicFollower implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(TopicFollower.class);
    private static final Duration POLL = Duration.ofMillis(100);

    private final String name;
    private final String bootstrapServers;
    private final String topic;
    private final Consumer<ConsumerRecord<String, byte[]>> handler;
    private final Thread thread;
    private final Map<Integer, Long> positions = new ConcurrentHashMap<>();
    private volatile boolean loaded;
    private volatile boolean running = true;
    private volatile KafkaConsumer<String, byte[]> consumer;

    /** @param handler applies one record (value null: tombstone); may throw on an undecodable value */
    public TopicFollower(String name, String bootstrapServers, String topic,
                         Consumer<ConsumerRecord<String, byte[]>> handler) {
        this.name = name;
        this.bootstrapServers = bootstrapServers;
        this.topic = topic;
        this.handler = handler;
        this.thread = Thread.ofPlatform().name("notifier-" + name).daemon(true).unstarted(this::run);
    }

    public void start() {
        thread.start();
    }

    public boolean loaded() {
        return loaded;
    }

    /** True when every partition's position is at least the given offset (partition → offset). */
    public boolean reached(Map<Integer, Long> offsets) {
        return offsets.entrySet().stream().allMatch(e -> positions.getOrDefault(e.getKey(), -1L) >= e.getValue());
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
        Properties p = new Properties();
        p.put(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrapServers);
        p.put(ConsumerConfig.CLIENT_ID_CONFIG, "notifier-" + name + "-" + UUID.randomUUID().toString().substring(0, 8));
        p.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, "false");
        p.put(ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "earliest");
        p.put(ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed");
        p.put(ConsumerConfig.MAX_POLL_RECORDS_CONFIG, "2000");
        return new KafkaConsumer<>(p, new StringDeserializer(), new ByteArrayDeserializer());
    }

    private void follow(KafkaConsumer<String, byte[]> c) {
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
        if (!running) {
            return;
        }
        List<TopicPartition> partitions = new ArrayList<>();
        infos.forEach(i -> partitions.add(new TopicPartition(i.topic(), i.partition())));
        c.assign(partitions);
        c.seekToBeginning(partitions);
        Map<TopicPartition, Long> end = new HashMap<>(c.endOffsets(partitions, Duration.ofSeconds(30)));
        while (running) {
            var records = c.poll(POLL);
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
                positions.put(tp.partition(), c.position(tp));
            }
            if (!loaded) {
                end.entrySet().removeIf(e -> c.position(e.getKey()) >= e.getValue());
                if (end.isEmpty()) {
                    loaded = true;
                    LOG.info("{} loaded from {}", name, topic);
                }
            }
        }
    }

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
