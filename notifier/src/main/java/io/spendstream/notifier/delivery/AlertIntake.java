package io.spendstream.notifier.delivery;

import io.spendstream.config.KafkaClientSettings;
import io.spendstream.notifier.NotifierMetrics;
import io.spendstream.notifier.channel.AlertChannel;
import io.spendstream.notifier.channel.ChannelTable;
import io.spendstream.notifier.payload.Payloads;
import io.spendstream.schema.AlertDelivery;
import io.spendstream.schema.BudgetAlert;
import io.spendstream.schema.DeliveryStatus;
import io.spendstream.schemas.registry.SchemaRegistry;
import io.spendstream.schemas.topics.TopicSpec;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;
import java.util.stream.Collectors;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRebalanceListener;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.ConsumerRecords;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.errors.WakeupException;
import org.apache.kafka.common.serialization.Deserializer;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Consumes budget-alerts in a consumer group and turns each alert into one PENDING delivery per matching
 * channel of its org. It never sends a request itself: it writes the PENDING records (payload rendered
 * once), waits until Kafka acknowledged all of the batch's, hands them to the {@link DeliveryScheduler}, and
 * only then commits the alerts' offsets. So a crash at any point either replays the alert (and the
 * deliveries already recorded are recognised in the {@link DeliveryLog} and not scheduled twice) or finds
 * them all durable; a slow receiver never holds the partition.
 *
 * <p>When partitions are assigned it first waits until the delivery log has read their alert-deliveries
 * partitions to the end (another instance may just have written them), then resumes their pending
 * deliveries. Alerts older than the retry horizon are recorded as EXPIRED without a request.
 */
