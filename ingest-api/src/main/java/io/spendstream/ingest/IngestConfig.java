package io.spendstream.ingest;

import io.spendstream.config.ConfigException;
import io.spendstream.config.KafkaClientSettings;
import io.spendstream.config.Secret;
import io.spendstream.config.Settings;
import io.spendstream.http.InternalAccess;
import io.spendstream.schemas.registry.SchemaRegistryConfig;
import io.spendstream.schemas.topics.Topics;
import java.net.URI;
import java.net.URISyntaxException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;

/**
 * Every setting of ingest-api, read from SPENDSTREAM_* environment variables (or system properties of
 * the same names), with defaults and validation that names the key.
 *
 * @param kafka                   Kafka bootstrap servers and passed-through client properties
 * @param schemaRegistry          Confluent-API schema registry URL(s), basic auth, trust store
 * @param httpHost                interface the public port binds to
 * @param httpPort                public port (API, admin and ops routes); 0 picks a free one
 * @param eventLoops              Vert.x event loops (server instances) serving the port
 * @param adminToken              bearer token of the admin API; null disables the admin routes (401)
 * @param maxEventsPerRequest     more events in one request: 413
 * @param maxBodyBytes            larger body: 413
 * @param maxFuture               how far in the future an event's timestamp may be
 * @param rateLimitEventsPerSecond per API key; 0 disables rate limiting
 * @param rateLimitBurst          token bucket size per API key
 * @param maxInFlightEvents       events being produced across all requests; beyond it: 503
 * @param deliveryTimeout         producer delivery.timeout.ms: an unacknowledged send fails after this (503)
 * @param requestTimeout          producer request.timeout.ms
 * @param maxBlock                producer max.block.ms (metadata and buffer waits, never on the event loop)
 * @param lingerMs                producer linger.ms
 * @param compression             producer compression.type
 * @param retryAfterSeconds       Retry-After of 503 answers
 * @param shutdownTimeout         how long a graceful shutdown waits for in-flight requests
 * @param topicPartitions         partitions of usage-events when ingest-api creates it
 * @param replicationFactor       replication factor of the topics it creates
 * @param usageEventsTopic        topic name of the usage events
 * @param apiKeysTopic            topic name of the API key table
 * @param orgsTopic               topic name of the org table
 * @param budgetsTopic            topic name of the budgets (compacted, key org_id|budget_id); created with
 *                                {@code topicPartitions} partitions, like usage-events, because the stream
 *                                processor reads an org's budgets in the same task as its events
 * @param maxBudgetsPerOrg        budgets one org may have; creating one more: 409
 * @param processorUrl            base URL of the stream processor's internal HTTP port, to which the budget
 *                                status routes are forwarded (http or https; a path prefix is kept)
 * @param processorTimeout        how long a forwarded budget status request may take (connect, answer and body)
 *                                before it is answered 503
 * @param queryUrl                base URL of sink-clickhouse's internal HTTP port, to which the spend query
 *                                routes (/v1/spend, /v1/alerts, /v1/unpriced, /v1/reports/spend.csv) are forwarded
 * @param queryTimeout            how long a forwarded spend query may take before it is answered 503
 * @param modelPricesTopic        topic name of the model price catalog, followed to warn about unpriced models
 * @param priceCatalogFile        the catalog file whose provider rules name resolution uses (null: the
 *                                built-in seed catalog), the same setting as the stream processor's
 * @param internalToken           the service token sent to the stream processor's and the sink's internal
 *                                routes ({@value InternalAccess#HEADER}); null sends none
 * @param publicHttp              TLS and CORS of the public port
 * @param apiKeyUsageTopic        topic name of the keys' last use (compacted, key key_id)
 * @param adminTokensFile         file of named admin tokens ({@code name:token} lines), re-read while running;
 *                                null: only {@code adminToken} (see {@link AdminTokens})
 * @param queryRateLimit          per-org limit of the spend query routes
 * @param channels                the channel API's settings ({@link ChannelConfig})
 */
