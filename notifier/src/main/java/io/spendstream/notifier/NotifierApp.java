package io.spendstream.notifier;

import io.micrometer.core.instrument.binder.jvm.JvmGcMetrics;
import io.micrometer.core.instrument.binder.jvm.JvmMemoryMetrics;
import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import io.spendstream.config.KafkaAccess;
import io.spendstream.config.Settings;
import io.spendstream.http.InternalAuth;
import io.spendstream.notifier.channel.ChannelTable;
import io.spendstream.notifier.delivery.AlertIntake;
import io.spendstream.notifier.delivery.DeliveryLog;
import io.spendstream.notifier.delivery.DeliveryScheduler;
import io.spendstream.notifier.delivery.DeliveryWriter;
import io.spendstream.notifier.delivery.HttpSender;
import io.spendstream.notifier.delivery.RetryPolicy;
import io.spendstream.notifier.delivery.TestDelivery;
import io.spendstream.notifier.payload.Payloads;
import io.spendstream.schema.AlertDelivery;
import io.spendstream.schema.BudgetAlert;
import io.spendstream.schema.Channel;
import io.spendstream.schemas.registry.SchemaRegistry;
import io.spendstream.schemas.registry.SchemaRegistryClient;
import io.spendstream.schemas.registry.SchemaRegistryConfig;
import io.spendstream.schemas.topics.TopicCatalog;
import io.spendstream.schemas.topics.TopicSpec;
import io.spendstream.schemas.topics.Topics;
import io.vertx.core.Vertx;
import io.vertx.core.http.HttpServer;
import io.vertx.ext.web.Router;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.Deque;
import java.util.List;
import java.util.Properties;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The notifier service, its composition root: creates its topics where missing, follows the channels and
 * the delivery log, consumes budget-alerts ({@link AlertIntake}), delivers ({@link DeliveryScheduler},
 * {@link HttpSender}), and serves its ops port: {@code /health/live}, {@code /health/ready} (channels and
 * delivery log loaded, partitions assigned), {@code /metrics}, and the internal channel routes ingest-api
 * forwards to. It is outside the stream processor's transaction: a slow receiver slows nothing upstream.
 */
