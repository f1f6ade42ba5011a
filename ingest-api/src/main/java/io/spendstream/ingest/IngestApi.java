package io.spendstream.ingest;

import com.fasterxml.jackson.core.JsonGenerator;
import io.spendstream.config.KafkaAccess;
import io.spendstream.pricing.CatalogFile;
import io.spendstream.schema.ApiKey;
import io.spendstream.notifier.channel.ChannelTable;
import io.spendstream.schema.ApiKeyUsage;
import io.spendstream.schema.Budget;
import io.spendstream.schema.Channel;
import io.spendstream.schema.Org;
import io.spendstream.schema.UsageEvent;
import io.spendstream.schemas.registry.SchemaRegistryClient;
import io.spendstream.schemas.serde.AvroSerde;
import io.spendstream.schemas.topics.TopicCatalog;
import io.spendstream.schemas.topics.TopicSpec;
import io.spendstream.schemas.topics.Topics;
import io.vertx.core.Context;
import io.vertx.core.DeploymentOptions;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.VertxOptions;
import io.vertx.core.VerticleBase;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpServer;
import io.vertx.core.http.HttpServerOptions;
import io.vertx.core.http.HttpServerRequest;
import io.vertx.core.http.HttpVersion;
import io.vertx.core.net.PemKeyCertOptions;
import io.vertx.ext.web.Router;
import io.vertx.ext.web.RoutingContext;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.time.Duration;
import java.time.Instant;
import java.time.InstantSource;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Properties;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Consumer;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.DescribeClusterOptions;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The ingest-api service: one public HTTP port (Vert.x) carrying {@code POST /v1/events}, the admin
 * API for orgs and keys, the budget API of the orgs ({@link BudgetRoutes}), and the ops routes ({@code /health/live}, {@code /health/ready},
 * {@code /metrics}, {@code /openapi.yaml}). Other modules mount their routes on the same port through
 * {@code extraRoutes} and authenticate callers with {@link #authenticator()}.
 *
 * <pre>{@code
 * try (IngestApi api = IngestApi.start(config, (router, self) ->
 *         router.get("/v1/spend").handler(self.authenticator().handler()).handler(ctx -> ...))) {
 *     ... api.port() ...
 * }
 * }</pre>
 *
 * <p>{@link #close()} shuts down gracefully: readiness goes down and new requests get 503, the
 * listening sockets close, in-flight requests finish (bounded by the shutdown timeout), the producer
 * flushes and closes, the key and budget table consumers stop.
 */
public final class IngestApi implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(IngestApi.class);
    static final String JSON_TYPE = "application/json";
    static final String NDJSON_TYPE = "application/x-ndjson";
    /** An over-limit body is read and discarded up to this many bytes so that the client sees the 413; beyond: close. */
    private static final long DRAIN_LIMIT = 32L * 1024 * 1024;

    private final IngestConfig config;
    private final Vertx vertx;
    private final SchemaRegistryClient registry;
    private final KeyTable keyTable;
    private final KeyUsageTable keyUsage;
    private final KeyUsageRecorder keyUsageRecorder;
    private final AdminTokens adminTokens;
    private final EventPublisher publisher;
    private final Authenticator authenticator;
    private final RateLimiter rateLimiter;
    private final IngestMetrics metrics;
    private final EventParser parser;
    private final AdminRoutes admin;
    private final BudgetTable budgetTable;
    private final PriceTable priceTable;
    private final BudgetRoutes budgets;
    private final ChannelTable channelTable;
    private final ChannelRoutes channels;
    private final SpendQueryRoutes queries;
    private final Admin kafkaAdmin;
    private final ScheduledExecutorService checks;
    private final List<HttpServer> servers = new CopyOnWriteArrayList<>();
    private final AtomicInteger requestsInFlight = new AtomicInteger();
    private final byte[] openApi;
    private volatile boolean kafkaReachable;
    private volatile boolean registryReachable;
    private volatile boolean shuttingDown;
    private final java.util.concurrent.atomic.AtomicBoolean closed = new java.util.concurrent.atomic.AtomicBoolean();
    private volatile int port;

    private IngestApi(IngestConfig config) {
        this.config = config;
        this.metrics = IngestMetrics.create();
        this.registry = new SchemaRegistryClient(config.schemaRegistry().withRetries(1, Duration.ofMillis(100))
                .withTimeout(Duration.ofSeconds(5)));
        TopicSpec<String, UsageEvent> events = Topics.USAGE_EVENTS.withName(config.usageEventsTopic());
        TopicSpec<String, ApiKey> keys = Topics.API_KEYS.withName(config.apiKeysTopic());
        TopicSpec<String, Org> orgs = Topics.ORGS.withName(config.orgsTopic());
        TopicSpec<String, Budget> budgetsTopic = Topics.BUDGETS.withName(config.budgetsTopic());
        TopicSpec<String, ApiKeyUsage> keyUsageTopic = Topics.API_KEY_USAGE.withName(config.apiKeyUsageTopic());
        this.adminTokens = new AdminTokens(config.adminToken() == null ? null : config.adminToken().reveal(), config.adminTokensFile());
        this.keyTable = new KeyTable(config.kafka(), registry, keys, orgs);
        this.keyUsage = new KeyUsageTable(config.kafka(), registry, keyUsageTopic);
        this.publisher = new EventPublisher(config, registry, events, keys, orgs, budgetsTopic, metrics);
        this.keyUsageRecorder = new KeyUsageRecorder(keyUsage, publisher, registry, keyUsageTopic);
        this.authenticator = new Authenticator(keyTable, InstantSource.system(), keyUsageRecorder::used);
        this.rateLimiter = new RateLimiter(config.rateLimitEventsPerSecond(), config.rateLimitBurst());
        keyTable.onRevocation(k -> rateLimiter.forget(k.getKeyId()));
        this.parser = new EventParser(config.maxEventsPerRequest(), config.maxFuture(), config.maxBodyBytes());
        this.admin = new AdminRoutes(config, adminTokens, keyTable, keyUsage, publisher, InstantSource.system());
        this.budgetTable = new BudgetTable(config.kafka(), registry, budgetsTopic);
        this.priceTable = new PriceTable(config.kafka(), registry,
                Topics.MODEL_PRICES.withName(config.modelPricesTopic()),
                CatalogFile.load(config.priceCatalogFile()).providers());
        this.kafkaAdmin = Admin.create(adminProperties(config));
        this.checks = Executors.newSingleThreadScheduledExecutor(r -> Thread.ofPlatform().name("ingest-health")
                .daemon(true).unstarted(r));
        this.openApi = loadOpenApi();
        int loops = Math.max(2, config.eventLoops());
        this.vertx = Vertx.vertx(new VertxOptions().setEventLoopPoolSize(loops).setWorkerPoolSize(4));
        this.budgets = new BudgetRoutes(config, authenticator, budgetTable, publisher,
                new BudgetStatusProxy(vertx, config.processorBaseUrl(), config.processorTimeout(),
                        config.retryAfterSeconds(), config.internalToken()));
        TopicSpec<String, Channel> channelsTopic = Topics.CHANNELS.withName(config.channels().channelsTopic());
        this.channelTable = new ChannelTable(config.kafka(), registry, channelsTopic);
        this.channels = new ChannelRoutes(config.channels(), config.retryAfterSeconds(), authenticator, channelTable,
                publisher, channelsTopic.valueSerde(registry).serializer(), new UpstreamProxy(vertx, "notifier",
                "the notifier", config.channels().notifierBaseUrl(), config.channels().notifierTimeout(),
                config.retryAfterSeconds(), config.internalToken()));
        this.queries = new SpendQueryRoutes(authenticator.handler(), new UpstreamProxy(vertx, "spend-queries",
                "sink-clickhouse (spend queries)", config.queryBaseUrl(), config.queryTimeout(),
                config.retryAfterSeconds(), config.internalToken()), config.queryRateLimit());
        metrics.gauge("spendstream.ingest.events.in.flight", "Events handed to Kafka and not yet acknowledged",
                publisher::inFlight);
        metrics.gauge("spendstream.ingest.requests.in.flight", "HTTP requests being handled", requestsInFlight::get);
        metrics.gauge("spendstream.ingest.api.keys", "API keys in the key table", keyTable::keyCount);
        metrics.gauge("spendstream.ingest.budgets", "Budgets in the budget table", budgetTable::size);
        metrics.gauge("spendstream.ingest.ready", "1 when ready", () -> ready() ? 1 : 0);
    }

    /** Adds routes to the public port; gets the service for its {@link #authenticator()}, metrics and Vert.x. */
    @FunctionalInterface
    public interface RouteMounter {
        void mount(Router router, IngestApi api);
    }

    /** Starts the service with only its own routes. */
    public static IngestApi start(IngestConfig config) {
        return start(config, (RouteMounter) (router, api) -> { });
    }

    /**
     * Starts the service: key table consumer, producer, health checks, and the HTTP port with the ingest,
     * admin and ops routes plus whatever {@code extraRoutes} adds (called once, before listening; the
     * router is shared by all event loops). Returns once the port listens; readiness follows when Kafka and
     * the registry answered and the key table is loaded. The topics must exist ({@link #ensureTopics}).
     */
    public static IngestApi start(IngestConfig config, Consumer<Router> extraRoutes) {
        return start(config, (RouteMounter) (router, api) -> extraRoutes.accept(router));
    }

    /**
     * As {@link #start(IngestConfig, Consumer)}, for routes that need the service itself, e.g. to authenticate:
     * <pre>{@code
     * IngestApi.start(config, (router, api) -> router.get("/v1/spend")
     *         .handler(api.authenticator().handler())
     *         .handler(ctx -> { String org = Authenticator.principal(ctx).orgId(); ... }));
     * }</pre>
     */
    public static IngestApi start(IngestConfig config, RouteMounter extraRoutes) {
        IngestApi api = new IngestApi(config);
        try {
            api.startInternal(extraRoutes);
            return api;
        } catch (RuntimeException e) {
            api.close();
            throw e;
        }
    }

    /**
     * Creates the service's topics where missing (usage events, API keys, their use, orgs, budgets). The budgets topic
     * gets as many partitions as usage-events: the stream processor reads an org's budgets in the task of
     * its events.
     */
    public static void ensureTopics(IngestConfig config, Duration timeout) {
        try (Admin admin = Admin.create(adminProperties(config))) {
            KafkaAccess.verify(admin, config.kafka(), KafkaAccess.TIMEOUT);
            for (int attempt = 1; ; attempt++) {
                try {
                    TopicCatalog.ensureTopics(admin, List.of(
                            Topics.USAGE_EVENTS.withName(config.usageEventsTopic()),
                            Topics.API_KEYS.withName(config.apiKeysTopic()),
                            Topics.ORGS.withName(config.orgsTopic()),
                            Topics.API_KEY_USAGE.withName(config.apiKeyUsageTopic()),
                            Topics.BUDGETS.withName(config.budgetsTopic()),
                            Topics.CHANNELS.withName(config.channels().channelsTopic())), config.topicPartitions(),
                            config.replicationFactor(), timeout);
                    return;
                } catch (IllegalStateException e) {
                    // Right after creation the broker may not know a topic yet when its config is checked.
                    boolean unknownYet = e.getCause() != null && e.getCause().getCause()
                            instanceof org.apache.kafka.common.errors.UnknownTopicOrPartitionException;
                    if (!unknownYet || attempt >= 10) {
                        throw e;
                    }
                    try {
                        Thread.sleep(200L * attempt);
                    } catch (InterruptedException ie) {
                        Thread.currentThread().interrupt();
                        throw e;
                    }
                }
            }
        }
    }

    private static Properties adminProperties(IngestConfig config) {
        Properties p = config.kafka().clientProperties();
        p.put(AdminClientConfig.CLIENT_ID_CONFIG, "ingest-api-admin");
        p.put(AdminClientConfig.REQUEST_TIMEOUT_MS_CONFIG, "5000");
        p.put(AdminClientConfig.DEFAULT_API_TIMEOUT_MS_CONFIG, "10000");
        p.put(AdminClientConfig.RECONNECT_BACKOFF_MAX_MS_CONFIG, "1000");
        return p;
    }

    private void startInternal(RouteMounter extraRoutes) {
        KafkaAccess.verify(kafkaAdmin, config.kafka(), KafkaAccess.TIMEOUT);
        keyTable.start();
        keyUsage.start();
        keyUsageRecorder.start();
        budgetTable.start();
        channelTable.start();
        priceTable.start();
        checks.scheduleWithFixedDelay(this::checkKafka, 0, 2, TimeUnit.SECONDS);
        checks.scheduleWithFixedDelay(this::checkRegistry, 0, 2, TimeUnit.SECONDS);
        checks.scheduleWithFixedDelay(adminTokens::reload, AdminTokens.RELOAD_INTERVAL_SECONDS,
                AdminTokens.RELOAD_INTERVAL_SECONDS, TimeUnit.SECONDS);
        Router router = router(extraRoutes);
        int instances = config.eventLoops();
        // Port 0 with several servers: a negative port makes Vert.x share one random port among them.
        int listenPort = config.httpPort() == 0 && instances > 1 ? -1 : config.httpPort();
        HttpServerOptions options = new HttpServerOptions()
                .setHost(config.httpHost())
                .setPort(listenPort)
                .setCompressionSupported(false)
                .setIdleTimeout(120)
                .setIdleTimeoutUnit(TimeUnit.SECONDS)
                .setMaxInitialLineLength(8192)
                .setMaxHeaderSize(16384)
                .setTcpNoDelay(true);
        PublicTls tls = config.publicHttp().tls();
        if (tls != null) {
            // HTTP/2 for clients that offer it in the handshake (ALPN), HTTP/1.1 for the others.
            options.setSsl(true).setUseAlpn(true).setAlpnVersions(List.of(HttpVersion.HTTP_2, HttpVersion.HTTP_1_1))
                    .setKeyCertOptions(new PemKeyCertOptions().setCertValue(Buffer.buffer(tls.certChainPem()))
                            .setKeyValue(Buffer.buffer(tls.keyPem())));
        }
        try {
            vertx.deployVerticle(() -> new VerticleBase() {
                @Override
                public Future<?> start() {
                    return vertx.createHttpServer(options).requestHandler(router).listen().onSuccess(s -> {
                        servers.add(s);
                        port = s.actualPort();
                    });
                }
            }, new DeploymentOptions().setInstances(instances)).toCompletionStage().toCompletableFuture()
                    .get(30, TimeUnit.SECONDS);
        } catch (Exception e) {
            throw new IllegalStateException("cannot listen on " + config.httpHost() + ":" + config.httpPort()
                    + (tls == null ? "" : " with TLS (" + PublicTls.CERT + ", " + PublicTls.KEY + ": " + tls + ")")
                    + ": " + e.getMessage(), e);
        }
        LOG.info("ingest-api listening on {}:{} ({} event loops, {})", config.httpHost(), port, instances,
                tls == null ? "plain HTTP" : "TLS, HTTP/2 and HTTP/1.1");
    }

    private Router router(RouteMounter extraRoutes) {
        Router router = Router.router(vertx);
        router.route().handler(new SecurityHeaders(config.publicHttp().tlsEnabled()));
        router.route().handler(this::observe);
        if (!config.publicHttp().corsOrigins().isEmpty()) {
            router.route().handler(new Cors(config.publicHttp().corsOrigins()));
        }
        router.get("/health/live").handler(ctx -> ctx.response().putHeader("Content-Type", JSON_TYPE)
                .end("{\"status\":\"UP\"}"));
        router.get("/health/ready").handler(this::readiness);
        router.get("/metrics").handler(ctx -> ctx.response()
                .putHeader("Content-Type", "text/plain; version=0.0.4; charset=utf-8").end(metrics.scrape()));
        router.get("/openapi.yaml").handler(ctx -> ctx.response()
                .putHeader("Content-Type", "application/yaml; charset=utf-8").end(Buffer.buffer(openApi)));
        router.post("/v1/events").handler(this::ingest);
        admin.mount(router);
        queries.mount(router);
        budgets.mount(router);
        channels.mount(router);
        extraRoutes.mount(router, this);
        router.errorHandler(404, ctx -> Problem.of(ProblemType.NOT_FOUND,
                "no route " + ctx.request().method() + " " + clip(ctx.request().path())).send(ctx));
        router.errorHandler(405, ctx -> Problem.of(ProblemType.METHOD_NOT_ALLOWED,
                ctx.request().method() + " is not allowed on " + clip(ctx.request().path())).send(ctx));
        router.errorHandler(413, ctx -> Problem.of(ProblemType.PAYLOAD_TOO_LARGE,
                "the body is larger than allowed").send(ctx));
        router.errorHandler(400, ctx -> Problem.of(ProblemType.INVALID_REQUEST, "invalid request").send(ctx));
        router.errorHandler(500, ctx -> {
            LOG.error("unhandled error on {} {}", ctx.request().method(), ctx.request().path(), ctx.failure());
            Problem.of(ProblemType.INTERNAL, "unexpected error; it was logged").send(ctx);
        });
        return router;
    }

    /** First handler of every request: metrics, in-flight count, and 503 while shutting down. */
    private void observe(RoutingContext ctx) {
        long start = System.nanoTime();
        requestsInFlight.incrementAndGet();
        ctx.addEndHandler(ar -> {
            requestsInFlight.decrementAndGet();
            String route = ctx.currentRoute() == null || ctx.currentRoute().getPath() == null ? "unmatched"
                    : ctx.currentRoute().getPath();
            if (ctx.statusCode() == 404 && !route.startsWith("/")) {
                route = "unmatched";
            }
            metrics.request(route, IngestMetrics.methodLabel(ctx.request().method().name()), ctx.response().getStatusCode(),
                    System.nanoTime() - start);
        });
        if (shuttingDown && !ctx.request().path().startsWith("/health/")) {
            ctx.response().putHeader("Connection", "close");
            Problem.of(ProblemType.UNAVAILABLE, "ingest-api is shutting down; retry on another instance")
                    .retryAfter(config.retryAfterSeconds()).send(ctx);
            return;
        }
        ctx.next();
    }

    private void readiness(RoutingContext ctx) {
        boolean ok = ready();
        ctx.response().setStatusCode(ok ? 200 : 503).putHeader("Content-Type", JSON_TYPE)
                .end("{\"status\":\"" + (ok ? "UP" : "DOWN") + "\",\"checks\":{\"kafka\":" + kafkaReachable
                        + ",\"schema_registry\":" + registryReachable + ",\"key_table\":" + keyTable.loaded()
                        + ",\"budget_table\":" + budgetTable.loaded()
                        + ",\"channel_table\":" + channelTable.loaded()
                        + ",\"shutting_down\":" + shuttingDown + "}}");
    }

    /** Ready: Kafka answered, the registry answered, the key and budget tables are loaded, and no shutdown has begun. */
    public boolean ready() {
        return !shuttingDown && kafkaReachable && registryReachable && keyTable.loaded() && budgetTable.loaded()
                && channelTable.loaded();
    }

    private void checkKafka() {
        try {
            kafkaAdmin.describeCluster(new DescribeClusterOptions().timeoutMs(3000)).nodes().get(4, TimeUnit.SECONDS);
            kafkaReachable = true;
        } catch (Exception e) {
            if (kafkaReachable) {
                LOG.warn("Kafka is not reachable: {}", e.toString());
            }
            kafkaReachable = false;
        }
    }

    private void checkRegistry() {
        try {
            // Registers (once; cached afterwards) every schema this service writes, so that no request pays for it.
            registry.register(AvroSerde.subject(config.usageEventsTopic(), false), UsageEvent.getClassSchema());
            registry.register(AvroSerde.subject(config.apiKeysTopic(), false), ApiKey.getClassSchema());
            registry.register(AvroSerde.subject(config.orgsTopic(), false), Org.getClassSchema());
            registry.register(AvroSerde.subject(config.apiKeyUsageTopic(), false), ApiKeyUsage.getClassSchema());
            registry.register(AvroSerde.subject(config.budgetsTopic(), false), Budget.getClassSchema());
            registry.register(AvroSerde.subject(config.channels().channelsTopic(), false), Channel.getClassSchema());
            // The ids above are cached after the first success; this call really asks the registry each time.
            registry.isCompatible(AvroSerde.subject(config.usageEventsTopic(), false), UsageEvent.getClassSchema());
            registryReachable = true;
        } catch (RuntimeException e) {
            if (registryReachable) {
                LOG.warn("schema registry is not reachable: {}", e.toString());
            }
            registryReachable = false;
        }
    }

    // ---- POST /v1/events ---------------------------------------------------------------------------------

    private void ingest(RoutingContext ctx) {
        HttpServerRequest req = ctx.request();
        Authenticator.Principal principal;
        switch (authenticator.authenticate(req.getHeader("Authorization"), req.method(), ctx.normalizedPath())) {
            case Authenticator.Authenticated a -> principal = a.principal();
            case Authenticator.Unauthenticated u -> {
                drainThen(ctx, () -> u.problem().send(ctx));
                return;
            }
            case Authenticator.Forbidden f -> {
                drainThen(ctx, () -> f.problem().send(ctx));
                return;
            }
        }
        EventParser.Format format = format(req.getHeader("Content-Type"));
        if (format == null) {
            drainThen(ctx, () -> Problem.of(ProblemType.UNSUPPORTED_MEDIA_TYPE,
                    "Content-Type must be application/json (an event or an array of events) or application/x-ndjson"
                            + " (one event per line), UTF-8").send(ctx));
            return;
        }
        readBody(ctx, body -> handleEvents(ctx, principal, format, body));
    }

    /** The body format of a Content-Type, or null when unsupported. */
    static EventParser.Format format(String contentType) {
        if (contentType == null) {
            return null;
        }
        String[] parts = contentType.split(";");
        String mime = parts[0].strip().toLowerCase(Locale.ROOT);
        for (int i = 1; i < parts.length; i++) {
            String param = parts[i].strip().toLowerCase(Locale.ROOT);
            if (param.startsWith("charset=")) {
                String cs = param.substring(8).replace("\"", "");
                if (!cs.equals("utf-8") && !cs.equals("utf8")) {
                    return null;
                }
            }
        }
        return switch (mime) {
            case JSON_TYPE -> EventParser.Format.JSON;
            case NDJSON_TYPE, "application/jsonl", "application/jsonlines" -> EventParser.Format.NDJSON;
            default -> null;
        };
    }

    /**
     * Reads the request body up to the configured limit. A larger body is read and discarded (up to
     * {@link #DRAIN_LIMIT}) and answered 413, so that clients that send the whole body before reading the
     * answer see it; a declared length beyond the drain limit is answered at once and the connection closed.
     */
    private void readBody(RoutingContext ctx, Consumer<byte[]> then) {
        HttpServerRequest req = ctx.request();
        int max = config.maxBodyBytes();
        long declared = contentLength(req);
        Problem tooLarge = Problem.of(ProblemType.PAYLOAD_TOO_LARGE,
                "the body is larger than " + max + " bytes; split it into several requests (at most "
                        + config.maxEventsPerRequest() + " events and " + max + " bytes each)");
        if (declared > DRAIN_LIMIT) {
            ctx.response().putHeader("Connection", "close");
            tooLarge.send(ctx);
            metrics.rejected("too_large", 1);
            return;
        }
        Buffer buf = Buffer.buffer((int) Math.min(Math.max(declared, 1024), max));
        long[] received = {0};
        boolean[] over = {declared > max};
        req.handler(chunk -> {
            received[0] += chunk.length();
            if (over[0] || received[0] > max) {
                over[0] = true;
                if (received[0] > DRAIN_LIMIT && !ctx.response().ended()) {
                    ctx.response().putHeader("Connection", "close");
                    tooLarge.send(ctx);
                    req.connection().close();
                }
                return;
            }
            buf.appendBuffer(chunk);
        });
        req.exceptionHandler(e -> {
            if (!ctx.response().ended()) {
                LOG.debug("request body read failed: {}", e.toString());
                Problem.of(ProblemType.INVALID_BODY, "the body could not be read: " + e.getMessage()).send(ctx);
            }
        });
        req.endHandler(v -> {
            if (ctx.response().ended()) {
                return;
            }
            if (over[0]) {
                metrics.rejected("too_large", 1);
                tooLarge.send(ctx);
                return;
            }
            then.accept(buf.getBytes());
        });
        req.resume();
    }

    /** Discards a body we will not read, then runs {@code respond} (so keep-alive clients see the answer). */
    private void drainThen(RoutingContext ctx, Runnable respond) {
        HttpServerRequest req = ctx.request();
        if (req.isEnded()) {
            respond.run();
            return;
        }
        if (contentLength(req) > DRAIN_LIMIT) {
            ctx.response().putHeader("Connection", "close");
            respond.run();
            return;
        }
        long[] received = {0};
        req.handler(chunk -> {
            received[0] += chunk.length();
            if (received[0] > DRAIN_LIMIT && !ctx.response().ended()) {
                ctx.response().putHeader("Connection", "close");
                respond.run();
                req.connection().close();
            }
        });
        req.exceptionHandler(e -> { });
        req.endHandler(v -> {
            if (!ctx.response().ended()) {
                respond.run();
            }
        });
        req.resume();
    }

    private static long contentLength(HttpServerRequest req) {
        String cl = req.getHeader("Content-Length");
        if (cl == null) {
            return -1;
        }
        try {
            return Long.parseLong(cl.strip());
        } catch (NumberFormatException e) {
            return -1;
        }
    }

    private void handleEvents(RoutingContext ctx, Authenticator.Principal principal, EventParser.Format format,
                              byte[] body) {
        List<EventParser.Item> items;
        try {
            items = parser.parse(body, format, principal.orgId(), principal.keyId(), Instant.now());
        } catch (EventParser.BodyException e) {
            metrics.rejected(e.type() == ProblemType.PAYLOAD_TOO_LARGE ? "too_large" : "invalid_body", 1);
            Problem.of(e.type(), e.getMessage()).send(ctx);
            return;
        }
        List<UsageEvent> accepted = new ArrayList<>(items.size());
        List<EventParser.Rejected> rejected = new ArrayList<>();
        List<Warning> warnings = new ArrayList<>();
        for (EventParser.Item item : items) {
            switch (item) {
                case EventParser.Accepted a -> {
                    accepted.add(a.event());
                    UsageEvent e = a.event();
                    if (e.getClientCostUsdNanos() == null
                            && !priceTable.prices(e.getProvider(), e.getModel(), e.getTimestamp().toEpochMilli())) {
                        warnings.add(new Warning(a.index(), e.getProvider(), e.getModel()));
                    }
                }
                case EventParser.Rejected r -> rejected.add(r);
            }
        }
        metrics.rejected("validation", rejected.size());
        if (accepted.isEmpty()) {
            Problem.of(ProblemType.VALIDATION_FAILED, "none of the " + items.size()
                            + " events is valid; see rejected").with(batchBody(List.of(), rejected))
                    .send(ctx);
            return;
        }
        long wait = rateLimiter.tryAcquire(principal.keyId(), items.size());
        if (wait > 0) {
            metrics.rejected("rate_limited", accepted.size());
            Problem.of(ProblemType.RATE_LIMITED, "the API key's rate limit (" + config.rateLimitEventsPerSecond()
                            + " events/s, burst " + config.rateLimitBurst() + ") is exceeded; nothing was accepted")
                    .retryAfter(TokenBucket.retryAfterSeconds(wait)).send(ctx);
            return;
        }
        if (!publisher.tryReserve(accepted.size())) {
            metrics.rejected("overloaded", accepted.size());
            Problem.of(ProblemType.UNAVAILABLE, "too many events in flight (" + config.maxInFlightEvents()
                            + "); nothing was accepted, retry later").retryAfter(config.retryAfterSeconds()).send(ctx);
            return;
        }
        Context context = Vertx.currentContext();
        publisher.publish(accepted).whenComplete((ok, failure) -> context.runOnContext(v -> {
            if (failure != null) {
                metrics.rejected("unavailable", accepted.size());
                Problem.of(ProblemType.UNAVAILABLE, failure.getMessage() + "; retry the request with the same"
                                + " event_ids (events that did reach Kafka are deduplicated by event_id)")
                        .retryAfter(config.retryAfterSeconds()).send(ctx);
                return;
            }
            metrics.accepted(accepted.size());
            if (!ctx.response().ended() && !ctx.response().closed()) {
                ctx.response().setStatusCode(202).putHeader("Content-Type", JSON_TYPE)
                        .end(batchJson(accepted, rejected, warnings));
            }
        }));
    }

    private static com.fasterxml.jackson.databind.node.ObjectNode batchBody(List<UsageEvent> accepted,
                                                                           List<EventParser.Rejected> rejected) {
        var n = Problem.JSON.createObjectNode();
        n.put("accepted", accepted.size());
        var ids = n.putArray("event_ids");
        accepted.forEach(e -> ids.add(e.getEventId()));
        var rej = n.putArray("rejected");
        for (EventParser.Rejected r : rejected) {
            rej.addObject().put("index", r.index()).put("field", r.field()).put("error", r.error());
        }
        return n;
    }

    /** An accepted event whose model the price catalog does not price at the event's time. */
    record Warning(int index, String provider, String model) {}

    /** The 202 body, written with a streaming generator (the hot path). */
    static Buffer batchJson(List<UsageEvent> accepted, List<EventParser.Rejected> rejected, List<Warning> warnings) {
        ByteArrayOutputStream out = new ByteArrayOutputStream(64 + accepted.size() * 48);
        try (JsonGenerator g = Problem.JSON.getFactory().createGenerator(out)) {
            g.writeStartObject();
            g.writeNumberField("accepted", accepted.size());
            g.writeArrayFieldStart("event_ids");
            for (UsageEvent e : accepted) {
                g.writeString(e.getEventId());
            }
            g.writeEndArray();
            g.writeArrayFieldStart("rejected");
            for (EventParser.Rejected r : rejected) {
                g.writeStartObject();
                g.writeNumberField("index", r.index());
                g.writeStringField("field", r.field());
                g.writeStringField("error", r.error());
                g.writeEndObject();
            }
            g.writeEndArray();
            g.writeArrayFieldStart("warnings");
            for (Warning w : warnings) {
                g.writeStartObject();
                g.writeNumberField("index", w.index());
                g.writeStringField("code", "unpriced_model");
                g.writeStringField("provider", w.provider());
                g.writeStringField("model", w.model());
                g.writeStringField("message", "the price catalog has no price for this provider and model at the"
                        + " event's time: the event is accepted and counted with cost 0 (see GET /v1/unpriced)");
                g.writeEndObject();
            }
            g.writeEndArray();
            g.writeEndObject();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return Buffer.buffer(out.toByteArray());
    }

    private static String clip(String s) {
        return s.length() <= 200 ? s : s.substring(0, 200) + "...";
    }

    private static byte[] loadOpenApi() {
        try (InputStream in = IngestApi.class.getResourceAsStream("/openapi.yaml")) {
            if (in == null) {
                throw new IllegalStateException("openapi.yaml missing from the classpath");
            }
            return in.readAllBytes();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    // ---- accessors for other modules ---------------------------------------------------------------------

    /** The port the server listens on (the actual one when configured with 0). */
    public int port() {
        return port;
    }

    /** Resolves {@code Authorization: Bearer <api key>} to an org for any route on this port. */
    public Authenticator authenticator() {
        return authenticator;
    }

    /** The Prometheus registry of this service; other routes may register their meters here. */
    public IngestMetrics metrics() {
        return metrics;
    }

    public Vertx vertx() {
        return vertx;
    }

    public SchemaRegistryClient schemaRegistry() {
        return registry;
    }

    public IngestConfig config() {
        return config;
    }

    /** Events handed to Kafka and not yet acknowledged. */
    public long eventsInFlight() {
        return publisher.inFlight();
    }

    @Override
    public void close() {
        if (!closed.compareAndSet(false, true)) {
            return;
        }
        shuttingDown = true;
        long deadline = System.nanoTime() + config.shutdownTimeout().toNanos();
        // Stop accepting connections; requests in progress finish (new ones on open connections get 503).
        List<java.util.concurrent.CompletableFuture<Void>> stops = new ArrayList<>();
        for (HttpServer s : servers) {
            stops.add(s.shutdown(config.shutdownTimeout().toMillis(), TimeUnit.MILLISECONDS).toCompletionStage()
                    .toCompletableFuture());
        }
        while ((requestsInFlight.get() > 0 || publisher.inFlight() > 0) && System.nanoTime() < deadline) {
            try {
                Thread.sleep(20);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                break;
            }
        }
        if (requestsInFlight.get() > 0) {
            LOG.warn("{} requests still in flight at the end of the shutdown timeout", requestsInFlight.get());
        }
        for (var stop : stops) {
            try {
                stop.get(Math.max(1, deadline - System.nanoTime()), TimeUnit.NANOSECONDS);
            } catch (Exception e) {
                LOG.debug("server shutdown: {}", e.toString());
            }
        }
        servers.clear();
        keyUsageRecorder.close(); // before the producer, which then flushes the last uses
        publisher.close(Duration.ofNanos(Math.max(1_000_000_000L, deadline - System.nanoTime())));
        keyTable.close();
        keyUsage.close();
        budgetTable.close();
        channelTable.close();
        priceTable.close();
        checks.shutdownNow();
        kafkaAdmin.close(Duration.ofSeconds(2));
        try {
            vertx.close().toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS);
        } catch (Exception e) {
            LOG.debug("closing Vert.x: {}", e.toString());
        }
        LOG.info("ingest-api stopped");
    }
}
