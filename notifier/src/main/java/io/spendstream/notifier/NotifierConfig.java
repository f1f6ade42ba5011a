package io.spendstream.notifier;

import io.spendstream.config.ConfigException;
import io.spendstream.config.KafkaClientSettings;
import io.spendstream.config.Settings;
import io.spendstream.http.InternalAccess;
import io.spendstream.notifier.channel.UrlPolicy;
import io.spendstream.schemas.registry.SchemaRegistryConfig;
import io.spendstream.schemas.topics.Topics;
import java.time.Duration;
import java.util.List;
import java.util.Map;

/**
 * Every setting of the notifier, read from SPENDSTREAM_* environment variables (or system properties of
 * the same names), with defaults and validation that names the key.
 *
 * @param httpHost             interface of the ops port (health, metrics, the internal channel routes)
 * @param httpPort             ops port; 0 picks a free one
 * @param groupId              consumer group on budget-alerts (instances of one deployment share it)
 * @param retryHorizon         how long after an alert its delivery is retried; then it expires
 * @param retryInitial         the first retry's delay (doubled per attempt, with jitter)
 * @param retryMax             the longest delay between attempts (a longer Retry-After still wins)
 * @param connectTimeout       TCP + TLS connect timeout of a request
 * @param requestTimeout       the whole request: connect, send, answer and body
 * @param maxInFlight          requests in flight at once across all channels
 * @param maxInFlightPerChannel requests in flight at once to one channel
 * @param urlPolicy            which addresses channels may reach (shared keys with ingest-api)
 * @param publicUrl            base URL of the public API, for the status links in messages
 * @param internal             who may call the internal channel routes (loopback, else the service token)
 */
