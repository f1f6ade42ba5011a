package io.spendstream.ingest;

import io.spendstream.schemas.topics.TopicFollower;
import io.spendstream.config.KafkaClientSettings;
import io.spendstream.schema.ApiKey;
import io.spendstream.schema.Org;
import io.spendstream.schemas.registry.SchemaRegistry;
import io.spendstream.schemas.topics.TopicSpec;
import java.nio.ByteBuffer;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.function.Consumer;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.common.serialization.Deserializer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The in-memory API key and org tables of one ingest-api instance: a {@link TopicFollower} reads the
 * compacted api-keys and orgs topics whole from the beginning (assign + seekToBeginning, no consumer
 * group, so every instance sees everything) and keeps following them, so a key created or revoked
 * through any instance reaches this one within a poll interval. {@link #loaded()} turns true once
 * the end offsets seen at start-up are reached. Writes made by this instance are also applied
 * locally after Kafka acknowledged them ({@link #apply(ApiKey, long)}), so they take effect here at once.
 */
public final class KeyTable implements KeyLookup, AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(KeyTable.class);

    private final Map<String, ApiKey> keysById = new ConcurrentHashMap<>();
    private final Map<ByteBuffer, ApiKey> keysByHash = new ConcurrentHashMap<>();
    private final Map<String, Org> orgs = new ConcurrentHashMap<>();
    /** Offset of the record each key id was last set from: an older record never overwrites a newer one. */
    private final LatestOffsets keyOffsets = new LatestOffsets();
    /** The same for orgs, so that the creation read back after a local deletion cannot undelete the org. */
    private final LatestOffsets orgOffsets = new LatestOffsets();
    private final List<Consumer<ApiKey>> revocationListeners = new CopyOnWriteArrayList<>();

    private final TopicSpec<String, ApiKey> keysTopic;
    private final Deserializer<ApiKey> keyDeserializer;
    private final Deserializer<Org> orgDeserializer;
    private final TopicFollower follower;

    public KeyTable(KafkaClientSettings kafka, SchemaRegistry registry, TopicSpec<String, ApiKey> keysTopic,
                    TopicSpec<String, Org> orgsTopic) {
        this.keysTopic = keysTopic;
        this.keyDeserializer = keysTopic.valueSerde(registry).deserializer();
        this.orgDeserializer = orgsTopic.valueSerde(registry).deserializer();
        this.follower = new TopicFollower("ingest-key-table", kafka, List.of(keysTopic.name(), orgsTopic.name()),
                this::applyRecord, () -> LOG.info("key table loaded: {} keys, {} orgs", keysById.size(), orgs.size()));
    }

    public void start() {
        follower.start();
    }

    /** True once the tables hold everything that was in the topics when this instance started. */
    public boolean loaded() {
        return follower.loaded();
    }

    @Override
    public Optional<ApiKey> byHash(byte[] sha256) {
        return Optional.ofNullable(keysByHash.get(ByteBuffer.wrap(sha256)));
    }

    public Optional<ApiKey> byId(String keyId) {
        return Optional.ofNullable(keysById.get(keyId));
    }

    @Override
    public Optional<Org> org(String orgId) {
        return Optional.ofNullable(orgs.get(orgId));
    }

    /** Every key of the org (revoked ones too), oldest first. */
    public List<ApiKey> keysOf(String orgId) {
        return keysById.values().stream().filter(k -> k.getOrgId().equals(orgId))
                .sorted(Comparator.comparing(ApiKey::getCreatedAt).thenComparing(ApiKey::getKeyId)).toList();
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
        if (!keyOffsets.acceptNewer(key.getKeyId(), offset)) {
            return;
        }
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
        if (!keyOffsets.acceptNewer(keyId, offset)) {
            return;
        }
        ApiKey previous = keysById.remove(keyId);
        if (previous != null) {
            keysByHash.remove(ByteBuffer.wrap(previous.getSha256().bytes()), previous);
            revocationListeners.forEach(l -> l.accept(previous));
        }
    }

    /**
     * Applies an org record (read from the topic, or written and acknowledged by this instance) unless a newer
     * record of the same org was applied already.
     *
     * @param offset the record's offset in the (single-partition) orgs topic
     */
    public synchronized void apply(Org org, long offset) {
        if (orgOffsets.acceptNewer(org.getOrgId(), offset)) {
            orgs.put(org.getOrgId(), org);
        }
    }

    private synchronized void removeOrg(String orgId, long offset) {
        if (orgOffsets.acceptNewer(orgId, offset)) {
            orgs.remove(orgId);
        }
    }

    /** Applies one record of either topic; throws when its value cannot be decoded ({@link TopicFollower} decides). */
    private void applyRecord(ConsumerRecord<String, byte[]> r) {
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
                removeOrg(r.key(), r.offset());
            }
        } else {
            apply(orgDeserializer.deserialize(r.topic(), r.value()), r.offset());
        }
    }

    @Override
    public void close() {
        follower.close();
    }
}