public record IngestConfig(KafkaClientSettings kafka, SchemaRegistryConfig schemaRegistry,
                           String httpHost, int httpPort, int eventLoops, Secret adminToken,
                           int maxEventsPerRequest, int maxBodyBytes, Duration maxFuture,
                           int rateLimitEventsPerSecond, int rateLimitBurst, int maxInFlightEvents,
                           Duration deliveryTimeout, Duration requestTimeout, Duration maxBlock, int lingerMs,
                           String compression, int retryAfterSeconds, Duration shutdownTimeout,
                           int topicPartitions, short replicationFactor,
                           String usageEventsTopic, String apiKeysTopic, String orgsTopic, String budgetsTopic,
                           int maxBudgetsPerOrg, String processorUrl, Duration processorTimeout,
                           String queryUrl, Duration queryTimeout, String modelPricesTopic,
                           Path priceCatalogFile, Secret internalToken, PublicHttp publicHttp,
                           String apiKeyUsageTopic, Path adminTokensFile, QueryRateLimit queryRateLimit,
                           ChannelConfig channels) {

    public static final String BOOTSTRAP = "SPENDSTREAM_KAFKA_BOOTSTRAP_SERVERS";
    public static final String REGISTRY_URL = "SPENDSTREAM_SCHEMA_REGISTRY_URL";
    public static final String REGISTRY_AUTH = "SPENDSTREAM_SCHEMA_REGISTRY_BASIC_AUTH";
    public static final String HTTP_HOST = "SPENDSTREAM_HTTP_HOST";
    public static final String HTTP_PORT = "SPENDSTREAM_HTTP_PORT";
    public static final String EVENT_LOOPS = "SPENDSTREAM_HTTP_EVENT_LOOPS";
    public static final String ADMIN_TOKEN = "SPENDSTREAM_ADMIN_TOKEN";
    public static final String MAX_EVENTS = "SPENDSTREAM_INGEST_MAX_EVENTS_PER_REQUEST";
    public static final String MAX_BODY = "SPENDSTREAM_INGEST_MAX_BODY_BYTES";
    public static final String MAX_FUTURE = "SPENDSTREAM_INGEST_MAX_FUTURE";
    public static final String RATE = "SPENDSTREAM_INGEST_RATE_LIMIT_EVENTS_PER_SECOND";
    public static final String BURST = "SPENDSTREAM_INGEST_RATE_LIMIT_BURST";
    public static final String MAX_IN_FLIGHT = "SPENDSTREAM_INGEST_MAX_IN_FLIGHT";
    public static final String DELIVERY_TIMEOUT = "SPENDSTREAM_INGEST_PRODUCER_DELIVERY_TIMEOUT";
    public static final String REQUEST_TIMEOUT = "SPENDSTREAM_INGEST_PRODUCER_REQUEST_TIMEOUT";
    public static final String MAX_BLOCK = "SPENDSTREAM_INGEST_PRODUCER_MAX_BLOCK";
    public static final String LINGER_MS = "SPENDSTREAM_INGEST_PRODUCER_LINGER_MS";
    public static final String COMPRESSION = "SPENDSTREAM_INGEST_PRODUCER_COMPRESSION";
    public static final String RETRY_AFTER = "SPENDSTREAM_INGEST_RETRY_AFTER_SECONDS";
    public static final String SHUTDOWN_TIMEOUT = "SPENDSTREAM_INGEST_SHUTDOWN_TIMEOUT";
    public static final String PARTITIONS = "SPENDSTREAM_TOPIC_PARTITIONS";
    public static final String REPLICATION = "SPENDSTREAM_TOPIC_REPLICATION_FACTOR";
    public static final String TOPIC_USAGE_EVENTS = "SPENDSTREAM_TOPIC_USAGE_EVENTS";
    public static final String TOPIC_API_KEYS = "SPENDSTREAM_TOPIC_API_KEYS";
    public static final String TOPIC_ORGS = "SPENDSTREAM_TOPIC_ORGS";
    public static final String TOPIC_BUDGETS = "SPENDSTREAM_TOPIC_BUDGETS";
    public static final String TOPIC_PRICES = "SPENDSTREAM_TOPIC_MODEL_PRICES";
    public static final String PRICE_CATALOG = "SPENDSTREAM_PRICE_CATALOG_FILE";
    public static final String MAX_BUDGETS = "SPENDSTREAM_MAX_BUDGETS_PER_ORG";
    public static final String PROCESSOR_URL = "SPENDSTREAM_PROCESSOR_URL";
    public static final String PROCESSOR_TIMEOUT = "SPENDSTREAM_PROCESSOR_TIMEOUT";
    public static final String QUERY_URL = "SPENDSTREAM_QUERY_URL";
    public static final String QUERY_TIMEOUT = "SPENDSTREAM_QUERY_TIMEOUT";
    public static final String TOPIC_API_KEY_USAGE = "SPENDSTREAM_TOPIC_API_KEY_USAGE";
    public static final String ADMIN_TOKENS_FILE = "SPENDSTREAM_ADMIN_TOKENS_FILE";

    public static IngestConfig from(Settings s) {
        Duration hour = Duration.ofHours(1);
        return new IngestConfig(
                KafkaClientSettings.from(s),
                SchemaRegistryConfig.from(s),
                s.string(HTTP_HOST, "0.0.0.0"),
                s.integer(HTTP_PORT, 8080, 0, 65535),
                s.integer(EVENT_LOOPS, Math.max(1, Runtime.getRuntime().availableProcessors()), 1, 256),
                s.secret(ADMIN_TOKEN),
                s.integer(MAX_EVENTS, 1000, 1, 100_000),
                s.integer(MAX_BODY, 1024 * 1024, 1024, 64 * 1024 * 1024),
                s.duration(MAX_FUTURE, Duration.ofHours(24), Duration.ZERO, Duration.ofDays(365)),
                s.integer(RATE, 20_000, 0, 100_000_000),
                s.integer(BURST, 40_000, 1, 1_000_000_000),
                s.integer(MAX_IN_FLIGHT, 50_000, 1, 100_000_000),
                s.duration(DELIVERY_TIMEOUT, Duration.ofSeconds(30), Duration.ofMillis(100), hour),
                s.duration(REQUEST_TIMEOUT, Duration.ofSeconds(10), Duration.ofMillis(100), hour),
                s.duration(MAX_BLOCK, Duration.ofSeconds(2), Duration.ZERO, Duration.ofMinutes(5)),
                s.integer(LINGER_MS, 5, 0, 10_000),
                s.string(COMPRESSION, "lz4"),
                s.integer(RETRY_AFTER, 1, 1, 3600),
                s.duration(SHUTDOWN_TIMEOUT, Duration.ofSeconds(30), Duration.ZERO, Duration.ofMinutes(10)),
                s.integer(PARTITIONS, 6, 1, 10_000),
                (short) s.integer(REPLICATION, 1, 1, 7),
                s.string(TOPIC_USAGE_EVENTS, Topics.USAGE_EVENTS.name()),
                s.string(TOPIC_API_KEYS, Topics.API_KEYS.name()),
                s.string(TOPIC_ORGS, Topics.ORGS.name()),
                s.string(TOPIC_BUDGETS, Topics.BUDGETS.name()),
                s.integer(MAX_BUDGETS, 100, 1, 10_000),
                s.string(PROCESSOR_URL, "http://127.0.0.1:8083"),
                s.duration(PROCESSOR_TIMEOUT, Duration.ofSeconds(2), Duration.ofMillis(10), Duration.ofMinutes(5)),
                s.string(QUERY_URL, "http://127.0.0.1:8084"),
                s.duration(QUERY_TIMEOUT, Duration.ofSeconds(30), Duration.ofMillis(10), Duration.ofMinutes(10)),
                s.string(TOPIC_PRICES, Topics.MODEL_PRICES.name()),
                s.path(PRICE_CATALOG, null),
                s.secret(InternalAccess.TOKEN_KEY),
                PublicHttp.from(s),
                s.string(TOPIC_API_KEY_USAGE, Topics.API_KEY_USAGE.name()),
                s.path(ADMIN_TOKENS_FILE, null),
                QueryRateLimit.from(s),
                ChannelConfig.from(s))
                .validated();
    }

    private IngestConfig validated() {
        if (lingerMs + requestTimeout.toMillis() > deliveryTimeout.toMillis()) {
            throw new ConfigException(DELIVERY_TIMEOUT, deliveryTimeout.toString(),
                    "at least " + REQUEST_TIMEOUT + " + " + LINGER_MS + " (" + (lingerMs + requestTimeout.toMillis())
                            + " ms): Kafka's producer refuses a shorter delivery timeout");
        }
        if (internalToken != null && internalToken.reveal().length() < InternalAccess.MIN_TOKEN_LENGTH) {
            throw new ConfigException(InternalAccess.TOKEN_KEY, "<hidden>",
                    "at least " + InternalAccess.MIN_TOKEN_LENGTH + " characters");
        }
        if (adminToken != null && adminToken.reveal().length() < 16) {
            throw new ConfigException(ADMIN_TOKEN, "<hidden>", "at least 16 characters");
        }
        if (!List.of("none", "gzip", "snappy", "lz4", "zstd").contains(compression)) {
            throw new ConfigException(COMPRESSION, compression, "one of none, gzip, snappy, lz4, zstd");
        }
        if (rateLimitEventsPerSecond > 0 && rateLimitBurst < 1) {
            throw new ConfigException(BURST, Integer.toString(rateLimitBurst), "at least 1");
        }
        for (var e : Map.of(TOPIC_USAGE_EVENTS, usageEventsTopic, TOPIC_API_KEYS, apiKeysTopic, TOPIC_ORGS, orgsTopic,
                TOPIC_BUDGETS, budgetsTopic, TOPIC_PRICES, modelPricesTopic, TOPIC_API_KEY_USAGE, apiKeyUsageTopic).entrySet()) {
            if (!e.getValue().matches("[A-Za-z0-9._-]{1,249}")) {
                throw new ConfigException(e.getKey(), e.getValue(), "a Kafka topic name (letters, digits, '.', '_', '-')");
            }
        }
        if (!isHttpUrl(processorUrl)) {
            throw new ConfigException(PROCESSOR_URL, processorUrl, "an http:// or https:// URL with a host and no"
                    + " query, e.g. http://stream-processor:8083");
        }
        if (!isHttpUrl(queryUrl)) {
            throw new ConfigException(QUERY_URL, queryUrl, "an http:// or https:// URL with a host and no"
                    + " query, e.g. http://sink-clickhouse:8084");
        }
        return this;
    }

    private static boolean isHttpUrl(String url) {
        try {
            URI u = new URI(url);
            return u.isAbsolute() && ("http".equals(u.getScheme()) || "https".equals(u.getScheme()))
                    && u.getHost() != null && u.getRawQuery() == null && u.getRawFragment() == null
                    && u.getRawUserInfo() == null;
        } catch (URISyntaxException e) {
            return false;
        }
    }

    /** {@link #processorUrl()} without a trailing slash, ready to have a path appended. */
    public String processorBaseUrl() {
        return withoutTrailingSlash(processorUrl);
    }

    /** {@link #queryUrl()} without a trailing slash, ready to have a path appended. */
    public String queryBaseUrl() {
        return withoutTrailingSlash(queryUrl);
    }

    private static String withoutTrailingSlash(String url) {
        return url.endsWith("/") ? url.substring(0, url.length() - 1) : url;
    }

    /** A copy with another HTTP port (tests and launchers). */
    public IngestConfig withHttpPort(int port) {
        return new IngestConfig(kafka, schemaRegistry, httpHost, port,
                eventLoops, adminToken, maxEventsPerRequest, maxBodyBytes, maxFuture, rateLimitEventsPerSecond,
                rateLimitBurst, maxInFlightEvents, deliveryTimeout, requestTimeout, maxBlock, lingerMs, compression,
                retryAfterSeconds, shutdownTimeout, topicPartitions, replicationFactor, usageEventsTopic, apiKeysTopic,
                orgsTopic, budgetsTopic, maxBudgetsPerOrg, processorUrl, processorTimeout, queryUrl, queryTimeout,
                modelPricesTopic, priceCatalogFile, internalToken, publicHttp, apiKeyUsageTopic, adminTokensFile,
                queryRateLimit, channels);
    }

    @Override
    public String toString() { // short, and secrets appear only as Secret's <redacted>
        return "IngestConfig[kafka=" + kafka + ", schemaRegistry=" + schemaRegistry
                + ", http=" + httpHost + ":" + httpPort + ", eventLoops=" + eventLoops
                + ", adminToken=" + (adminToken == null ? "unset" : "set")
                + ", adminTokensFile=" + (adminTokensFile == null ? "unset" : adminTokensFile)
                + ", maxEventsPerRequest=" + maxEventsPerRequest + ", maxBodyBytes=" + maxBodyBytes
                + ", maxFuture=" + maxFuture + ", rateLimit=" + rateLimitEventsPerSecond + "/s burst " + rateLimitBurst
                + ", maxInFlightEvents=" + maxInFlightEvents + ", deliveryTimeout=" + deliveryTimeout
                + ", topics=" + usageEventsTopic + "," + apiKeysTopic + "," + orgsTopic + "," + budgetsTopic + "," + modelPricesTopic
                + "," + apiKeyUsageTopic
                + ", priceCatalogFile=" + (priceCatalogFile == null ? "built-in" : priceCatalogFile)
                + ", maxBudgetsPerOrg=" + maxBudgetsPerOrg + ", processorUrl=" + processorUrl
                + ", processorTimeout=" + processorTimeout + ", queryUrl=" + queryUrl + ", queryTimeout=" + queryTimeout
                + ", internalToken=" + (internalToken == null ? "unset" : "set") + ", " + publicHttp
                + ", queryRateLimit=" + queryRateLimit + ", " + channels + "]";
    }

    /** Every key this service reads (for deployment checks and docs). */
    public static List<String> keys() {
        Settings probe = Settings.of(Map.of());
        from(probe);
        return probe.keysRead().stream().toList();
    }
}
