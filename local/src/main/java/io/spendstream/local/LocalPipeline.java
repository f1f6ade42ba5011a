package io.spendstream.local;

import io.spendstream.chdb.Chdb;
import io.spendstream.config.KafkaAccess;
import io.spendstream.config.KafkaClientSettings;
import io.spendstream.config.Secret;
import io.spendstream.config.Settings;
import io.spendstream.embedded.EmbeddedKafka;
import io.spendstream.embedded.EmbeddedSchemaRegistry;
import io.spendstream.ingest.IngestApi;
import io.spendstream.ingest.ChannelConfig;
import io.spendstream.ingest.IngestConfig;
import io.spendstream.notifier.NotifierApp;
import io.spendstream.notifier.NotifierConfig;
import io.spendstream.notifier.channel.UrlPolicy;
import io.spendstream.sink.ClickHouseSink;
import io.spendstream.sink.SinkApp;
import io.spendstream.sink.SinkConfig;
import io.spendstream.sink.transport.ChdbTransport;
import io.spendstream.processor.StreamProcessorApp;
import io.spendstream.processor.StreamProcessorConfig;
import io.spendstream.schemas.topics.TopicCatalog;
import io.spendstream.schemas.topics.Topics;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.Deque;
import java.util.Map;
import java.util.concurrent.CountDownLatch;
import org.apache.kafka.clients.admin.Admin;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The whole pipeline on one machine, in one JVM: a KRaft broker with fixed loopback ports, the
 * schema registry (child process, schemas in an H2 file), the embedded ClickHouse engine, the
 * catalog's topics, and the services. All data lives under SPENDSTREAM_DATA_DIR and persists across
 * restarts. Ctrl-C or SIGTERM stops everything in reverse order.
 */
