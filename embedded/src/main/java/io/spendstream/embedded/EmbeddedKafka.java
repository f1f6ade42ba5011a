package io.spendstream.embedded;

import kafka.server.KafkaConfig;
import kafka.server.KafkaRaftServer;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.ScramCredentialInfo;
import org.apache.kafka.clients.admin.ScramMechanism;
import org.apache.kafka.clients.admin.UserScramCredentialUpsertion;
import org.apache.kafka.common.Uuid;
import org.apache.kafka.common.utils.Time;
import org.apache.kafka.metadata.storage.Formatter;
import org.apache.kafka.server.common.MetadataVersion;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.io.Reader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.concurrent.TimeUnit;

/**
 * A real single-node KRaft Kafka server (combined broker + controller) running in this JVM, for the
 * local run: fixed loopback ports and a persistent data directory.
 *
 * <p>Layout of {@code dataDir}: {@code kraft-combined-logs/} (log.dirs and the metadata log, formatted on
 * first start) and {@code cluster.id} (the cluster id chosen on first start and reused afterwards).
 * Data survives {@link #close()} and a later {@link #start} on the same directory.
 *
 * <p>Settings: {@code process.roles=broker,controller}, {@code node.id=1},
 * {@code listeners=PLAINTEXT://127.0.0.1:<port>,CONTROLLER://127.0.0.1:<controllerPort>},
 * {@code controller.quorum.voters=1@127.0.0.1:<controllerPort>}, replication factors and min ISR 1,
 * {@code group.initial.rebalance.delay.ms=0}, {@code log.cleaner.dedupe.buffer.size=2097152} (saves ~130 MB RSS),
 * {@code auto.create.topics.enable=false}, {@code num.partitions=1}.
 *
 * <p>Note: like {@code kafka.Kafka}, the server uses Kafka's standard fault handlers, so a fatal metadata
 * error halts the JVM. Use {@link KafkaTestCluster} in tests.
 */
public final class EmbeddedKafka implements AutoCloseable {

    private static final Logger LOG = LoggerFactory.getLogger(EmbeddedKafka.class);

    /** How long {@link #start} waits for the broker to answer. */
    public static final Duration STARTUP_TIMEOUT = Duration.ofSeconds(90);

    private static final int NODE_ID = 1;
    private static final String CONTROLLER_LISTENER = "CONTROLLER";
    private static final String LOG_DIR_NAME = "kraft-combined-logs";
    private static final String CLUSTER_ID_FILE = "cluster.id";

    private final KafkaRaftServer server;
    private final Path dataDir;
    private final int port;
    private final int controllerPort;
    private final SaslSslListener saslSsl;
    private boolean closed;

    private EmbeddedKafka(KafkaRaftServer server, Path dataDir, int port, int controllerPort, SaslSslListener saslSsl) {
        this.saslSsl = saslSsl;
        this.server = server;
        this.dataDir = dataDir;
        this.port = port;
        this.controllerPort = controllerPort;
    }

    /**
     * Formats {@code dataDir} if needed, starts the server and waits (up to {@link #STARTUP_TIMEOUT})
     * until the broker answers an Admin {@code describeCluster}.
     *
     * @param dataDir        the data directory (created if missing); reuse it to keep topics and records
     * @param port           the broker (PLAINTEXT) port on 127.0.0.1
     * @param controllerPort the KRaft controller port on 127.0.0.1
     * @return the running server; the caller closes it
     * @throws IllegalStateException if a port is in use, the directory cannot be formatted, or the broker
     *                               does not become ready in time
     */
    public static EmbeddedKafka start(Path dataDir, int port, int controllerPort) {
        return start(dataDir, port, controllerPort, null);
    }

    /**
     * A SASL_SSL listener beside the PLAINTEXT one (which stays for the inter-broker traffic and for test
     * set-up such as creating SCRAM users), as managed Kafka services offer: SCRAM-SHA-512 over TLS with
     * the server certificate in {@code keyStore}.
     *
     * @param port             the SASL_SSL port on 127.0.0.1
     * @param keyStore         PKCS12 key store with the server's key and certificate (chain)
     * @param keyStorePassword its password (also the key's)
     */
    public record SaslSslListener(int port, Path keyStore, String keyStorePassword) {
        @Override
        public String toString() {
            return "SaslSslListener[port=" + port + ", keyStore=" + keyStore + "]";
        }
    }