public record NotifierConfig(KafkaClientSettings kafka, SchemaRegistryConfig schemaRegistry,
                             String httpHost, int httpPort, String groupId, String alertsTopic,
                             String channelsTopic, String deliveriesTopic, int topicPartitions,
                             short replicationFactor, Duration retryHorizon, Duration retryInitial,
                             Duration retryMax, Duration connectTimeout, Duration requestTimeout, int maxInFlight,
                             int maxInFlightPerChannel, UrlPolicy urlPolicy, String publicUrl,
                             InternalAccess internal) {

    public static final String BOOTSTRAP = KafkaClientSettings.BOOTSTRAP;
    public static final String HTTP_HOST = "SPENDSTREAM_NOTIFIER_HTTP_HOST";
    public static final String HTTP_PORT = "SPENDSTREAM_NOTIFIER_HTTP_PORT";
    public static final String GROUP_ID = "SPENDSTREAM_NOTIFIER_GROUP_ID";
    public static final String TOPIC_ALERTS = "SPENDSTREAM_TOPIC_BUDGET_ALERTS";
    public static final String TOPIC_CHANNELS = "SPENDSTREAM_TOPIC_CHANNELS";
    public static final String TOPIC_DELIVERIES = "SPENDSTREAM_TOPIC_ALERT_DELIVERIES";
    public static final String PARTITIONS = "SPENDSTREAM_TOPIC_PARTITIONS";
    public static final String REPLICATION = "SPENDSTREAM_TOPIC_REPLICATION_FACTOR";
    public static final String RETRY_HORIZON = "SPENDSTREAM_NOTIFIER_RETRY_HORIZON";
    public static final String RETRY_INITIAL = "SPENDSTREAM_NOTIFIER_RETRY_INITIAL";
    public static final String RETRY_MAX = "SPENDSTREAM_NOTIFIER_RETRY_MAX";
    public static final String CONNECT_TIMEOUT = "SPENDSTREAM_NOTIFIER_CONNECT_TIMEOUT";
    public static final String REQUEST_TIMEOUT = "SPENDSTREAM_NOTIFIER_REQUEST_TIMEOUT";
    public static final String MAX_IN_FLIGHT = "SPENDSTREAM_NOTIFIER_MAX_IN_FLIGHT";
    public static final String MAX_IN_FLIGHT_PER_CHANNEL = "SPENDSTREAM_NOTIFIER_MAX_IN_FLIGHT_PER_CHANNEL";
    public static final String PUBLIC_URL = "SPENDSTREAM_PUBLIC_URL";

    public static NotifierConfig from(Settings s) {
        String httpHost = s.string(HTTP_HOST, "127.0.0.1");
        return new NotifierConfig(
                KafkaClientSettings.from(s),
                SchemaRegistryConfig.from(s),
                httpHost,
                s.integer(HTTP_PORT, 8085, 0, 65535),
                s.string(GROUP_ID, "spendstream-notifier"),
                s.string(TOPIC_ALERTS, Topics.BUDGET_ALERTS.name()),
                s.string(TOPIC_CHANNELS, Topics.CHANNELS.name()),
                s.string(TOPIC_DELIVERIES, Topics.ALERT_DELIVERIES.name()),
                s.integer(PARTITIONS, 6, 1, 10_000),
                (short) s.integer(REPLICATION, 1, 1, 7),
                s.duration(RETRY_HORIZON, Duration.ofHours(24), Duration.ofSeconds(1), Duration.ofDays(7)),
                s.duration(RETRY_INITIAL, Duration.ofSeconds(1), Duration.ofMillis(10), Duration.ofHours(1)),
                s.duration(RETRY_MAX, Duration.ofHours(1), Duration.ofMillis(10), Duration.ofDays(1)),
                s.duration(CONNECT_TIMEOUT, Duration.ofSeconds(5), Duration.ofMillis(10), Duration.ofMinutes(1)),
                s.duration(REQUEST_TIMEOUT, Duration.ofSeconds(10), Duration.ofMillis(10), Duration.ofMinutes(5)),
                s.integer(MAX_IN_FLIGHT, 512, 1, 100_000),
                s.integer(MAX_IN_FLIGHT_PER_CHANNEL, 16, 1, 10_000),
                UrlPolicy.from(s),
                s.string(PUBLIC_URL, "http://127.0.0.1:8080"),
                InternalAccess.of(HTTP_HOST, httpHost, s.secret(InternalAccess.TOKEN_KEY)))
                .validated();
    }

    private NotifierConfig validated() {
        if (retryInitial.compareTo(retryMax) > 0) {
            throw new ConfigException(RETRY_INITIAL, retryInitial.toString(), "at most " + RETRY_MAX + " (" + retryMax + ")");
        }
        if (connectTimeout.compareTo(requestTimeout) > 0) {
            throw new ConfigException(CONNECT_TIMEOUT, connectTimeout.toString(),
                    "at most " + REQUEST_TIMEOUT + " (" + requestTimeout + ")");
        }
        if (maxInFlightPerChannel > maxInFlight) {
            throw new ConfigException(MAX_IN_FLIGHT_PER_CHANNEL, Integer.toString(maxInFlightPerChannel),
                    "at most " + MAX_IN_FLIGHT + " (" + maxInFlight + ")");
        }
        for (var e : Map.of(TOPIC_ALERTS, alertsTopic, TOPIC_CHANNELS, channelsTopic, TOPIC_DELIVERIES,
                deliveriesTopic).entrySet()) {
            if (!e.getValue().matches("[A-Za-z0-9._-]{1,249}")) {
                throw new ConfigException(e.getKey(), e.getValue(), "a Kafka topic name (letters, digits, '.', '_', '-')");
            }
        }
        if (!publicUrl.matches("https?://[^\\s?#]+")) {
            throw new ConfigException(PUBLIC_URL, publicUrl, "an http:// or https:// URL without query, e.g."
                    + " https://spend.example.com");
        }
        return this;
    }

    @Override
    public String toString() { // secrets appear only as Secret's <redacted>
        return "NotifierConfig[kafka=" + kafka + ", schemaRegistry=" + schemaRegistry
                + ", ops=" + httpHost + ":" + httpPort + ", groupId=" + groupId
                + ", topics=" + alertsTopic + "," + channelsTopic + "," + deliveriesTopic
                + ", retry=" + retryInitial + ".." + retryMax + " for " + retryHorizon
                + ", timeouts=" + connectTimeout + "/" + requestTimeout
                + ", maxInFlight=" + maxInFlight + "/" + maxInFlightPerChannel + " per channel"
                + ", " + urlPolicy + ", publicUrl=" + publicUrl + ", " + internal + "]";
    }

    /** Every key this service reads (for deployment checks and docs). */
    public static List<String> keys() {
        Settings probe = Settings.of(Map.of());
        from(probe);
        return probe.keysRead().stream().toList();
    }
}