public final class AlertIntake implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(AlertIntake.class);

    private final Properties props;
    private final TopicSpec<String, BudgetAlert> alerts;
    private final Deserializer<BudgetAlert> deserializer;
    private final String deliveriesTopic;
    private final ChannelTable channels;
    private final DeliveryLog log;
    private final DeliveryWriter writer;
    private final DeliveryScheduler scheduler;
    private final Payloads payloads;
    private final RetryPolicy policy;
    private final NotifierMetrics metrics;
    private final Thread thread;
    private volatile boolean running = true;
    private volatile boolean assigned;
    private volatile KafkaConsumer<String, byte[]> consumer;

    public AlertIntake(KafkaClientSettings kafka, String groupId, SchemaRegistry registry,
                       TopicSpec<String, BudgetAlert> alerts, String deliveriesTopic, ChannelTable channels,
                       DeliveryLog log, DeliveryWriter writer, DeliveryScheduler scheduler, Payloads payloads,
                       RetryPolicy policy, NotifierMetrics metrics) {
        Properties p = kafka.clientProperties();
        p.put(ConsumerConfig.GROUP_ID_CONFIG, groupId);
        p.put(ConsumerConfig.CLIENT_ID_CONFIG, "notifier-alerts");
        p.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, "false");
        // A new group starts at the beginning: alerts older than the horizon are skipped, not sent.
        p.put(ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "earliest");
        p.put(ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed");
        p.put(ConsumerConfig.MAX_POLL_RECORDS_CONFIG, "500");
        this.props = p;
        this.alerts = alerts;
        this.deserializer = alerts.valueSerde(registry).deserializer();
        this.deliveriesTopic = deliveriesTopic;
        this.channels = channels;
        this.log = log;
        this.writer = writer;
        this.scheduler = scheduler;
        this.payloads = payloads;
        this.policy = policy;
        this.metrics = metrics;
        this.thread = Thread.ofPlatform().name("notifier-intake").daemon(true).unstarted(this::run);
    }

    public void start() {
        thread.start();
    }

    /** True once the group gave this instance its partitions and their deliveries were resumed. */
    public boolean assigned() {
        return assigned;
    }

    private void run() {
        await(() -> channels.loaded() && log.loaded());
        while (running) {
            try (KafkaConsumer<String, byte[]> c = new KafkaConsumer<>(props, new StringDeserializer(),
                    new org.apache.kafka.common.serialization.ByteArrayDeserializer())) {
                consumer = c;
                c.subscribe(List.of(alerts.name()), new Rebalance(c));
                while (running) {
                    handle(c, c.poll(Duration.ofMillis(200)));
                }
            } catch (WakeupException e) {
                if (running) {
                    LOG.warn("alert consumer woken up unexpectedly; restarting it");
                }
            } catch (Exception e) {
                if (!running) {
                    break;
                }
                // Nothing of the failed batch was committed: the new consumer reads it again.
                LOG.warn("alert consumer failed ({}); restarting it from the committed offsets in 1 s", e.toString());
                sleep(1000);
            } finally {
                consumer = null;
                assigned = false;
            }
        }
    }

    private void handle(KafkaConsumer<String, byte[]> c, ConsumerRecords<String, byte[]> records) throws Exception {
        if (records.isEmpty()) {
            return;
        }
        List<CompletableFuture<AlertDelivery>> writes = new ArrayList<>();
        Map<TopicPartition, OffsetAndMetadata> offsets = new HashMap<>();
        Instant now = Instant.now();
        for (ConsumerRecord<String, byte[]> r : records) {
            offsets.put(new TopicPartition(r.topic(), r.partition()), new OffsetAndMetadata(r.offset() + 1));
            if (r.value() == null) {
                continue;
            }
            BudgetAlert alert = deserializer.deserialize(r.topic(), r.value());
            Instant alertAt = Instant.ofEpochMilli(r.timestamp());
            for (AlertChannel ch : channels.list(alert.getOrgId())) {
                if (!ch.wants(alert)) {
                    continue;
                }
                DeliveryKey key = new DeliveryKey(alert.getOrgId(), alert.getAlertId(), ch.id());
                if (log.get(key).isPresent()) {
                    continue; // replayed alert: this delivery is recorded already
                }
                boolean tooOld = policy.expired(alertAt, now);
                if (tooOld) {
                    metrics.tooOld();
                }
                writes.add(writer.write(AlertDelivery.newBuilder()
                        .setOrgId(alert.getOrgId()).setAlertId(alert.getAlertId()).setChannelId(ch.id())
                        .setKind(ch.kind()).setStatus(tooOld ? DeliveryStatus.EXPIRED : DeliveryStatus.PENDING)
                        .setPayload(payloads.render(ch.kind(), alert, false, now))
                        .setAlertAt(alertAt).setNextAttemptAt(tooOld ? null : now).setTest(false)
                        .setAttempts(List.of()).build()));
            }
        }
        CompletableFuture.allOf(writes.toArray(CompletableFuture[]::new)).get(60, TimeUnit.SECONDS);
        writes.forEach(w -> scheduler.schedule(w.join()));
        c.commitSync(offsets);
    }

    private final class Rebalance implements ConsumerRebalanceListener {
        private final KafkaConsumer<String, byte[]> consumer;

        Rebalance(KafkaConsumer<String, byte[]> consumer) {
            this.consumer = consumer;
        }

        @Override
        public void onPartitionsAssigned(Collection<TopicPartition> partitions) {
            Set<Integer> numbers = partitions.stream().map(TopicPartition::partition).collect(Collectors.toSet());
            List<TopicPartition> deliveries = numbers.stream().map(n -> new TopicPartition(deliveriesTopic, n)).toList();
            Map<Integer, Long> end = consumer.endOffsets(deliveries, Duration.ofSeconds(30)).entrySet().stream()
                    .collect(Collectors.toMap(e -> e.getKey().partition(), Map.Entry::getValue));
            await(() -> log.reached(end));
            scheduler.adopt(numbers, log.pending(numbers));
            assigned = true;
        }

        @Override
        public void onPartitionsRevoked(Collection<TopicPartition> partitions) {
            scheduler.forget(partitions.stream().map(TopicPartition::partition).collect(Collectors.toSet()));
        }

        @Override
        public void onPartitionsLost(Collection<TopicPartition> partitions) {
            onPartitionsRevoked(partitions);
        }
    }

    private void await(BooleanSupplier condition) {
        while (running && !condition.getAsBoolean()) {
            sleep(50);
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
