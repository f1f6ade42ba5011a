package io.spendstream.processor;

import io.micrometer.core.instrument.binder.jvm.JvmGcMetrics;
import io.micrometer.core.instrument.binder.jvm.JvmMemoryMetrics;
import io.micrometer.core.instrument.binder.kafka.KafkaStreamsMetrics;
import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import io.spendstream.config.KafkaAccess;
import io.spendstream.config.KafkaClientSettings;
import io.spendstream.config.Settings;
import io.spendstream.processor.budget.BudgetSettings;
import io.spendstream.http.InternalAuth;
import io.spendstream.processor.budget.BudgetStatusRoutes;
import io.spendstream.processor.ops.OpsServer;
import io.spendstream.config.ConfigException;
import io.spendstream.processor.pricing.PriceCatalogSeeder;
import io.spendstream.pricing.CatalogFile;
import io.spendstream.schemas.registry.SchemaRegistryClient;
import io.spendstream.schemas.registry.SchemaRegistryConfig;
import io.spendstream.schemas.topics.TopicCatalog;
import io.spendstream.schemas.topics.TopicSpec;
import io.spendstream.schemas.topics.Topics;
import java.time.Duration;
import java.util.List;
import java.util.Properties;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicReference;
import java.time.Clock;
import java.util.Set;
import java.util.function.Consumer;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.streams.KafkaStreams;
import org.apache.kafka.streams.StreamsConfig;
import org.apache.kafka.streams.errors.LogAndContinueExceptionHandler;
import org.apache.kafka.streams.errors.LogAndContinueProcessingExceptionHandler;
import org.apache.kafka.streams.errors.StreamsUncaughtExceptionHandler;
import org.apache.kafka.streams.state.HostInfo;
import io.vertx.ext.web.Router;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** The stream processor service: topics, price seeding, the Kafka Streams client and its ops port. */
public final class StreamProcessorApp implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(StreamProcessorApp.class);

    private final KafkaStreams streams;
    private final OpsServer ops;
    private final PrometheusMeterRegistry meters;
    private final PipelineMetrics metrics;
    private final AtomicBoolean running = new AtomicBoolean(true);
    private final CountDownLatch stopped;

    private StreamProcessorApp(KafkaStreams streams, OpsServer ops, PrometheusMeterRegistry meters,
                               PipelineMetrics metrics, CountDownLatch stopped) {
        this.streams = streams;
        this.ops = ops;
        this.meters = meters;
        this.metrics = metrics;
        this.stopped = stopped;
    }

    public static void main(String[] args) {
        StreamProcessorConfig config = StreamProcessorConfig.from(Settings.fromEnvironment());
        StreamProcessorApp app = start(config, router -> { });
        Runtime.getRuntime().addShutdownHook(new Thread(app::close, "stream-processor-shutdown"));
        app.awaitStop();
        System.exit(app.streams.state() == KafkaStreams.State.ERROR ? 1 : 0);
    }

    /**
     * Kafka Streams settings of the application: exactly-once, and records that cannot be read or
     * processed go to the dead-letter topic with the reason, topic, partition and offset in headers
     * (Kafka Streams' __streams.errors.* headers) while processing continues.
     */
    public static Properties streamsProperties(String applicationId, KafkaClientSettings kafka, String guarantee,
                                               int commitIntervalMs, String stateDir, String dlqTopic) {
        Properties p = kafka.clientProperties(); // unprefixed: Kafka Streams gives them to all its clients
        p.put(StreamsConfig.APPLICATION_ID_CONFIG, applicationId);
        p.put(StreamsConfig.PROCESSING_GUARANTEE_CONFIG, guarantee);
        p.put(StreamsConfig.COMMIT_INTERVAL_MS_CONFIG, commitIntervalMs);
        p.put(StreamsConfig.STATE_DIR_CONFIG, stateDir);
        p.put(StreamsConfig.DESERIALIZATION_EXCEPTION_HANDLER_CLASS_CONFIG, LogAndContinueExceptionHandler.class);
        p.put(StreamsConfig.PROCESSING_EXCEPTION_HANDLER_CLASS_CONFIG, LogAndContinueProcessingExceptionHandler.class);
        p.put(StreamsConfig.PROCESSING_EXCEPTION_HANDLER_GLOBAL_ENABLED_CONFIG, true);
        p.put(StreamsConfig.ERRORS_DEAD_LETTER_QUEUE_TOPIC_NAME_CONFIG,
                dlqTopic == null ? Topics.USAGE_EVENTS_DLQ.name() : dlqTopic);
        p.put(StreamsConfig.STATESTORE_CACHE_MAX_BYTES_CONFIG, 32L * 1024 * 1024);
        p.put(StreamsConfig.producerPrefix(ProducerConfig.COMPRESSION_TYPE_CONFIG), "lz4");
        p.put(StreamsConfig.producerPrefix(ProducerConfig.LINGER_MS_CONFIG), 5);
        p.put(StreamsConfig.producerPrefix(ProducerConfig.BATCH_SIZE_CONFIG), 128 * 1024);
        return p;
    }

    public static StreamProcessorApp start(StreamProcessorConfig config, Consumer<Router> extraRoutes) {
        var registry = new SchemaRegistryClient(config.schemaRegistry());
        TopologySettings t = config.topology();
        BudgetSettings b = t.budgets();
        List<TopicSpec<?, ?>> topics = List.of(t.usageEvents(), t.pricedEvents(), t.rollups(), t.lateEvents(),
                t.modelPrices(), Topics.USAGE_EVENTS_DLQ.withName(config.dlqTopic()), b.budgets(), b.alerts(),
                b.alertsJson());
        try (Admin admin = Admin.create(config.kafka().clientProperties())) {
            KafkaAccess.verify(admin, config.kafka(), KafkaAccess.TIMEOUT);
            TopicCatalog.ensureTopics(admin, topics, config.topicPartitions(), config.replicationFactor(),
                    Duration.ofSeconds(60));
            int orgPartitions = samePartitionCount(admin, t.usageEvents().name(), b.budgets().name());
            t = t.withBudgets(b.withOrgPartitions(orgPartitions));
        }
        if (config.seedPrices()) {
            PriceCatalogSeeder.seed(config.kafka(), registry, t.modelPrices(),
                    CatalogFile.load(config.priceCatalogFile()).prices(), Duration.ofSeconds(60));
        }

        PrometheusMeterRegistry meters = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
        new JvmMemoryMetrics().bindTo(meters);
        new JvmGcMetrics().bindTo(meters);
        PipelineMetrics metrics = new PipelineMetrics(meters);

        // The ops port listens first: its address is this instance's application.server for status queries.
        AtomicReference<KafkaStreams> client = new AtomicReference<>();
        AtomicBoolean everRunning = new AtomicBoolean();
        AtomicReference<HostInfo> self = new AtomicReference<>();
        OpsServer ops = OpsServer.start(config.httpHost(), config.httpPort(), meters, () -> {
            KafkaStreams ks = client.get();
            return ks != null && (ks.state() == KafkaStreams.State.RUNNING
                    || (everRunning.get() && ks.state() == KafkaStreams.State.REBALANCING));
        }, router -> {
            InternalAuth.guard(router, config.internal());
            BudgetStatusRoutes.mount(router, client::get, self::get, Clock.systemUTC(), config.internal());
            extraRoutes.accept(router);
        });
        self.set(new HostInfo(config.advertisedHost(), ops.port()));

        Properties props = streamsProperties(config.applicationId(), config.kafka(),
                StreamsConfig.EXACTLY_ONCE_V2, config.commitIntervalMs(), config.stateDir().toString(), config.dlqTopic());
        props.put(StreamsConfig.NUM_STREAM_THREADS_CONFIG, config.streamThreads());
        props.put(StreamsConfig.REPLICATION_FACTOR_CONFIG, (int) config.replicationFactor());
        props.put(StreamsConfig.APPLICATION_SERVER_CONFIG, config.advertisedHost() + ":" + ops.port());
        KafkaStreams streams = new KafkaStreams(SpendTopology.build(t, registry, metrics), props);
        client.set(streams);
        new KafkaStreamsMetrics(streams).bindTo(meters);

        CountDownLatch stopped = new CountDownLatch(1);
        streams.setUncaughtExceptionHandler(e -> {
            LOG.error("stream thread failed; shutting the client down", e);
            return StreamsUncaughtExceptionHandler.StreamThreadExceptionResponse.SHUTDOWN_CLIENT;
        });
        streams.setStateListener((now, before) -> {
            LOG.info("kafka streams {} -> {}", before, now);
            if (now == KafkaStreams.State.RUNNING) {
                everRunning.set(true);
            }
            if (now == KafkaStreams.State.ERROR || now == KafkaStreams.State.NOT_RUNNING) {
                stopped.countDown();
            }
        });
        StreamProcessorApp app = new StreamProcessorApp(streams, ops, meters, metrics, stopped);
        streams.start();
        LOG.info("stream processor {} started; ops port {}", config.applicationId(), ops.port());
        return app;
    }

    /**
     * The budgets topic must have as many partitions as usage-events: a budget lands in its org's
     * partition and is processed by the task that holds the org's events.
     */
    static int samePartitionCount(Admin admin, String events, String budgets) {
        try {
            var d = admin.describeTopics(Set.of(events, budgets)).allTopicNames().get(60, java.util.concurrent.TimeUnit.SECONDS);
            int e = d.get(events).partitions().size();
            int b = d.get(budgets).partitions().size();
            if (e != b) {
                throw new ConfigException(StreamProcessorConfig.PARTITIONS, Integer.toString(e), "topic " + budgets
                        + " has " + b + " partitions but " + events + " has " + e
                        + "; they must match (budgets are partitioned by org like the events)");
            }
            return e;
        } catch (InterruptedException ex) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(ex);
        } catch (java.util.concurrent.ExecutionException | java.util.concurrent.TimeoutException ex) {
            throw new IllegalStateException("cannot describe topics " + events + " and " + budgets + ": " + ex, ex);
        }
    }

    public KafkaStreams streams() {
        return streams;
    }

    public PipelineMetrics metrics() {
        return metrics;
    }

    public int opsPort() {
        return ops.port();
    }

    public void awaitStop() {
        try {
            stopped.await();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    @Override
    public void close() {
        if (!running.getAndSet(false)) {
            return;
        }
        LOG.info("stopping stream processor");
        streams.close(Duration.ofSeconds(30));
        ops.close();
        meters.close();
        stopped.countDown();
    }
}
