package io.spendstream.sink;

import static org.awaitility.Awaitility.await;

import io.spendstream.config.Settings;
import io.spendstream.embedded.KafkaTestCluster;
import io.spendstream.schema.BudgetAlert;
import io.spendstream.schema.PricedUsageEvent;
import io.spendstream.schema.SpendRollup;
import io.spendstream.schemas.registry.SchemaRegistry;
import io.spendstream.schemas.topics.Topics;
import io.spendstream.sink.query.SpendQueries;
import io.spendstream.sink.transport.ClickHouseTransport;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.EnumSet;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.OffsetSpec;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.ByteArraySerializer;

/** Topics, producers and drain checks for one pipeline test (unique topic names per test). */
public final class PipelineFixture {
    public final KafkaTestCluster kafka;
    public final SchemaRegistry registry;
    public final String registryUrl;
    public final String id;
    public final String rollups, events, alerts, dlq;

    public PipelineFixture(KafkaTestCluster kafka, SchemaRegistry registry, String registryUrl, String id) {
        this.kafka = kafka;
        this.registry = registry;
        this.registryUrl = registryUrl;
        this.id = id;
        this.rollups = "spend-rollups-" + id;
        this.events = "priced-usage-events-" + id;
        this.alerts = "budget-alerts-" + id;
        this.dlq = "sink-dlq-" + id;
        kafka.createTopic(rollups, 3);
        kafka.createTopic(events, 3);
        kafka.createTopic(alerts, 2);
        kafka.createTopic(dlq, 1);
    }

    public SinkConfig config(String database, String group, Map<String, String> extra) {
        Map<String, String> m = new HashMap<>();
        m.put(SinkConfig.BOOTSTRAP, kafka.bootstrapServers());
        m.put(SinkConfig.REGISTRY_URL, registryUrl);
        m.put(SinkConfig.GROUP_ID, group);
        m.put(SinkConfig.DATABASE, database);
        m.put(SinkConfig.TOPIC_ROLLUPS, rollups);
        m.put(SinkConfig.TOPIC_PRICED_EVENTS, events);
        m.put(SinkConfig.TOPIC_ALERTS, alerts);
        m.put(SinkConfig.TOPIC_DLQ, dlq);
        m.put(SinkConfig.BATCH_ROWS, "500");
        m.put(SinkConfig.BATCH_INTERVAL, "200ms");
        m.put(SinkConfig.RETRY_BACKOFF_MAX, "500ms");
        m.put(SinkConfig.HTTP_HOST, "127.0.0.1");
        m.put(SinkConfig.HTTP_PORT, "0");
        m.putAll(extra);
        return SinkConfig.from(Settings.of(m));
    }

    public SinkApp start(SinkConfig config, ClickHouseTransport transport, ClickHouseSink.Hooks hooks) {
        return SinkApp.start(config, transport, false, registry, hooks, r -> { });
    }

    public void produce(TestData data) {
        produce(data, List.of());
    }

    /** Produces the data set; {@code rawRollups} (undecodable bytes) are appended in the middle of the rollups. */
    public void produce(TestData data, List<byte[]> rawRollups) {
        Properties p = new Properties();
        p.put(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, kafka.bootstrapServers());
        p.put(ProducerConfig.ACKS_CONFIG, "all");
        p.put(ProducerConfig.LINGER_MS_CONFIG, 5);
        var rollupSerde = Topics.SPEND_ROLLUPS.valueSerde(registry).serializer();
        var eventSerde = Topics.PRICED_USAGE_EVENTS.valueSerde(registry).serializer();
        var alertSerde = Topics.BUDGET_ALERTS.valueSerde(registry).serializer();
        try (KafkaProducer<byte[], byte[]> producer = new KafkaProducer<>(p, new ByteArraySerializer(),
                new ByteArraySerializer())) {
            int i = 0;
            for (SpendRollup r : data.rollups) {
                producer.send(new ProducerRecord<>(rollups, bytes(TestData.key(r)), rollupSerde.serialize(rollups, r)));
                if (++i == data.rollups.size() / 2) {
                    for (byte[] raw : rawRollups) {
                        producer.send(new ProducerRecord<>(rollups, bytes("garbage"), raw));
                    }
                }
            }
            for (PricedUsageEvent e : data.events) {
                producer.send(new ProducerRecord<>(events, bytes(e.getEvent().getOrgId()), eventSerde.serialize(events, e)));
            }
            for (BudgetAlert a : data.alerts) {
                producer.send(new ProducerRecord<>(alerts, bytes(a.getOrgId()), alertSerde.serialize(alerts, a)));
            }
            producer.flush();
        }
    }

