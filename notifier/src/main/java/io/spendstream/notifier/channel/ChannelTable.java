package io.spendstream.notifier.channel;

import io.spendstream.config.KafkaClientSettings;
import io.spendstream.schema.Channel;
import io.spendstream.schemas.registry.SchemaRegistry;
import io.spendstream.schemas.topics.TopicFollower;
import io.spendstream.schemas.topics.TopicSpec;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.NavigableMap;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentSkipListMap;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.common.serialization.Deserializer;

/**
 * The channels of every org, read whole from the compacted channels topic (key {@code org_id|channel_id},
 * a tombstone deletes) and kept following it, in ingest-api (which serves the channel API) and in the
 * notifier (which delivers). {@link #loaded()} is part of readiness of both.
 *
 * <p>ingest-api applies its own writes once Kafka acknowledged them ({@link #apply}, {@link #remove}), so a
 * read right after a write on the same instance sees it; the record's offset orders that local write and the
 * same record read back from the topic (the topic has one partition), so an older record never wins.
 */
public final class ChannelTable implements AutoCloseable {
    /** org_id → channel_id → channel, sorted by channel_id for listing. */
    private final Map<String, NavigableMap<String, AlertChannel>> byOrg = new ConcurrentHashMap<>();
    /** Offset of the record each key was last set or deleted from (guarded by this). */
    private final Map<String, Long> offsets = new HashMap<>();
    private final Deserializer<Channel> deserializer;
    private final TopicFollower follower;

    public ChannelTable(KafkaClientSettings kafka, SchemaRegistry registry, TopicSpec<String, Channel> topic) {
        this.deserializer = topic.valueSerde(registry).deserializer();
        this.follower = new TopicFollower("channel-table", kafka, List.of(topic.name()), this::applyRecord, () -> { });
    }

    public void start() {
        follower.start();
    }

    public boolean loaded() {
        return follower.loaded();
    }

    public Optional<AlertChannel> get(String orgId, String channelId) {
        NavigableMap<String, AlertChannel> channels = byOrg.get(orgId);
        return channels == null ? Optional.empty() : Optional.ofNullable(channels.get(channelId));
    }

    /** The org's channels sorted by id. */
    public List<AlertChannel> list(String orgId) {
        NavigableMap<String, AlertChannel> channels = byOrg.get(orgId);
        return channels == null ? List.of() : List.copyOf(channels.values());
    }

    public int count(String orgId) {
        NavigableMap<String, AlertChannel> channels = byOrg.get(orgId);
        return channels == null ? 0 : channels.size();
    }

    public int size() {
        return byOrg.values().stream().mapToInt(Map::size).sum();
    }

    /** Sets a channel unless a newer record of its key was applied already. */
    public synchronized void apply(AlertChannel channel, long offset) {
        if (!newer(ChannelCodec.key(channel.orgId(), channel.id()), offset)) {
            return;
        }
        byOrg.computeIfAbsent(channel.orgId(), o -> new ConcurrentSkipListMap<>()).put(channel.id(), channel);
    }

    /** Deletes a channel unless a newer record of its key was applied already. */
    public synchronized void remove(String orgId, String channelId, long offset) {
        if (!newer(ChannelCodec.key(orgId, channelId), offset)) {
            return;
        }
        NavigableMap<String, AlertChannel> channels = byOrg.get(orgId);
        if (channels != null) {
            channels.remove(channelId);
            if (channels.isEmpty()) {
                byOrg.remove(orgId);
            }
        }
    }

    private boolean newer(String key, long offset) {
        Long seen = offsets.get(key);
        if (seen != null && seen > offset) {
            return false;
        }
        offsets.put(key, offset);
        return true;
    }

    private void applyRecord(ConsumerRecord<String, byte[]> r) {
        String key = r.key();
        int bar = key == null ? -1 : key.indexOf('|');
        if (bar < 0) {
            throw new IllegalArgumentException("a channel key must be org_id|channel_id, was " + key);
        }
        if (r.value() == null) {
            remove(key.substring(0, bar), key.substring(bar + 1), r.offset());
            return;
        }
        AlertChannel c = ChannelCodec.fromAvro(deserializer.deserialize(r.topic(), r.value()));
        if (!key.equals(ChannelCodec.key(c.orgId(), c.id()))) {
            throw new IllegalArgumentException("key " + key + " does not match the channel's org_id|channel_id");
        }
        apply(c, r.offset());
    }

    @Override
    public void close() {
        follower.close();
    }
}