public final class LocalPipeline implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(LocalPipeline.class);

    private final Deque<AutoCloseable> started = new ArrayDeque<>();
    private final LocalConfig config;
    private EmbeddedKafka kafka;
    private KafkaClientSettings kafkaClient;
    private EmbeddedSchemaRegistry registry;
    private Chdb clickhouse;
    private StreamProcessorApp processor;
    private IngestApi ingest;
    private SinkApp sink;
    private NotifierApp notifier;
    private String adminToken;
    private DemoOrg.Credentials demo;

    private LocalPipeline(LocalConfig config) {
        this.config = config;
    }

    public static LocalPipeline start(LocalConfig config, Settings settings) {
        LocalPipeline p = new LocalPipeline(config);
        try {
            p.startAll(settings);
            return p;
        } catch (RuntimeException e) {
            p.close();
            throw e;
        }
    }

    private void startAll(Settings settings) {
        String bootstrap = config.externalKafka();
        if (bootstrap == null) {
            kafka = EmbeddedKafka.start(config.dataDir().resolve("kafka"), config.kafkaPort(), config.kafkaControllerPort());
            started.push(kafka);
            bootstrap = kafka.bootstrapServers();
        }
        kafkaClient = KafkaClientSettings.from(settings.with(Map.of(KafkaClientSettings.BOOTSTRAP, bootstrap)));
        registry = EmbeddedSchemaRegistry.startPersistent(config.registryPort(), config.dataDir().resolve("registry"),
                Duration.ofSeconds(90));
        started.push(registry);
        clickhouse = Chdb.open(config.dataDir().resolve("clickhouse"));
        started.push(clickhouse);

        try (Admin a = Admin.create(kafkaClient.clientProperties())) {
            KafkaAccess.verify(a, kafkaClient, KafkaAccess.TIMEOUT);
            TopicCatalog.ensureTopics(a, Topics.all(), config.partitions(), (short) 1, Duration.ofSeconds(60));
        }

        Settings wired = settings.with(Map.of(
                StreamProcessorConfig.BOOTSTRAP, bootstrap,
                StreamProcessorConfig.REGISTRY_URL, registry.confluentApiUrl(),
                StreamProcessorConfig.STATE_DIR, config.dataDir().resolve("stream-processor").toString(),
                StreamProcessorConfig.HTTP_HOST, "127.0.0.1",
                StreamProcessorConfig.HTTP_PORT, Integer.toString(config.processorPort())));
        processor = StreamProcessorApp.start(StreamProcessorConfig.from(wired), router -> { });
        started.push(processor);

        // The sink writes into the engine this process already opened (one data path per process).
        Settings sinkSettings = wired.with(Map.of(
                SinkConfig.TRANSPORT, "chdb",
                SinkConfig.HTTP_HOST, "127.0.0.1",
                SinkConfig.HTTP_PORT, Integer.toString(config.sinkPort())));
        SinkConfig sinkConfig = SinkConfig.from(sinkSettings);
        sink = SinkApp.start(sinkConfig, new ChdbTransport(clickhouse, false), true, SinkApp.registry(sinkConfig),
                ClickHouseSink.Hooks.NONE, router -> { });
        started.push(sink);

        // Loopback receivers are allowed here (and only here), so the demo can show a delivery on this machine.
        notifier = NotifierApp.start(NotifierConfig.from(wired.with(Map.of(
                NotifierConfig.HTTP_HOST, "127.0.0.1",
                UrlPolicy.ALLOW_LOOPBACK, "true",
                NotifierConfig.PUBLIC_URL, "http://127.0.0.1:" + config.httpPort()))));
        started.push(notifier);

        Secret configuredToken = settings.secret(IngestConfig.ADMIN_TOKEN);
        adminToken = configuredToken == null ? DemoOrg.newAdminToken() : configuredToken.reveal();
        ingest = IngestApi.start(IngestConfig.from(wired.with(Map.of(
                // the token in effect, directly; a blank _FILE so a configured token file cannot clash with it
                IngestConfig.ADMIN_TOKEN, adminToken, IngestConfig.ADMIN_TOKEN + "_FILE", "",
                IngestConfig.HTTP_HOST, "127.0.0.1",
                IngestConfig.HTTP_PORT, Integer.toString(config.httpPort()),
                IngestConfig.PROCESSOR_URL, "http://127.0.0.1:" + processor.opsPort(),
                IngestConfig.QUERY_URL, "http://127.0.0.1:" + sink.opsPort(),
                ChannelConfig.NOTIFIER_URL, "http://127.0.0.1:" + notifier.opsPort(),
                UrlPolicy.ALLOW_LOOPBACK, "true"))));
        started.push(ingest);
        demo = DemoOrg.ensure(apiUrl(), adminToken, config.dataDir());
    }

    public String apiUrl() {
        return "http://127.0.0.1:" + ingest.port();
    }

    public String adminToken() {
        return adminToken;
    }

    public DemoOrg.Credentials demo() {
        return demo;
    }

    public String summary(long startedInMillis) {
        return String.join(System.lineSeparator(),
                "",
                "spendstream local pipeline is up in " + startedInMillis + " ms; data in " + config.dataDir(),
                "  Kafka bootstrap      " + kafkaClient.bootstrapServers() + (kafka == null ? "   (external)" : ""),
                "  Schema registry      " + registry.confluentApiUrl() + "   (Confluent REST API)",
                "  ClickHouse (chDB)    embedded in this process, data in " + clickhouse.dataDir(),
                "  stream-processor     running; http://127.0.0.1:" + processor.opsPort() + "/health/ready and /metrics",
                "  API (ingest-api)     " + apiUrl() + "   (OpenAPI: " + apiUrl() + "/openapi.yaml)",
                "  Spend queries        " + apiUrl() + "/v1/spend, /v1/alerts, /v1/unpriced, /v1/reports/spend.csv (same API key)",
                "  sink-clickhouse      running; http://127.0.0.1:" + sink.opsPort() + "/health/ready and /metrics",
                "  notifier             running; http://127.0.0.1:" + notifier.opsPort() + "/health/ready and /metrics;"
                        + " alert channels at " + apiUrl() + "/v1/channels (loopback receivers allowed)",
                "  Admin token          " + adminToken,
                "  Demo org             " + demo.orgId() + ", API key " + demo.apiKey(),
                "  Budgets              " + apiUrl() + "/v1/budgets, /v1/budgets/status (same API key);"
                        + " alerts on topics budget-alerts (Avro) and budget-alerts-json",
                "",
                "Post an event:",
                "  curl -s -X POST " + apiUrl() + "/v1/events -H 'Authorization: Bearer " + demo.apiKey() + "' \\",
                "       -H 'Content-Type: application/json' \\",
                "       -d '{\"timestamp\":\"" + java.time.Instant.now().truncatedTo(java.time.temporal.ChronoUnit.SECONDS)
                        + "\",\"feature\":\"chat\",\"provider\":\"openai\",\"model\":\"gpt-4o\","
                        + "\"input_tokens\":1200,\"output_tokens\":300}'",
                "",
                "Stop with Ctrl-C.",
                "");
    }

    /** The embedded broker; null when the pipeline runs on an external cluster ({@link LocalConfig#externalKafka()}). */
    public EmbeddedKafka kafka() {
        return kafka;
    }

    /** How the pipeline's own clients reach Kafka (embedded or external, with the pass-through settings). */
    public KafkaClientSettings kafkaClient() {
        return kafkaClient;
    }

    public EmbeddedSchemaRegistry registry() {
        return registry;
    }

    public Chdb clickhouse() {
        return clickhouse;
    }

    public StreamProcessorApp processor() {
        return processor;
    }

    public IngestApi ingest() {
        return ingest;
    }

    public SinkApp sink() {
        return sink;
    }

    public NotifierApp notifier() {
        return notifier;
    }

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
    }

    /**
     * {@code ./run-local [--demo [--demo-seconds N]]}: starts the pipeline and prints its summary; with
     * {@code --demo}, then runs {@link DemoTraffic} once. Either way it runs until Ctrl-C or SIGTERM.
     * Unknown options: usage on stderr and exit status 2.
     */
    public static void main(String[] args) throws InterruptedException {
        RunOptions options;
        try {
            options = RunOptions.parse(args);
        } catch (IllegalArgumentException e) {
            System.err.println("run-local: " + e.getMessage());
            System.err.println(RunOptions.USAGE);
            System.exit(2);
            return;
        }
        if (options.help()) {
            System.out.println(RunOptions.USAGE);
            return;
        }
        long t0 = System.nanoTime();
        Settings settings = Settings.fromEnvironment();
        LocalConfig config = LocalConfig.from(settings);
        LocalPipeline pipeline = start(config, settings);
        DemoTraffic demo = options.demo()
                ? DemoTraffic.of(pipeline, config.dataDir(), options.demoDuration(), System.out) : null;
        CountDownLatch stopped = new CountDownLatch(1);
        java.util.concurrent.atomic.AtomicBoolean stopping = new java.util.concurrent.atomic.AtomicBoolean();
        Runtime.getRuntime().addShutdownHook(new Thread(() -> {
            stopping.set(true);
            if (demo != null) {
                demo.stop();
            }
            System.out.println();
            System.out.println("stopping spendstream...");
            pipeline.close();
            stopped.countDown();
        }, "local-pipeline-shutdown"));
        System.out.println(pipeline.summary((System.nanoTime() - t0) / 1_000_000));
        if (demo != null) {
            try {
                demo.run();
            } catch (InterruptedException e) {
                // Ctrl-C during the demo: the shutdown hook stops everything.
            } catch (RuntimeException e) {
                if (!stopping.get()) {
                    LOG.warn("the demo failed", e);
                    System.out.println("The demo failed (" + e.getMessage() + "); the pipeline keeps running."
                            + " Stop it with Ctrl-C.");
                }
            }
        }
        stopped.await();
    }
}
