package io.spendstream.sink;

import io.spendstream.config.ConfigException;
import io.spendstream.config.KafkaClientSettings;
import io.spendstream.config.Secret;
import io.spendstream.config.Settings;
import io.spendstream.http.InternalAccess;
import io.spendstream.schemas.registry.SchemaRegistryConfig;
import io.spendstream.schemas.topics.Topics;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;

/**
 * Every setting of sink-clickhouse, read from SPENDSTREAM_* environment variables (or system
 * properties of the same names), with defaults and validation that names the key.
 */
public record SinkConfig(KafkaClientSettings kafka, SchemaRegistryConfig schemaRegistry,
                         String groupId, Transport transport, String clickhouseUrl, String clickhouseUser,
                         Secret clickhousePassword, String database, Path chdbPath, int batchRows,
                         Duration batchInterval, OnFatal onFatal, Duration eventsTtl, Duration retryBackoffMax,
                         String httpHost, int httpPort, String rollupsTopic, String pricedEventsTopic,
                         String alertsTopic, String dlqTopic, InternalAccess internal,
                         String clickhouseCluster) {

    public enum Transport { CHDB, HTTP }

    public enum OnFatal { STOP, DEAD_LETTER }

    public static final String BOOTSTRAP = "SPENDSTREAM_KAFKA_BOOTSTRAP_SERVERS";
    public static final String REGISTRY_URL = "SPENDSTREAM_SCHEMA_REGISTRY_URL";
    public static final String REGISTRY_AUTH = "SPENDSTREAM_SCHEMA_REGISTRY_BASIC_AUTH";
    public static final String GROUP_ID = "SPENDSTREAM_SINK_GROUP_ID";
    public static final String TRANSPORT = "SPENDSTREAM_SINK_TRANSPORT";
    public static final String CLICKHOUSE_URL = "SPENDSTREAM_CLICKHOUSE_URL";
    public static final String CLICKHOUSE_USER = "SPENDSTREAM_CLICKHOUSE_USER";
    public static final String CLICKHOUSE_PASSWORD = "SPENDSTREAM_CLICKHOUSE_PASSWORD";
    public static final String DATABASE = "SPENDSTREAM_CLICKHOUSE_DATABASE";
    public static final String CHDB_PATH = "SPENDSTREAM_SINK_CHDB_PATH";
    public static final String BATCH_ROWS = "SPENDSTREAM_SINK_BATCH_ROWS";
    /**
     * Rows per batch unless the interval cuts it first: 50,000, since on 2 cores batches of 10,000
     * reached only 154–180k rows/s against 243–273k (docs/benchmarks.md); a batch is at most tens of MB.
     */
    public static final int DEFAULT_BATCH_ROWS = 50_000;
    public static final String BATCH_INTERVAL = "SPENDSTREAM_SINK_BATCH_INTERVAL";
    public static final String ON_FATAL = "SPENDSTREAM_SINK_ON_FATAL";
    public static final String EVENTS_TTL = "SPENDSTREAM_SINK_EVENTS_TTL";
    public static final String RETRY_BACKOFF_MAX = "SPENDSTREAM_SINK_RETRY_BACKOFF_MAX";
    public static final String HTTP_HOST = "SPENDSTREAM_SINK_HTTP_HOST";
    public static final String HTTP_PORT = "SPENDSTREAM_SINK_HTTP_PORT";
    public static final String TOPIC_ROLLUPS = "SPENDSTREAM_TOPIC_SPEND_ROLLUPS";
    public static final String TOPIC_PRICED_EVENTS = "SPENDSTREAM_TOPIC_PRICED_USAGE_EVENTS";
    public static final String TOPIC_ALERTS = "SPENDSTREAM_TOPIC_BUDGET_ALERTS";
    public static final String TOPIC_DLQ = "SPENDSTREAM_TOPIC_SINK_DLQ";
    /** A ClickHouse cluster (remote_servers) to create replicated + Distributed tables on; unset: one server. */
    public static final String CLICKHOUSE_CLUSTER = "SPENDSTREAM_CLICKHOUSE_CLUSTER";

    public static SinkConfig from(Settings s) {
        String ttl = s.string(EVENTS_TTL, "off");
        Duration eventsTtl = null;
        if (!ttl.equalsIgnoreCase("off")) {
            eventsTtl = s.duration(EVENTS_TTL, null, Duration.ofHours(1), Duration.ofDays(36_500));
        }
        // Loopback by default: the ops port's /internal/ routes answer for any org (see InternalAccess).
        String httpHost = s.string(HTTP_HOST, "127.0.0.1");
        return new SinkConfig(
                KafkaClientSettings.from(s),
                SchemaRegistryConfig.from(s),
                s.string(GROUP_ID, "spendstream-sink-clickhouse"),
                enumValue(s, TRANSPORT, Transport.CHDB, Transport.class),
                s.string(CLICKHOUSE_URL, "http://127.0.0.1:8123"),
                s.string(CLICKHOUSE_USER, "default"),
                Objects.requireNonNullElse(s.secret(CLICKHOUSE_PASSWORD), Secret.of("")),
                s.string(DATABASE, "spendstream"),
                s.path(CHDB_PATH, Path.of("data", "clickhouse")),
                s.integer(BATCH_ROWS, DEFAULT_BATCH_ROWS, 1, 1_000_000),
                s.duration(BATCH_INTERVAL, Duration.ofSeconds(1), Duration.ofMillis(10), Duration.ofMinutes(10)),
                enumValue(s, ON_FATAL, OnFatal.STOP, OnFatal.class),
                eventsTtl,
                s.duration(RETRY_BACKOFF_MAX, Duration.ofSeconds(30), Duration.ofMillis(10), Duration.ofMinutes(10)),
                httpHost,
                s.integer(HTTP_PORT, 8084, 0, 65535),
                s.string(TOPIC_ROLLUPS, Topics.SPEND_ROLLUPS.name()),
                s.string(TOPIC_PRICED_EVENTS, Topics.PRICED_USAGE_EVENTS.name()),
                s.string(TOPIC_ALERTS, Topics.BUDGET_ALERTS.name()),
                s.string(TOPIC_DLQ, Topics.SINK_DLQ.name()),
                InternalAccess.of(HTTP_HOST, httpHost, s.secret(InternalAccess.TOKEN_KEY)),
                s.string(CLICKHOUSE_CLUSTER, null)).validated();
    }

    private static <E extends Enum<E>> E enumValue(Settings s, String key, E defaultValue, Class<E> type) {
        String v = s.string(key, null);
        if (v == null) {
            return defaultValue;
        }
        try {
            return Enum.valueOf(type, v.toUpperCase(Locale.ROOT).replace('-', '_'));
        } catch (IllegalArgumentException e) {
            StringBuilder allowed = new StringBuilder();
            for (E c : type.getEnumConstants()) {
                allowed.append(allowed.isEmpty() ? "" : " or ").append(c.name().toLowerCase(Locale.ROOT).replace('_', '-'));
            }
            throw new ConfigException(key, v, allowed.toString());
        }
    }

    private SinkConfig validated() {
        if (!database.matches("[A-Za-z_][A-Za-z0-9_]*")) {
            throw new ConfigException(DATABASE, database, "a ClickHouse identifier: letters, digits and '_', not starting"
                    + " with a digit");
        }
        if (!groupId.matches("[A-Za-z0-9._-]+")) {
            throw new ConfigException(GROUP_ID, groupId, "letters, digits, '.', '_' and '-' only");
        }
        if (transport == Transport.HTTP && !clickhouseUrl.matches("https?://.+")) {
            throw new ConfigException(CLICKHOUSE_URL, clickhouseUrl, "an http:// or https:// URL when "
                    + TRANSPORT + "=http");
        }
        if (clickhouseCluster != null && (transport != Transport.HTTP
                || !clickhouseCluster.matches("[A-Za-z_][A-Za-z0-9_]*"))) {
            throw new ConfigException(CLICKHOUSE_CLUSTER, clickhouseCluster, "a cluster name from the servers'"
                    + " remote_servers (a ClickHouse identifier), with " + TRANSPORT + "=http");
        }
        return this;
    }

    /** A copy with other topic names and database (tests and launchers). */
    public SinkConfig withDatabase(String db) {
        return new SinkConfig(kafka, schemaRegistry, groupId, transport,
                clickhouseUrl, clickhouseUser, clickhousePassword, db, chdbPath, batchRows, batchInterval, onFatal,
                eventsTtl, retryBackoffMax, httpHost, httpPort, rollupsTopic, pricedEventsTopic, alertsTopic, dlqTopic,
                internal, clickhouseCluster).validated();
    }

    /** Every key this service reads (for deployment checks and docs). */
    public static List<String> keys() {
        Settings probe = Settings.of(Map.of());
        from(probe);
        return probe.keysRead().stream().toList();
    }
}
