package io.spendstream.sink;

import io.micrometer.core.instrument.binder.jvm.JvmGcMetrics;
import io.micrometer.core.instrument.binder.jvm.JvmMemoryMetrics;
import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import io.spendstream.config.KafkaAccess;
import io.spendstream.config.Settings;
import io.spendstream.http.InternalAuth;
import io.spendstream.schemas.registry.SchemaRegistry;
import io.spendstream.schemas.registry.SchemaRegistryClient;
import io.spendstream.sink.query.QueryRoutes;
import io.spendstream.sink.query.SpendQueries;
import io.spendstream.sink.schema.Migrations;
import io.spendstream.sink.transport.ChdbTransport;
import io.spendstream.sink.transport.ClickHouseTransport;
import io.spendstream.sink.transport.HttpTransport;
import io.vertx.core.Vertx;
import io.vertx.core.http.HttpServer;
import io.vertx.ext.web.Router;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;
import org.apache.kafka.clients.admin.Admin;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The sink service: opens the transport (embedded chDB by default, or a ClickHouse server over
 * HTTP), applies the migrations and the events TTL, starts the Kafka-to-ClickHouse loop and a small
 * ops port (GET /health/live, /health/ready, /metrics, and the spend query API for ingest-api under
 * /internal/query/{org_id}/v1/..., guarded by the service token, see InternalAuth).
 */
public final class SinkApp implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(SinkApp.class);

    private final SinkConfig config;
    private final ClickHouseTransport transport;
    private final boolean ownsTransport;
    private final ClickHouseSink sink;
    private final PrometheusMeterRegistry meters;
    private final Vertx vertx;
    private final HttpServer server;
    private final SpendQueries queries;

    private SinkApp(SinkConfig config, ClickHouseTransport transport, boolean ownsTransport, ClickHouseSink sink,
                    PrometheusMeterRegistry meters, Vertx vertx, HttpServer server) {
        this.config = config;
        this.transport = transport;
        this.ownsTransport = ownsTransport;
        this.sink = sink;
        this.meters = meters;
        this.vertx = vertx;
        this.server = server;
        this.queries = new SpendQueries(transport, config.database());
    }

    public static void main(String[] args) throws InterruptedException {
        SinkConfig config = SinkConfig.from(Settings.fromEnvironment());
        SinkApp app = start(config);
        Runtime.getRuntime().addShutdownHook(new Thread(app::close, "sink-clickhouse-shutdown"));
        app.sink.awaitTermination(Duration.ofDays(36_500));
        System.exit(app.sink.state() == ClickHouseSink.State.FAILED ? 1 : 0);
    }

    /** The transport the configuration names (chDB opens its data path: one per process). */
    public static ClickHouseTransport openTransport(SinkConfig config) {
        return switch (config.transport()) {
            case CHDB -> ChdbTransport.open(config.chdbPath());
            case HTTP -> new HttpTransport(config.clickhouseUrl(), config.clickhouseUser(),
                    config.clickhousePassword().reveal(), config.database());
        };
    }

    public static SinkApp start(SinkConfig config) {
        ClickHouseTransport transport = openTransport(config);
        try {
            return start(config, transport, true, registry(config), ClickHouseSink.Hooks.NONE, router -> { });
        } catch (RuntimeException e) {
            transport.close();
            throw e;
        }
    }

    public static SchemaRegistry registry(SinkConfig config) {
        return new SchemaRegistryClient(config.schemaRegistry());
    }

    /**
     * Starts the sink on a given transport (tests pass a shared or failing one). Migrations and the
     * events TTL are applied before anything is consumed; {@code extraRoutes} may add routes to the
     * ops port.
     */
    public static SinkApp start(SinkConfig config, ClickHouseTransport transport, boolean ownsTransport,
                                SchemaRegistry registry, ClickHouseSink.Hooks hooks, Consumer<Router> extraRoutes) {
        try (Admin admin = Admin.create(config.kafka().clientProperties())) {
            KafkaAccess.verify(admin, config.kafka(), KafkaAccess.TIMEOUT);
        }
        Migrations migrations = Migrations.fromClasspath(transport, config.database(), config.clickhouseCluster());
        List<Integer> applied = migrations.migrate();
        migrations.applyEventsTtl(config.eventsTtl());
        LOG.info("database {} on {}: migrations applied now {}, events TTL {}", config.database(), transport.kind(),
                applied, config.eventsTtl() == null ? "off" : config.eventsTtl());

        PrometheusMeterRegistry meters = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
        new JvmMemoryMetrics().bindTo(meters);
        new JvmGcMetrics().bindTo(meters);
        SinkMetrics metrics = new SinkMetrics(meters);
        ClickHouseSink sink = new ClickHouseSink(config, transport, registry, metrics, hooks);

        Vertx vertx = Vertx.vertx();
        Router router = Router.router(vertx);
        router.get("/health/live").handler(ctx -> ctx.response().putHeader("Content-Type", "application/json")
                .end("{\"status\":\"UP\"}"));
        router.get("/health/ready").handler(ctx -> {
            boolean ok = sink.ready();
            ctx.response().setStatusCode(ok ? 200 : 503).putHeader("Content-Type", "application/json")
                    .end("{\"status\":\"" + (ok ? "UP" : "DOWN") + "\",\"state\":\"" + sink.state() + "\"}");
        });
        router.get("/metrics").handler(ctx -> ctx.response()
                .putHeader("Content-Type", "text/plain; version=0.0.4; charset=utf-8").end(meters.scrape()));
        // The spend query API for ingest-api, which authenticates callers on the public port and sends the
        // service token.
        InternalAuth.guard(router, config.internal());
        new QueryRoutes(new SpendQueries(transport, config.database())).mountInternal(router);
        extraRoutes.accept(router);
        HttpServer server;
        try {
            server = vertx.createHttpServer().requestHandler(router).listen(config.httpPort(), config.httpHost())
                    .toCompletionStage().toCompletableFuture().get(30, TimeUnit.SECONDS);
        } catch (Exception e) {
            vertx.close();
            throw new IllegalStateException("cannot listen on " + config.httpHost() + ":" + config.httpPort() + ": "
                    + e.getMessage(), e);
        }
        sink.start();
        LOG.info("sink-clickhouse started; ops port {}", server.actualPort());
        return new SinkApp(config, transport, ownsTransport, sink, meters, vertx, server);
    }

    public ClickHouseSink sink() {
        return sink;
    }

    public ClickHouseTransport transport() {
        return transport;
    }

    /** The query service on this sink's tables (for the public API's routes, see QueryRoutes). */
    public SpendQueries queries() {
        return queries;
    }

    public SinkConfig config() {
        return config;
    }

    public int opsPort() {
        return server.actualPort();
    }

    public PrometheusMeterRegistry meters() {
        return meters;
    }

    /** Graceful stop: flushes and commits the current batch, then closes the ops port and the transport (if owned). */
    @Override
    public void close() {
        sink.stop(Duration.ofSeconds(30));
        try {
            server.close().toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS);
            vertx.close().toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS);
        } catch (Exception ignored) {
            // best effort
        }
        meters.close();
        if (ownsTransport) {
            transport.close();
        }
    }
}
