package io.spendstream.ingest;

import io.spendstream.schema.ApiKey;
import io.spendstream.schema.Org;
import io.spendstream.schemas.registry.SchemaRegistry;
import io.spendstream.schemas.registry.SchemaRegistryException;
import io.spendstream.schemas.topics.TopicSpec;
import java.nio.ByteBuffer;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Properties;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.function.Consumer;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.ConsumerRecords;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.PartitionInfo;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.errors.WakeupException;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.Deserializer;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The in-memory API key and org tables of one ingest-api instance: a consumer thread reads the
 * compacted api-keys and orgs topics whole from the beginning (assign + seekToBeginning, no consumer
 * group, so every instance sees everything) and keeps following them, so a key created or revoked
 * through any instance reaches this one within a poll interval. {@link #loaded()} turns true once
 * the end offsets seen at start-up are reached. Writes made by this instance are also applied
 * locally after Kafka acknowledged them ({@link #apply(ApiKey)}), so they take effect here at once.
 */
public final class KeyTable implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(KeyTable.class);
    private static final Duration POLL = Duration.ofMillis(200);

    private final Map<String, ApiKey> keysById = new ConcurrentHashMap<>();
    private final Map<ByteBuffer, ApiKey> keysByHash = new ConcurrentHashMap<>();
    private final Map<String, Org> orgs = new ConcurrentHashMap<>();
    /** Offset of the record each key id was last set from: an older record never overwrites a newer one. */
    private final Map<String, Long> keyOffsets = new HashMap<>();
    private final List<Consumer<ApiKey>> revocationListeners = new CopyOnWriteArrayList<>();

    private final String bootstrapServers;
    private final TopicSpec<String, ApiKey> keysTopic;
    private final TopicSpec<String, Org> orgsTopic;
    private final Deserializer<ApiKey> keyDeserializer;
    private final Deserializer<Org> orgDeserializer;
    private final Thread thread;
    private volatile boolean loaded;
    private volatile boolean running = true;
    private volatile KafkaConsumer<String, byte[]> consumer;

    public KeyTable(String bootstrapServers, SchemaRegistry registry, TopicSpec<String, ApiKey> keysTopic,
                    TopicSpec<String, Org> orgsTopic) {
        this.bootstrapServers = bootstrapServers;
        this.keysTopic = keysTopic;
        this.orgsTopic = orgsTopic;
        this.keyDeserializer = keysTopic.valueSerde(registry).deserializer();
        this.orgDeserializer = orgsTopic.valueSerde(registry).deserializer();
        this.thread = Thread.ofPlatform().name("ingest-key-table").daemon(true).unstarted(this::run);
    }

    public void start() {
        thread.start();
    }

    /** True once the tables hold everything that was in the topics when this instance started. */
    public boolean loaded() {
        return loaded;
    }

    public Optional<ApiKey> byHash(byte[] sha256) {
        return Optional.ofNullable(keysByHash.get(ByteBuffer.wrap(sha256)));
    }

    public Optional<ApiKey> byId(String keyId) {
        return Optional.ofNullable(keysById.get(keyId));
    }

    public Optional<Org> org(String orgId) {
        return Optional.ofNullable(orgs.get(orgId));
    }

    public int keyCount() {
        return keysById.size();
    }

    /** Called (on the table thread or a writer's thread) when a key becomes REVOKED or is deleted. */
    public void onRevocation(Consumer<ApiKey> listener) {
        revocationListeners.add(listener);
    }

    /**
     * Applies a key record (read from the topic, or written and acknowledged by this instance) unless a
     * newer record of the same key id was applied already.
     *
     * @param offset the record's offset in the (single-partition) api-keys topic
     */
    public synchronized void apply(ApiKey key, long offset) {
        Long seen = keyOffsets.get(key.getKeyId());
        if (seen != null && seen > offset) {
            return;
        }
        keyOffsets.put(key.getKeyId(), offset);
        ApiKey previous = keysById.put(key.getKeyId(), key);
        if (previous != null) {
            keysByHash.remove(ByteBuffer.wrap(previous.getSha256().bytes()), previous);
        }
        keysByHash.put(ByteBuffer.wrap(key.getSha256().bytes().clone()), key);
        if (key.getState() != io.spendstream.schema.ApiKeyState.ACTIVE) {
            revocationListeners.forEach(l -> l.accept(key));
        }
    }

    public synchronized void removeKey(String keyId, long offset) {
        Long seen = keyOffsets.get(keyId);
        if (seen != null && seen > offset) {
            return;
        }
        keyOffsets.put(keyId, offset);
        ApiKey previous = keysById.remove(keyId);
        if (previous != null) {
            keysByHash.remove(ByteBuffer.wrap(previous.getSha256().bytes()), previous);
            revocationListeners.forEach(l -> l.accept(previous));
        }
    }

    public void apply(Org org) {
        orgs.put(org.getOrgId(), org);
    }

    private void run() {
        while (running) {
            try (KafkaConsumer<String, byte[]> c = newConsumer()) {
                consumer = c;
                follow(c);
            } catch (WakeupException e) {
                if (running) {
                    LOG.warn("key table consumer woken up unexpectedly; restarting it");
                }
            } catch (Exception e) {
                if (!running) {
                    break;
                }
                LOG.warn("key table consumer failed ({}); restarting it in 1 s", e.toString());
                sleep(1000);
            } finally {
                consumer = null;
            }
        }
    }

    private KafkaConsumer<String, byte[]> newConsumer() {
        Properties p = new Properties();
        p.put(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrapServers);
        p.put(ConsumerConfig.CLIENT_ID_CONFIG, "ingest-api-key-table-" + UUID.randomUUID().toString().substring(0, 8));
        p.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, "false");
        p.put(ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "earliest");
        p.put(ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed");
        p.put(ConsumerConfig.MAX_POLL_RECORDS_CONFIG, "2000");
        return new KafkaConsumer<>(p, new StringDeserializer(), new ByteArrayDeserializer());
    }

    private void follow(KafkaConsumer<String, byte[]> c) {
        List<TopicPartition> partitions = new ArrayList<>();
        for (String topic : List.of(keysTopic.name(), orgsTopic.name())) {
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
                    if (!applyRecord(r)) {
                        c.seek(tp, r.offset()); // registry not reachable: read this record again later
                        sleep(500);
                        break;
                    }
                }
            }
            if (!loaded) {
                end.entrySet().removeIf(e -> c.position(e.getKey()) >= e.getValue());
                if (end.isEmpty()) {
                    loaded = true;
                    LOG.info("key table loaded: {} keys, {} orgs", keysById.size(), orgs.size());
                }
            }
        }
    }

    /** @return false when the record must be retried (registry unavailable) */
    private boolean applyRecord(ConsumerRecord<String, byte[]> r) {
        try {
            if (r.topic().equals(keysTopic.name())) {
                if (r.value() == null) {
                    if (r.key() != null) {
                        removeKey(r.key(), r.offset());
                    }
                } else {
                    apply(keyDeserializer.deserialize(r.topic(), r.value()), r.offset());
                }
            } else if (r.value() == null) {
                if (r.key() != null) {
                    orgs.remove(r.key());
                }
            } else {
                apply(orgDeserializer.deserialize(r.topic(), r.value()));
            }
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
