package io.spendstream.ingest;

import io.spendstream.schemas.topics.TopicFollower;
import io.spendstream.config.KafkaClientSettings;
import io.spendstream.schema.ApiKeyUsage;
import io.spendstream.schemas.registry.SchemaRegistry;
import io.spendstream.schemas.topics.TopicSpec;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.common.serialization.Deserializer;

/**
 * When each API key was last used, to the minute: the compacted api-key-usage topic followed whole by every
 * instance ({@link TopicFollower}), plus this instance's own acknowledged writes ({@link KeyUsageRecorder}).
 * The latest minute wins whatever the order the records arrive in, since several instances write the same key.
 * Not part of readiness: until loaded, a listing may show an older {@code last_used_at}, nothing worse.
 */
final class KeyUsageTable implements AutoCloseable {
    private final Map<String, Instant> lastUsed = new ConcurrentHashMap<>();
    private final Deserializer<ApiKeyUsage> deserializer;
    private final TopicFollower follower;

    KeyUsageTable(KafkaClientSettings kafka, SchemaRegistry registry, TopicSpec<String, ApiKeyUsage> topic) {
        this.deserializer = topic.valueSerde(registry).deserializer();
        this.follower = new TopicFollower("ingest-key-usage", kafka, List.of(topic.name()), this::applyRecord,
                () -> { });
    }

    void start() {
        follower.start();
    }

    Optional<Instant> lastUsed(String keyId) {
        return Optional.ofNullable(lastUsed.get(keyId));
    }

    void apply(ApiKeyUsage usage) {
        lastUsed.merge(usage.getKeyId(), usage.getLastUsedAt(), KeyUsageTable::later);
    }

    static Instant later(Instant a, Instant b) {
        return a.isAfter(b) ? a : b;
    }

    private void applyRecord(ConsumerRecord<String, byte[]> r) {
        if (r.value() == null) {
            if (r.key() != null) {
                lastUsed.remove(r.key());
            }
        } else {
            apply(deserializer.deserialize(r.topic(), r.value()));
        }
    }

    @Override
    public void close() {
        follower.close();
    }
}
