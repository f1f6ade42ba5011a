package io.spendstream.processor;

import io.spendstream.config.ConfigException;
import io.spendstream.config.KafkaClientSettings;
import io.spendstream.config.Settings;
import io.spendstream.http.InternalAccess;
import io.spendstream.pricing.CatalogFile;
import io.spendstream.processor.budget.BudgetSettings;
import io.spendstream.schema.WindowSize;
import io.spendstream.schemas.registry.SchemaRegistryConfig;
import io.spendstream.schemas.topics.Topics;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;

/**
 * Every setting of the stream processor, read from SPENDSTREAM_* environment variables (or system
 * properties of the same names), with defaults and validation that names the key.
 */
public record StreamProcessorConfig(KafkaClientSettings kafka, SchemaRegistryConfig schemaRegistry,
                                    String applicationId, Path stateDir, int streamThreads, int commitIntervalMs,
                                    int topicPartitions, short replicationFactor, String httpHost, int httpPort,
                                    String advertisedHost, Path priceCatalogFile, boolean seedPrices,
                                    String dlqTopic, TopologySettings topology, InternalAccess internal) {

    public static final String BOOTSTRAP = "SPENDSTREAM_KAFKA_BOOTSTRAP_SERVERS";
    public static final String REGISTRY_URL = "SPENDSTREAM_SCHEMA_REGISTRY_URL";
    public static final String REGISTRY_AUTH = "SPENDSTREAM_SCHEMA_REGISTRY_BASIC_AUTH";
    public static final String APPLICATION_ID = "SPENDSTREAM_PROCESSOR_APPLICATION_ID";
    public static final String STATE_DIR = "SPENDSTREAM_PROCESSOR_STATE_DIR";
    public static final String THREADS = "SPENDSTREAM_PROCESSOR_THREADS";
    public static final String COMMIT_INTERVAL = "SPENDSTREAM_PROCESSOR_COMMIT_INTERVAL_MS";
    public static final String PARTITIONS = "SPENDSTREAM_TOPIC_PARTITIONS";
    public static final String REPLICATION = "SPENDSTREAM_TOPIC_REPLICATION_FACTOR";
    public static final String HTTP_HOST = "SPENDSTREAM_PROCESSOR_HTTP_HOST";
    public static final String HTTP_PORT = "SPENDSTREAM_PROCESSOR_HTTP_PORT";
    public static final String ADVERTISED_HOST = "SPENDSTREAM_PROCESSOR_ADVERTISED_HOST";
    public static final String PRICE_CATALOG = "SPENDSTREAM_PRICE_CATALOG_FILE";
    public static final String SEED_PRICES = "SPENDSTREAM_PRICE_CATALOG_SEED";
    public static final String DEDUP_RETENTION = "SPENDSTREAM_DEDUP_RETENTION";
    public static final String GRACE_MINUTE = "SPENDSTREAM_GRACE_MINUTE";
    public static final String GRACE_HOUR = "SPENDSTREAM_GRACE_HOUR";
    public static final String GRACE_DAY = "SPENDSTREAM_GRACE_DAY";
    public static final String EMIT_INTERVAL = "SPENDSTREAM_ROLLUP_EMIT_INTERVAL";
    public static final String TOPIC_USAGE_EVENTS = "SPENDSTREAM_TOPIC_USAGE_EVENTS";
    public static final String TOPIC_PRICED_EVENTS = "SPENDSTREAM_TOPIC_PRICED_USAGE_EVENTS";
    public static final String TOPIC_ROLLUPS = "SPENDSTREAM_TOPIC_SPEND_ROLLUPS";
    public static final String TOPIC_LATE = "SPENDSTREAM_TOPIC_LATE_USAGE_EVENTS";
    public static final String TOPIC_DLQ = "SPENDSTREAM_TOPIC_USAGE_EVENTS_DLQ";
    public static final String TOPIC_PRICES = "SPENDSTREAM_TOPIC_MODEL_PRICES";
    public static final String TOPIC_BUDGETS = "SPENDSTREAM_TOPIC_BUDGETS";
    public static final String TOPIC_ALERTS = "SPENDSTREAM_TOPIC_BUDGET_ALERTS";
    public static final String TOPIC_ALERTS_JSON = "SPENDSTREAM_TOPIC_BUDGET_ALERTS_JSON";
    public static final String FORECAST_MIN = "SPENDSTREAM_BUDGET_FORECAST_MIN_PERIOD_PERCENT";

    public static StreamProcessorConfig from(Settings s) {
        Duration day = Duration.ofDays(1);
        Duration dedup = s.duration(DEDUP_RETENTION, Duration.ofDays(7), Duration.ofMinutes(1), Duration.ofDays(90));
        Map<WindowSize, Duration> grace = Map.of(
                WindowSize.MINUTE, s.duration(GRACE_MINUTE, Duration.ofMinutes(2), Duration.ZERO, day),
                WindowSize.HOUR, s.duration(GRACE_HOUR, Duration.ofMinutes(10), Duration.ZERO, day),
                WindowSize.DAY, s.duration(GRACE_DAY, Duration.ofHours(1), Duration.ZERO, Duration.ofDays(7)));
        Path catalogFile = s.path(PRICE_CATALOG, null);
        // Loopback by default: the ops port's /internal/ routes answer for any org (see InternalAccess).
        String httpHost = s.string(HTTP_HOST, "127.0.0.1");
        TopologySettings topology = new TopologySettings(dedup, grace,
                s.duration(EMIT_INTERVAL, Duration.ofMillis(100), Duration.ofMillis(10), Duration.ofMinutes(1)),
                Duration.ofMinutes(1),
                Topics.USAGE_EVENTS.withName(s.string(TOPIC_USAGE_EVENTS, Topics.USAGE_EVENTS.name())),
                Topics.PRICED_USAGE_EVENTS.withName(s.string(TOPIC_PRICED_EVENTS, Topics.PRICED_USAGE_EVENTS.name())),
                Topics.SPEND_ROLLUPS.withName(s.string(TOPIC_ROLLUPS, Topics.SPEND_ROLLUPS.name())),
                Topics.LATE_USAGE_EVENTS.withName(s.string(TOPIC_LATE, Topics.LATE_USAGE_EVENTS.name())),
                Topics.MODEL_PRICES.withName(s.string(TOPIC_PRICES, Topics.MODEL_PRICES.name())),
                new BudgetSettings(Topics.BUDGETS.withName(s.string(TOPIC_BUDGETS, Topics.BUDGETS.name())),
                        Topics.BUDGET_ALERTS.withName(s.string(TOPIC_ALERTS, Topics.BUDGET_ALERTS.name())),
                        Topics.BUDGET_ALERTS_JSON.withName(s.string(TOPIC_ALERTS_JSON, Topics.BUDGET_ALERTS_JSON.name())),
                        s.integer(FORECAST_MIN, 20, 1, 100), 0, Duration.ofMinutes(10)),
                CatalogFile.load(catalogFile).providers());
        return new StreamProcessorConfig(
                KafkaClientSettings.from(s),
                SchemaRegistryConfig.from(s),
                s.string(APPLICATION_ID, "spendstream-processor"),
                s.path(STATE_DIR, Path.of("data", "stream-processor")),
                s.integer(THREADS, 1, 1, 64),
                s.integer(COMMIT_INTERVAL, 100, 10, 60_000),
                s.integer(PARTITIONS, 6, 1, 10_000),
                (short) s.integer(REPLICATION, 1, 1, 7),
                httpHost,
                s.integer(HTTP_PORT, 8083, 0, 65535),
                s.string(ADVERTISED_HOST, "127.0.0.1"),
                catalogFile,
                s.bool(SEED_PRICES, true),
                s.string(TOPIC_DLQ, Topics.USAGE_EVENTS_DLQ.name()),
                topology,
                InternalAccess.of(HTTP_HOST, httpHost, s.secret(InternalAccess.TOKEN_KEY))).validated();
    }

    private StreamProcessorConfig validated() {
        if (!applicationId.matches("[A-Za-z0-9._-]+")) {
            throw new ConfigException(APPLICATION_ID, applicationId, "letters, digits, '.', '_' and '-' only");
        }
        Duration dayGrace = topology.grace().get(WindowSize.DAY);
        if (topology.dedupRetention().compareTo(Duration.ofDays(1).plus(dayGrace)) < 0) {
            throw new ConfigException(DEDUP_RETENTION, topology.dedupRetention().toString(),
                    "at least one day plus " + GRACE_DAY + " (" + dayGrace + "), or a duplicate could be counted in a"
                            + " day window that is still open");
        }
        return this;
    }

    /** Every key this service reads (for deployment checks and docs). */
    public static List<String> keys() {
        Settings probe = Settings.of(Map.of());
        from(probe);
        return probe.keysRead().stream().toList();
    }
}