    private static byte[] bytes(String s) {
        return s.getBytes(StandardCharsets.UTF_8);
    }

    /** Committed offsets of {@code group} on the three data topics (absent partitions: 0). */
    public Map<TopicPartition, Long> committed(String group) {
        try (Admin admin = kafka.admin()) {
            var offsets = admin.listConsumerGroupOffsets(group).partitionsToOffsetAndMetadata().get(10, TimeUnit.SECONDS);
            Map<TopicPartition, Long> out = new HashMap<>();
            for (TopicPartition tp : endOffsets().keySet()) {
                var o = offsets.get(tp);
                out.put(tp, o == null ? 0L : o.offset());
            }
            return out;
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
    }

    public Map<TopicPartition, Long> endOffsets() {
        try (Admin admin = kafka.admin()) {
            Set<String> topics = Set.of(rollups, events, alerts);
            var desc = admin.describeTopics(topics).allTopicNames().get(10, TimeUnit.SECONDS);
            Map<TopicPartition, OffsetSpec> req = new HashMap<>();
            desc.forEach((t, d) -> d.partitions().forEach(pi -> req.put(new TopicPartition(t, pi.partition()),
                    OffsetSpec.latest())));
            return admin.listOffsets(req).all().get(10, TimeUnit.SECONDS).entrySet().stream()
                    .collect(Collectors.toMap(Map.Entry::getKey, e -> e.getValue().offset()));
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
    }

    /** Waits until {@code group} committed everything on the data topics. */
    public void awaitDrained(String group, Duration timeout) {
        Map<TopicPartition, Long> end = endOffsets();
        await().atMost(timeout).pollInterval(Duration.ofMillis(200)).until(() -> committed(group).equals(end));
    }

    /** Everything a user could ask of the database, as one text (for before/after comparisons). */
    public static String snapshot(ClickHouseTransport ch, String db, TestData data) {
        StringBuilder s = new StringBuilder();
        for (String t : List.of("spend_rollups_minute", "spend_rollups_hour", "spend_rollups_day")) {
            s.append(t).append(": ").append(q(ch, "SELECT count(), sum(events), sum(input_tokens),"
                    + " toString(sum(toInt128(cost_usd_nanos))) FROM " + db + "." + t + " FINAL")).append('\n');
        }
        s.append("events: ").append(q(ch, "SELECT count(), countIf(cost_source = 'UNPRICED'), sum(input_tokens),"
                + " toString(sum(toInt128(cost_usd_nanos))) FROM " + db + ".priced_events FINAL")).append('\n');
        s.append("alerts: ").append(q(ch, "SELECT count(), sum(spend_usd_nanos) FROM " + db + ".budget_alerts FINAL"))
                .append('\n');
        s.append("spend_daily:\n").append(q(ch, "SELECT * FROM " + db + ".spend_daily ORDER BY org_id, day, feature,"
                + " provider, model")).append('\n');
        s.append("top_features:\n").append(q(ch, "SELECT * FROM " + db + ".top_features_this_month")).append('\n');
        s.append("unpriced:\n").append(q(ch, "SELECT * FROM " + db + ".unpriced_events_by_model ORDER BY org_id,"
                + " provider, model")).append('\n');
        SpendQueries queries = new SpendQueries(ch, db);
        Instant monthStart = data.month.atDay(1).atStartOfDay(ZoneOffset.UTC).toInstant();
        for (String org : TestData.ORGS) {
            s.append("api spend ").append(org).append(": ").append(queries.spend(org, monthStart,
                    monthStart.plus(Duration.ofDays(3)), SpendQueries.Granularity.HOUR,
                    EnumSet.of(SpendQueries.GroupBy.FEATURE, SpendQueries.GroupBy.MODEL))).append('\n');
            s.append("api alerts ").append(org).append(": ").append(queries.alerts(org, monthStart)).append('\n');
            s.append("csv ").append(org).append(":\n").append(csv(queries, org, data.month));
        }
        return s.toString();
    }

    /** The monthly CSV export as one string. */
    public static String csv(SpendQueries queries, String org, java.time.YearMonth month) {
        java.io.StringWriter out = new java.io.StringWriter();
        try {
            queries.monthlyCsv(org, month, out);
        } catch (java.io.IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
        return out.toString();
    }

    public static String q(ClickHouseTransport ch, String sql) {
        return new String(ch.query(sql, "TabSeparated", Map.of()), StandardCharsets.UTF_8).strip();
    }
}