public final class NotifierApp implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(NotifierApp.class);

    private final Deque<AutoCloseable> started = new ArrayDeque<>();
    private final NotifierConfig config;
    private PrometheusMeterRegistry meters;
    private ChannelTable channels;
    private DeliveryLog log;
    private AlertIntake intake;
    private Vertx vertx;
    private HttpServer server;

    private NotifierApp(NotifierConfig config) {
        this.config = config;
    }

    public static void main(String[] args) throws InterruptedException {
        NotifierConfig config = NotifierConfig.from(Settings.fromEnvironment());
        NotifierApp app = start(config);
        CountDownLatch stopped = new CountDownLatch(1);
        Runtime.getRuntime().addShutdownHook(new Thread(() -> {
            app.close();
            stopped.countDown();
        }, "notifier-shutdown"));
        stopped.await();
    }

    public static NotifierApp start(NotifierConfig config) {
        NotifierApp app = new NotifierApp(config);
        try {
            app.startAll();
            return app;
        } catch (RuntimeException e) {
            app.close();
            throw e;
        }
    }

    private void startAll() {
        LOG.info("starting the notifier: {}", config);
        ensureTopics();
        SchemaRegistry registry = new SchemaRegistryClient(config.schemaRegistry());
        TopicSpec<String, Channel> channelsTopic = Topics.CHANNELS.withName(config.channelsTopic());
        TopicSpec<String, AlertDelivery> deliveriesTopic = Topics.ALERT_DELIVERIES.withName(config.deliveriesTopic());
        TopicSpec<String, BudgetAlert> alertsTopic = Topics.BUDGET_ALERTS.withName(config.alertsTopic());

        meters = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
        new JvmMemoryMetrics().bindTo(meters);
        new JvmGcMetrics().bindTo(meters);
        NotifierMetrics metrics = new NotifierMetrics(meters);

        channels = push(new ChannelTable(config.kafka(), registry, channelsTopic));
        log = push(new DeliveryLog(config.kafka(), registry, deliveriesTopic));
        DeliveryWriter writer = push(new DeliveryWriter(config.kafka(), registry, deliveriesTopic, log));
        HttpSender sender = push(new HttpSender(config.urlPolicy(), config.connectTimeout(), config.requestTimeout(),
                config.maxInFlight()));
        RetryPolicy policy = new RetryPolicy(config.retryInitial(), config.retryMax(), config.retryHorizon());
        DeliveryScheduler scheduler = push(new DeliveryScheduler(channels, sender, writer, policy, metrics,
                config.maxInFlight(), config.maxInFlightPerChannel(), writer.partitions()));
        Payloads payloads = new Payloads(config.publicUrl());
        intake = push(new AlertIntake(config.kafka(), config.groupId(), registry, alertsTopic,
                deliveriesTopic.name(), channels, log, writer, scheduler, payloads, policy, metrics));
        metrics.gauge("spendstream.notifier.channels", "Channels in the channel table", channels::size);
        metrics.gauge("spendstream.notifier.ready", "1 when ready", () -> ready() ? 1 : 0);
        channels.start();
        log.start();
        intake.start();
        startOps(new InternalRoutes(channels, log, new TestDelivery(scheduler, writer, payloads)));
        LOG.info("notifier started; ops port {}", opsPort());
    }

    /**
     * Creates alert-deliveries and channels where missing, and refuses to run when alert-deliveries and
     * budget-alerts have different partition counts: an org's deliveries must be in the partition number
     * of its alerts, which is what decides which instance owns them.
     */
    private void ensureTopics() {
        Properties p = config.kafka().clientProperties();
        p.put(AdminClientConfig.CLIENT_ID_CONFIG, "notifier-admin");
        try (Admin admin = Admin.create(p)) {
            KafkaAccess.verify(admin, config.kafka(), KafkaAccess.TIMEOUT);
            TopicCatalog.ensureTopics(admin, List.of(Topics.BUDGET_ALERTS.withName(config.alertsTopic()),
                            Topics.CHANNELS.withName(config.channelsTopic()),
                            Topics.ALERT_DELIVERIES.withName(config.deliveriesTopic())),
                    config.topicPartitions(), config.replicationFactor(), Duration.ofSeconds(60));
            var descriptions = admin.describeTopics(List.of(config.alertsTopic(), config.deliveriesTopic()))
                    .allTopicNames().get(30, TimeUnit.SECONDS);
            int alerts = descriptions.get(config.alertsTopic()).partitions().size();
            int deliveries = descriptions.get(config.deliveriesTopic()).partitions().size();
            if (alerts != deliveries) {
                throw new IllegalStateException(config.deliveriesTopic() + " has " + deliveries + " partitions and "
                        + config.alertsTopic() + " " + alerts + "; they must be equal (recreate " + config.deliveriesTopic()
                        + " with " + alerts + ")");
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted while checking the topics", e);
        } catch (java.util.concurrent.ExecutionException | java.util.concurrent.TimeoutException e) {
            throw new IllegalStateException("cannot describe the notifier's topics: " + e.getMessage(), e);
        }
    }

    private void startOps(InternalRoutes internal) {
        vertx = Vertx.vertx();
        started.push(() -> vertx.close().toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS));
        Router router = Router.router(vertx);
        router.get("/health/live").handler(ctx -> ctx.response().putHeader("Content-Type", "application/json")
                .end("{\"status\":\"UP\"}"));
        router.get("/health/ready").handler(ctx -> {
            boolean ok = ready();
            ctx.response().setStatusCode(ok ? 200 : 503).putHeader("Content-Type", "application/json")
                    .end("{\"status\":\"" + (ok ? "UP" : "DOWN") + "\",\"checks\":{\"channel_table\":"
                            + channels.loaded() + ",\"delivery_log\":" + log.loaded() + ",\"alerts_assigned\":"
                            + intake.assigned() + "}}");
        });
        router.get("/metrics").handler(ctx -> ctx.response()
                .putHeader("Content-Type", "text/plain; version=0.0.4; charset=utf-8").end(meters.scrape()));
        InternalAuth.guard(router, config.internal());
        internal.mount(router);
        try {
            server = vertx.createHttpServer().requestHandler(router).listen(config.httpPort(), config.httpHost())
                    .toCompletionStage().toCompletableFuture().get(30, TimeUnit.SECONDS);
        } catch (Exception e) {
            throw new IllegalStateException("cannot listen on " + config.httpHost() + ":" + config.httpPort() + ": "
                    + e.getMessage(), e);
        }
    }

    /** Ready: the channel table and the delivery log are loaded and the group assigned this instance its partitions. */
    public boolean ready() {
        return channels != null && channels.loaded() && log.loaded() && intake.assigned();
    }

    public int opsPort() {
        return server.actualPort();
    }

    public NotifierConfig config() {
        return config;
    }

    public PrometheusMeterRegistry meters() {
        return meters;
    }

    private <T extends AutoCloseable> T push(T component) {
        started.push(component);
        return component;
    }

    /** Stops consuming first, then the scheduler, the sender, the writer and the followers (reverse order). */
    @Override
    public synchronized void close() {
        while (!started.isEmpty()) {
            AutoCloseable c = started.pop();
            try {
                c.close();
            } catch (Exception e) {
                LOG.warn("error while stopping {}", c.getClass().getSimpleName(), e);
            }
        }
        if (meters != null) {
            meters.close();
        }
    }
}
