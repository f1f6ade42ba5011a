package io.spendstream.ingest;

import io.spendstream.schema.ApiKeyUsage;
import io.spendstream.schemas.registry.SchemaRegistry;
import io.spendstream.schemas.topics.TopicSpec;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.common.serialization.Serializer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Records API key use at minute resolution without a write per request: {@link #used} (on the event loop) only
 * notes a key whose current minute is not recorded yet, and a timer writes the noted keys to the compacted
 * api-key-usage topic every {@link #FLUSH_INTERVAL}. So each instance writes a key at most once a minute, however
 * busy it is; N instances serving one key write it at most N times a minute. A failed write is retried at the
 * next flush. Uses in the last flush interval before a crash are lost: a minute of resolution is what is promised.
 */
final class KeyUsageRecorder implements AutoCloseable {
    static final Duration FLUSH_INTERVAL = Duration.ofSeconds(5);
    private static final Logger LOG = LoggerFactory.getLogger(KeyUsageRecorder.class);

    private final KeyUsageTable table;
    private final EventPublisher publisher;
    private final String topic;
    private final Serializer<ApiKeyUsage> serializer;
    /** The latest minute of each key this instance wrote or has queued, so one minute is queued once. */
    private final Map<String, Instant> noted = new ConcurrentHashMap<>();
    private final Map<String, Instant> pending = new ConcurrentHashMap<>();
    private final ScheduledExecutorService timer = Executors.newSingleThreadScheduledExecutor(r ->
            Thread.ofPlatform().name("ingest-key-usage").daemon(true).unstarted(r));

    KeyUsageRecorder(KeyUsageTable table, EventPublisher publisher, SchemaRegistry registry,
                     TopicSpec<String, ApiKeyUsage> topic) {
        this.table = table;
        this.publisher = publisher;
        this.topic = topic.name();
        this.serializer = topic.valueSerde(registry).serializer();
    }

    void start() {
        long every = FLUSH_INTERVAL.toMillis();
        timer.scheduleWithFixedDelay(this::flush, every, every, TimeUnit.MILLISECONDS);
    }

    /** Notes that the key authenticated a request at {@code at}. Cheap: two map lookups when already noted. */
    void used(String keyId, Instant at) {
        Instant minute = at.truncatedTo(ChronoUnit.MINUTES);
        Instant known = noted.get(keyId);
        if (known != null && !known.isBefore(minute)) {
            return;
        }
        if (table.lastUsed(keyId).filter(t -> !t.isBefore(minute)).isPresent()) {
            return; // another instance recorded this minute already
        }
        noted.put(keyId, minute);
        pending.merge(keyId, minute, KeyUsageTable::later);
    }

    /** Writes every noted key; runs on the timer thread (and at close). */
    void flush() {
        for (String keyId : pending.keySet()) {
            Instant minute = pending.remove(keyId);
            if (minute == null) {
                continue;
            }
            ApiKeyUsage usage = new ApiKeyUsage(keyId, minute);
            publisher.write(topic, keyId, () -> serializer.serialize(topic, usage)).whenComplete((offset, failure) -> {
                if (failure != null) {
                    LOG.debug("recording the use of key {} failed, retrying at the next flush: {}", keyId,
                            failure.getMessage());
                    pending.merge(keyId, minute, KeyUsageTable::later);
                } else {
                    table.apply(usage);
                }
            });
        }
    }

    /** Stops the timer and hands the last noted uses to the producer (which flushes them when it closes). */
    @Override
    public void close() {
        timer.shutdownNow();
        flush();
    }
}