    /** As {@link #start(Path, int, int)}, with an additional SASL_SSL listener when {@code saslSsl} is not null. */
    public static EmbeddedKafka start(Path dataDir, int port, int controllerPort, SaslSslListener saslSsl) {
        if (port == controllerPort) {
            throw new IllegalArgumentException("EmbeddedKafka port and controllerPort must differ, both were " + port);
        }
        LoopbackPorts.requireFree(port, "EmbeddedKafka broker port (listeners PLAINTEXT://127.0.0.1:" + port + ")");
        LoopbackPorts.requireFree(controllerPort, "EmbeddedKafka controller port (listeners CONTROLLER://127.0.0.1:" + controllerPort + ")");

        long startNanos = System.nanoTime();
        Path logDir = dataDir.toAbsolutePath().resolve(LOG_DIR_NAME);
        Map<String, Object> props = serverProperties(logDir, port, controllerPort);
        if (saslSsl != null) {
            LoopbackPorts.requireFree(saslSsl.port(), "EmbeddedKafka SASL_SSL port");
            addSaslSslListener(props, saslSsl);
        }
        KafkaConfig config = new KafkaConfig(props, false);
        String clusterId = formatOnce(dataDir.toAbsolutePath(), logDir);

        KafkaRaftServer server = null;
        try {
            server = new KafkaRaftServer(config, Time.SYSTEM);
            server.startup();
        } catch (RuntimeException e) {
            if (server != null) {
                try {
                    server.shutdown();
                    server.awaitShutdown();
                } catch (RuntimeException shutdownError) {
                    e.addSuppressed(shutdownError);
                }
            }
            throw new IllegalStateException("EmbeddedKafka could not start on 127.0.0.1:" + port
                    + " (controller port " + controllerPort + ", data " + dataDir + "): " + e.getMessage(), e);
        }
        EmbeddedKafka kafka = new EmbeddedKafka(server, dataDir.toAbsolutePath(), port, controllerPort, saslSsl);
        try {
            kafka.awaitBrokerAnswers();
        } catch (RuntimeException e) {
            kafka.close();
            throw e;
        }
        LOG.info("EmbeddedKafka (cluster {}) ready at {} in {} ms, data in {}", clusterId, kafka.bootstrapServers(),
                TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - startNanos), logDir);
        return kafka;
    }

    /** @return {@code 127.0.0.1:<port>} */
    public String bootstrapServers() {
        return "127.0.0.1:" + port;
    }

    /** @return {@code 127.0.0.1:<SASL_SSL port>}; only with a {@link SaslSslListener} */
    public String saslSslBootstrapServers() {
        if (saslSsl == null) {
            throw new IllegalStateException("this EmbeddedKafka has no SASL_SSL listener");
        }
        return "127.0.0.1:" + saslSsl.port();
    }

    /**
     * Creates (or replaces) a SCRAM-SHA-512 user through the PLAINTEXT listener and waits until the
     * controller lists it; the broker applies it from the metadata log moments later.
     */
    public void upsertScramUser(String user, String password) {
        try (Admin admin = Admin.create(Map.of("bootstrap.servers", bootstrapServers()))) {
            admin.alterUserScramCredentials(List.of(new UserScramCredentialUpsertion(user,
                    new ScramCredentialInfo(ScramMechanism.SCRAM_SHA_512, 4096), password))).all().get(30, TimeUnit.SECONDS);
            Waits.until(Duration.ofSeconds(30), Duration.ofMillis(50), "the SCRAM user " + user + " to be listed",
                    () -> admin.describeUserScramCredentials(List.of(user)).all().get(10, TimeUnit.SECONDS)
                            .containsKey(user));
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted while creating the SCRAM user " + user, e);
        } catch (Exception e) {
            throw new IllegalStateException("could not create the SCRAM user " + user + ": " + e, e);
        }
    }

    /** @return the broker port */
    public int port() {
        return port;
    }

    /** @return the controller port */
    public int controllerPort() {
        return controllerPort;
    }

    /** @return the data directory given to {@link #start} (absolute) */
    public Path dataDir() {
        return dataDir;
    }

    /** Shuts the server down (broker, then controller) and waits until it has stopped. Idempotent. */
    @Override
    public synchronized void close() {
        if (closed) {
            return;
        }
        closed = true;
        long startNanos = System.nanoTime();
        server.shutdown();
        server.awaitShutdown();
        LOG.info("EmbeddedKafka at {} stopped in {} ms", bootstrapServers(),
                TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - startNanos));
    }

    static Map<String, Object> serverProperties(Path logDir, int port, int controllerPort) {
        Map<String, Object> props = new HashMap<>();
        props.put("process.roles", "broker,controller");
        props.put("node.id", Integer.toString(NODE_ID));
        props.put("controller.quorum.voters", NODE_ID + "@127.0.0.1:" + controllerPort);
        props.put("listeners", "PLAINTEXT://127.0.0.1:" + port + "," + CONTROLLER_LISTENER + "://127.0.0.1:" + controllerPort);
        props.put("advertised.listeners", "PLAINTEXT://127.0.0.1:" + port);
        props.put("listener.security.protocol.map", "PLAINTEXT:PLAINTEXT," + CONTROLLER_LISTENER + ":PLAINTEXT");
        props.put("inter.broker.listener.name", "PLAINTEXT");
        props.put("controller.listener.names", CONTROLLER_LISTENER);
        props.put("log.dirs", logDir.toString());
        props.put("metadata.log.dir", logDir.toString());
        props.put("offsets.topic.replication.factor", "1");
        props.put("transaction.state.log.replication.factor", "1");
        props.put("transaction.state.log.min.isr", "1");
        props.put("group.initial.rebalance.delay.ms", "0");
        props.put("log.cleaner.dedupe.buffer.size", "2097152");
        props.put("auto.create.topics.enable", "false");
        props.put("num.partitions", "1");
        return props;
    }

    private static void addSaslSslListener(Map<String, Object> props, SaslSslListener l) {
        String address = "SASL_SSL://127.0.0.1:" + l.port();
        props.put("listeners", props.get("listeners") + "," + address);
        props.put("advertised.listeners", props.get("advertised.listeners") + "," + address);
        props.put("listener.security.protocol.map", props.get("listener.security.protocol.map") + ",SASL_SSL:SASL_SSL");
        props.put("sasl.enabled.mechanisms", "SCRAM-SHA-512");
        props.put("listener.name.sasl_ssl.scram-sha-512.sasl.jaas.config",
                "org.apache.kafka.common.security.scram.ScramLoginModule required;");
        props.put("listener.name.sasl_ssl.ssl.keystore.type", "PKCS12");
        props.put("listener.name.sasl_ssl.ssl.keystore.location", l.keyStore().toAbsolutePath().toString());
        props.put("listener.name.sasl_ssl.ssl.keystore.password", l.keyStorePassword());
        props.put("listener.name.sasl_ssl.ssl.key.password", l.keyStorePassword());
    }

    /**
     * Formats the log directory unless it already is, with a cluster id stored in {@code dataDir/cluster.id}
     * (generated on first start). Returns the cluster id.
     */
    private static String formatOnce(Path dataDir, Path logDir) {
        try {
            Files.createDirectories(logDir);
            String clusterId = readOrCreateClusterId(dataDir, logDir);
            ByteArrayOutputStream formatterOutput = new ByteArrayOutputStream();
            Formatter formatter = new Formatter()
                    .setPrintStream(new PrintStream(formatterOutput, true, StandardCharsets.UTF_8))
                    .setNodeId(NODE_ID)
                    .setClusterId(clusterId)
                    .setDirectories(List.of(logDir.toString()))
                    .setMetadataLogDirectory(logDir.toString())
                    .setControllerListenerName(CONTROLLER_LISTENER)
                    .setReleaseVersion(MetadataVersion.LATEST_PRODUCTION)
                    .setIgnoreFormatted(true);
            formatter.run();
            LOG.debug("Kafka storage formatter: {}", formatterOutput.toString(StandardCharsets.UTF_8).strip());
            return clusterId;
        } catch (Exception e) {
            throw new IllegalStateException("EmbeddedKafka could not format the data directory " + logDir
                    + " (if it belongs to another cluster, delete it or use another dataDir): " + e.getMessage(), e);
        }
    }

    private static String readOrCreateClusterId(Path dataDir, Path logDir) throws IOException {
        Path idFile = dataDir.resolve(CLUSTER_ID_FILE);
        if (Files.exists(idFile)) {
            return Files.readString(idFile, StandardCharsets.UTF_8).strip();
        }
        // A directory formatted before this file existed: take the id Kafka recorded.
        Path metaProperties = logDir.resolve("meta.properties");
        String clusterId = null;
        if (Files.exists(metaProperties)) {
            Properties meta = new Properties();
            try (Reader reader = Files.newBufferedReader(metaProperties, StandardCharsets.UTF_8)) {
                meta.load(reader);
            }
            clusterId = meta.getProperty("cluster.id");
        }
        if (clusterId == null || clusterId.isBlank()) {
            clusterId = Uuid.randomUuid().toString();
        }
        Files.writeString(idFile, clusterId + System.lineSeparator(), StandardCharsets.UTF_8);
        return clusterId;
    }

    private void awaitBrokerAnswers() {
        try (Admin admin = Admin.create(Map.of(
                "bootstrap.servers", bootstrapServers(),
                "request.timeout.ms", "5000",
                "default.api.timeout.ms", "10000"))) {
            Waits.until(STARTUP_TIMEOUT, Duration.ofMillis(100), "the EmbeddedKafka broker at " + bootstrapServers() + " to answer describeCluster",
                    () -> !admin.describeCluster().nodes().get(10, TimeUnit.SECONDS).isEmpty());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("Interrupted while waiting for EmbeddedKafka at " + bootstrapServers(), e);
        } catch (java.util.concurrent.TimeoutException e) {
            throw new IllegalStateException(e.getMessage(), e);
        }
    }
}
