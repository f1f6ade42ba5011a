package io.spendstream.notifier.delivery;

import io.spendstream.config.KafkaClientSettings;
import io.spendstream.schema.AlertDelivery;
import io.spendstream.schema.DeliveryStatus;
import io.spendstream.schemas.registry.SchemaRegistry;
import io.spendstream.schemas.topics.TopicFollower;
import io.spendstream.schemas.topics.TopicSpec;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import java.util.NavigableMap;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentSkipListMap;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.common.serialization.Deserializer;

/**
 * Every delivery's latest state, read whole from the alert-deliveries topic and kept following it, plus
 * this instance's own writes applied once acknowledged (the record's partition and offset order them
 * against the same record read back). It answers three questions: was this alert already scheduled for
 * this channel (so a replayed alert is not sent again), which deliveries of a partition are still
 * pending (to resume them after a restart or a rebalance), and the delivery log of a channel, newest first.
 */
public final class DeliveryLog implements AutoCloseable {
    /** One page of a channel's log; {@code nextCursor} is null on the last page. */
    public record Page(List<AlertDelivery> deliveries, String nextCursor) {}

    private record Entry(AlertDelivery delivery, int partition, long offset) {}

    private final Map<DeliveryKey, Entry> latest = new ConcurrentHashMap<>();
    /** org|channel → (newest-first sort key → delivery). */
    private final Map<String, NavigableMap<String, DeliveryKey>> byChannel = new ConcurrentHashMap<>();
    private final Deserializer<AlertDelivery> deserializer;
    private final TopicFollower follower;
    private final String topic;

    public DeliveryLog(KafkaClientSettings kafka, SchemaRegistry registry, TopicSpec<String, AlertDelivery> topic) {
        this.deserializer = topic.valueSerde(registry).deserializer();
        this.follower = new TopicFollower("notifier-delivery-log", kafka, List.of(topic.name()), this::applyRecord, () -> { });
        this.topic = topic.name();
    }

    public void start() {
        follower.start();
    }

    public boolean loaded() {
        return follower.loaded();
    }

    /** True once the log has read every partition up to the given offsets (partition → end offset). */
    public boolean reached(Map<Integer, Long> endOffsets) {
        return follower.reached(topic, endOffsets);
    }

    public Optional<AlertDelivery> get(DeliveryKey key) {
        Entry e = latest.get(key);
        return e == null ? Optional.empty() : Optional.of(e.delivery());
    }

    /** Pending deliveries whose records are in the given partitions. */
    public List<AlertDelivery> pending(Set<Integer> partitions) {
        List<AlertDelivery> out = new ArrayList<>();
        for (Entry e : latest.values()) {
            if (e.delivery().getStatus() == DeliveryStatus.PENDING && partitions.contains(e.partition())) {
                out.add(e.delivery());
            }
        }
        return out;
    }

    /** A channel's deliveries, newest alert first, at most {@code limit}, after the cursor of the previous page. */
    public Page page(String orgId, String channelId, int limit, String cursor) {
        NavigableMap<String, DeliveryKey> index = byChannel.get(orgId + "|" + channelId);
        if (index == null) {
            return new Page(List.of(), null);
        }
        NavigableMap<String, DeliveryKey> view = cursor == null ? index : index.tailMap(decode(cursor), false);
        List<AlertDelivery> out = new ArrayList<>();
        String last = null;
        for (var e : view.entrySet()) {
            if (out.size() == limit) {
                return new Page(out, encode(last));
            }
            Entry entry = latest.get(e.getValue());
            if (entry != null) {
                out.add(entry.delivery());
                last = e.getKey();
            }
        }
        return new Page(out, null);
    }

    /** Applies a record unless a newer one of its key (by partition offset) was applied already. */
    public synchronized void apply(AlertDelivery d, int partition, long offset) {
        DeliveryKey key = DeliveryKey.of(d);
        Entry old = latest.get(key);
        if (old != null && old.offset() >= offset && old.partition() == partition) {
            return;
        }
        latest.put(key, new Entry(d, partition, offset));
        String sortKey = String.format("%019d|%s", Long.MAX_VALUE - d.getAlertAt().toEpochMilli(), d.getAlertId());
        byChannel.computeIfAbsent(d.getOrgId() + "|" + d.getChannelId(), k -> new ConcurrentSkipListMap<>())
                .put(sortKey, key);
    }

    public int size() {
        return latest.size();
    }

    private void applyRecord(ConsumerRecord<String, byte[]> r) {
        if (r.value() == null) {
            return; // deliveries are never deleted, only compacted and aged out
        }
        AlertDelivery d = deserializer.deserialize(r.topic(), r.value());
        if (!DeliveryKey.parse(r.key()).equals(DeliveryKey.of(d))) {
            throw new IllegalArgumentException("key " + r.key() + " does not match the delivery's ids");
        }
        apply(d, r.partition(), r.offset());
    }

    private static String encode(String sortKey) {
        return Base64.getUrlEncoder().withoutPadding().encodeToString(sortKey.getBytes(StandardCharsets.UTF_8));
    }

    private static String decode(String cursor) {
        try {
            return new String(Base64.getUrlDecoder().decode(cursor), StandardCharsets.UTF_8);
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException("cursor is not one this API returned");
        }
    }

    @Override
    public void close() {
        follower.close();
    }
}
