package io.spendstream.notifier.delivery;

import io.spendstream.notifier.NotifierMetrics;
import io.spendstream.notifier.channel.AlertChannel;
import io.spendstream.notifier.channel.ChannelTable;
import io.spendstream.notifier.payload.StandardWebhooks;
import io.spendstream.schema.AlertDelivery;
import io.spendstream.schema.ChannelKind;
import io.spendstream.schema.DeliveryAttempt;
import io.spendstream.schema.DeliveryStatus;
import io.spendstream.schemas.topics.OrgPartitioning;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Runs the pending deliveries of the partitions this instance owns: each attempt at its due time, at most
 * {@code maxInFlight} requests at once and {@code maxPerChannel} per channel (so one slow or dead receiver
 * holds a few slots, never the others'), and records every outcome on alert-deliveries before the next step:
 * a retry is scheduled only once the PENDING record with its time is durable, and a delivery leaves the
 * schedule only once its DELIVERED, FAILED or EXPIRED record is.
 *
 * <p>All state is owned by one thread; requests run asynchronously on the sender's event loop and report
 * back to it. A crash between a receiver's 2xx and the DELIVERED record means the delivery is still PENDING
 * after the restart and is sent again, with the same webhook-id: that is the only repeat.
 */
public final class DeliveryScheduler implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(DeliveryScheduler.class);
    private static final Duration REWRITE_DELAY = Duration.ofSeconds(1);

    private final ChannelTable channels;
    private final HttpSender sender;
    private final DeliveryWriter writer;
    private final RetryPolicy policy;
    private final NotifierMetrics metrics;
    private final int maxInFlight;
    private final int maxPerChannel;
    private final int partitions;
    private final ScheduledExecutorService loop = Executors.newSingleThreadScheduledExecutor(
            r -> Thread.ofPlatform().name("notifier-scheduler").daemon(true).unstarted(r));

    // Owned by the loop thread.
    private final Set<Integer> owned = new HashSet<>();
    private final Map<DeliveryKey, AlertDelivery> pending = new HashMap<>();
    private final Map<DeliveryKey, ScheduledFuture<?>> timers = new HashMap<>();
    private final Map<String, Integer> inFlightByChannel = new HashMap<>();
    private final Map<String, ArrayDeque<DeliveryKey>> waitingByChannel = new HashMap<>();
    private final ArrayDeque<DeliveryKey> waiting = new ArrayDeque<>();
    private int inFlight;
    /** alert_at of each pending delivery, for the oldest-pending gauge (read by the metrics scrape). */
    private final Map<DeliveryKey, Instant> pendingSince = new ConcurrentHashMap<>();

    public DeliveryScheduler(ChannelTable channels, HttpSender sender, DeliveryWriter writer, RetryPolicy policy,
                             NotifierMetrics metrics, int maxInFlight, int maxPerChannel, int partitions) {
        this.channels = channels;
        this.sender = sender;
        this.writer = writer;
        this.policy = policy;
        this.metrics = metrics;
        this.maxInFlight = maxInFlight;
        this.maxPerChannel = maxPerChannel;
        this.partitions = partitions;
        metrics.oldestPendingSeconds(() -> pendingSince.values().stream().min(Instant::compareTo)
                .map(t -> Math.max(0, Duration.between(t, Instant.now()).toMillis() / 1000.0)).orElse(0.0));
        metrics.gauge("spendstream.notifier.pending", "Deliveries pending on this instance", pendingSince::size);
    }

    /** Takes over the given partitions and resumes their pending deliveries (after a restart or a rebalance). */
    public void adopt(Set<Integer> newPartitions, List<AlertDelivery> pendingThere) {
        loop.execute(() -> {
            owned.addAll(newPartitions);
            pendingThere.forEach(this::enqueue);
            if (!pendingThere.isEmpty()) {
                LOG.info("resuming {} pending deliveries of partitions {}", pendingThere.size(), newPartitions);
            }
        });
    }

    /** Gives up partitions (revoked): their deliveries are another instance's now. */
    public void forget(Set<Integer> gone) {
        loop.execute(() -> {
            owned.removeAll(gone);
            for (DeliveryKey key : new ArrayList<>(pending.keySet())) {
                if (gone.contains(partitionOf(key))) {
                    drop(key);
                }
            }
        });
    }

    /** Schedules a delivery whose PENDING record is durable. */
    public void schedule(AlertDelivery d) {
        loop.execute(() -> enqueue(d));
    }

    private void enqueue(AlertDelivery d) {
        DeliveryKey key = DeliveryKey.of(d);
        if (d.getStatus() != DeliveryStatus.PENDING || pending.containsKey(key) || !owned.contains(partitionOf(key))) {
            return;
        }
        pending.put(key, d);
        pendingSince.put(key, d.getAlertAt());
        arm(key, d.getNextAttemptAt());
    }

    private void arm(DeliveryKey key, Instant at) {
        long delay = at == null ? 0 : Math.max(0, Duration.between(Instant.now(), at).toMillis());
        timers.put(key, loop.schedule(() -> due(key), delay, TimeUnit.MILLISECONDS));
    }

    private void due(DeliveryKey key) {
        timers.remove(key);
        AlertDelivery d = pending.get(key);
        if (d == null) {
            return;
        }
        Instant now = Instant.now();
        Optional<AlertChannel> channel = channels.get(key.orgId(), key.channelId());
        if (channel.isEmpty() || !channel.get().enabled()) {
            finishWithoutRequest(d, DeliveryStatus.FAILED, channel.isEmpty() ? "the channel was deleted"
                    : "the channel was disabled", now);
            return;
        }
        if (policy.expired(d.getAlertAt(), now)) {
            finishWithoutRequest(d, DeliveryStatus.EXPIRED, "the retry horizon passed", now);
            return;
        }
        String channelKey = key.orgId() + "|" + key.channelId();
        if (inFlightByChannel.getOrDefault(channelKey, 0) >= maxPerChannel) {
            waitingByChannel.computeIfAbsent(channelKey, k -> new ArrayDeque<>()).add(key);
            return;
        }
        if (inFlight >= maxInFlight) {
            waiting.add(key);
            return;
        }
        inFlight++;
        inFlightByChannel.merge(channelKey, 1, Integer::sum);
        AlertChannel ch = channel.get();
        send(ch, d, now).whenComplete((r, t) -> loop.execute(() -> {
            release(channelKey);
            completed(key, ch.kind(), r != null ? r : new AttemptResult(now, null, 0, String.valueOf(t), null, null,
                    false));
        }));
    }

    /** One request of a delivery to a channel, signed for webhooks with the secrets valid now. */
    CompletableFuture<AttemptResult> send(AlertChannel ch, AlertDelivery d, Instant now) {
        Map<String, String> headers = ch.kind() == ChannelKind.WEBHOOK
                ? StandardWebhooks.headers(d.getAlertId(), now, d.getPayload(), ch.secrets().keys(now))
                : Map.of();
        return sender.post(ch.url(), headers, d.getPayload());
    }

    private void release(String channelKey) {
        inFlight--;
        inFlightByChannel.merge(channelKey, -1, Integer::sum);
        if (inFlightByChannel.get(channelKey) <= 0) {
            inFlightByChannel.remove(channelKey);
        }
        ArrayDeque<DeliveryKey> mine = waitingByChannel.get(channelKey);
        if (mine != null) {
            DeliveryKey next = mine.poll();
            if (mine.isEmpty()) {
                waitingByChannel.remove(channelKey);
            }
            if (next != null) {
                loop.execute(() -> due(next));
            }
        }
        DeliveryKey next = waiting.poll();
        if (next != null) {
            loop.execute(() -> due(next));
        }
    }

    private void completed(DeliveryKey key, ChannelKind kind, AttemptResult r) {
        AlertDelivery d = pending.get(key);
        if (d == null) {
            return; // the partition was revoked meanwhile; its new owner resumes from the last record
        }
        List<DeliveryAttempt> attempts = new ArrayList<>(d.getAttempts());
        attempts.add(r.toAvro());
        AlertDelivery.Builder next = AlertDelivery.newBuilder(d).setAttempts(attempts).setNextAttemptAt(null);
        Instant now = Instant.now();
        if (r.success()) {
            next.setStatus(DeliveryStatus.DELIVERED);
            metrics.attempt(kind, "success");
            metrics.delivered(Duration.between(d.getAlertAt(), now));
        } else if (r.retryable()) {
            Instant at = policy.next(attempts.size(), r.retryAfter(), d.getAlertAt(), now);
            next.setStatus(at == null ? DeliveryStatus.EXPIRED : DeliveryStatus.PENDING).setNextAttemptAt(at);
            metrics.attempt(kind, at == null ? "final" : "retry");
        } else {
            next.setStatus(DeliveryStatus.FAILED);
            metrics.attempt(kind, "final");
        }
        persist(key, next.build());
    }

    private void finishWithoutRequest(AlertDelivery d, DeliveryStatus status, String why, Instant now) {
        List<DeliveryAttempt> attempts = new ArrayList<>(d.getAttempts());
        attempts.add(DeliveryAttempt.newBuilder().setAt(now).setLatencyMs(0).setError(why + "; no request was sent")
                .build());
        persist(DeliveryKey.of(d), AlertDelivery.newBuilder(d).setStatus(status).setNextAttemptAt(null)
                .setAttempts(attempts).build());
    }

    /** Writes the new state; once durable, schedules the next attempt or lets the delivery go. */
    private void persist(DeliveryKey key, AlertDelivery d) {
        pending.put(key, d);
        writer.write(d).whenComplete((ok, err) -> loop.execute(() -> {
            if (!pending.containsKey(key)) {
                return; // revoked meanwhile
            }
            if (err != null) {
                LOG.warn("cannot record delivery {} yet ({}); retrying in {}", key, err.toString(), REWRITE_DELAY);
                loop.schedule(() -> {
                    if (pending.containsKey(key)) {
                        persist(key, d);
                    }
                }, REWRITE_DELAY.toMillis(), TimeUnit.MILLISECONDS);
                return;
            }
            if (d.getStatus() == DeliveryStatus.PENDING) {
                arm(key, d.getNextAttemptAt());
            } else {
                metrics.finished(d.getKind(), d.getStatus());
                drop(key);
            }
        }));
    }

    private void drop(DeliveryKey key) {
        pending.remove(key);
        pendingSince.remove(key);
        ScheduledFuture<?> t = timers.remove(key);
        if (t != null) {
            t.cancel(false);
        }
    }

    private int partitionOf(DeliveryKey key) {
        return OrgPartitioning.partitionOf(key.orgId(), partitions);
    }

    @Override
    public void close() {
        loop.shutdownNow();
        try {
            loop.awaitTermination(5, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
