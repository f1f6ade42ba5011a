package io.spendstream.embedded;

import kafka.server.BrokerServer;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.admin.TopicDescription;
import org.apache.kafka.common.errors.TopicExistsException;
import org.apache.kafka.common.test.KafkaClusterTestKit;
import org.apache.kafka.common.test.TestKitNodes;
import org.apache.kafka.metadata.bootstrap.BootstrapMetadata;
import org.apache.kafka.server.common.Feature;
import org.apache.kafka.server.common.MetadataVersion;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.stream.Collectors;

/**
 * A single-node Kafka cluster (one combined broker + controller, KRaft) for integration tests,
 * built on Kafka's own test kit ({@link KafkaClusterTestKit} from {@code kafka-test-common-runtime}).
 *
 * <p>It binds random loopback ports, so several clusters can run in parallel, and it keeps its data
 * in a temporary directory that is deleted on {@link #close()}. The test kit is an internal Kafka API:
 * the Kafka version is pinned in the parent pom, check this class when it changes.
 *
 * <p>Broker settings: {@code offsets.topic.replication.factor=1}, {@code transaction.state.log.replication.factor=1},
 * {@code transaction.state.log.min.isr=1}, {@code group.initial.rebalance.delay.ms=0},
 * {@code log.cleaner.dedupe.buffer.size=2097152}, {@code auto.create.topics.enable=false}; the metadata
 * version is {@link MetadataVersion#LATEST_PRODUCTION} and unstable APIs/features are disabled, as in a
 * production broker.
 *
 * <pre>{@code
 * try (KafkaTestCluster kafka = KafkaTestCluster.start()) {
 *     kafka.createTopic("orders", 3);
 *     // producers/consumers use kafka.bootstrapServers()
 * }
 * }</pre>
 */
public final class KafkaTestCluster implements AutoCloseable {

    private static final Logger LOG = LoggerFactory.getLogger(KafkaTestCluster.class);

    /** How long {@link #createTopic} and {@link #restartBroker} wait before giving up. */
    private static final Duration READY_TIMEOUT = Duration.ofSeconds(60);

    /** Broker settings applied to every cluster (see class javadoc). */
    static final Map<String, String> BROKER_SETTINGS = Map.of(
            "offsets.topic.replication.factor", "1",
            "transaction.state.log.replication.factor", "1",
            "transaction.state.log.min.isr", "1",
            "group.initial.rebalance.delay.ms", "0",
            "log.cleaner.dedupe.buffer.size", "2097152",
            "auto.create.topics.enable", "false",
            // The test kit enables unstable versions by default; a real broker does not.
            "unstable.api.versions.enable", "false",
            "unstable.feature.versions.enable", "false");

    private static KafkaTestCluster shared;

    private final KafkaClusterTestKit kit;
    private final String bootstrapServers;
    private boolean closed;

    private KafkaTestCluster(KafkaClusterTestKit kit) {
        this.kit = kit;
        this.bootstrapServers = kit.bootstrapServers();
    }

    /**
     * Formats and starts a new single-node cluster and waits until its broker is registered and unfenced.
     * The caller owns it and must {@link #close()} it.
     *
     * @return the running cluster
     * @throws IllegalStateException if the cluster could not be started (the cause says why)
     */
    public static KafkaTestCluster start() {
        long startNanos = System.nanoTime();
        KafkaClusterTestKit kit = null;
        try {
            MetadataVersion version = MetadataVersion.LATEST_PRODUCTION;
            // Bootstrap with the production features' defaults for this version; the test kit's default
            // bootstrap uses the (unstable) latest testing version.
            Map<String, Short> featureLevels = Feature.PRODUCTION_FEATURES.stream().collect(Collectors.toMap(
                    Feature::featureName, feature -> feature.defaultLevel(version), (a, b) -> a, TreeMap::new));
            // Do NOT call TestKitNodes.Builder.setBootstrapMetadataVersion here: in Kafka 4.3.1 it goes through
            // BootstrapMetadata.copyWithFeatureRecord, which drops every feature record after metadata.version
            // (group.version, transaction.version, ... would all end up at level 0).
            TestKitNodes nodes = new TestKitNodes.Builder(BootstrapMetadata.fromVersions(version, featureLevels, "spendstream"))
                    .setCombined(true)
                    .setNumBrokerNodes(1)
                    .setNumControllerNodes(1)
                    .build();
            KafkaClusterTestKit.Builder builder = new KafkaClusterTestKit.Builder(nodes);
            BROKER_SETTINGS.forEach(builder::setConfigProp);
            kit = builder.build();
            kit.format();
            kit.startup();
            kit.waitForReadyBrokers();
            KafkaTestCluster cluster = new KafkaTestCluster(kit);
            LOG.info("Kafka test cluster ready at {} in {} ms", cluster.bootstrapServers,
                    TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - startNanos));
            return cluster;
        } catch (Exception e) {
            if (e instanceof InterruptedException) {
                Thread.currentThread().interrupt();
            }
            if (kit != null) {
                try {
                    kit.close();
                } catch (Exception closeError) {
                    e.addSuppressed(closeError);
                }
            }
            throw new IllegalStateException("Could not start the Kafka test cluster (KafkaClusterTestKit, 1 combined node): " + e, e);
        }
    }

    /**
     * Returns the cluster shared by all tests of this JVM, starting it on first use. It is closed by a
     * JVM shutdown hook; tests must not close it (if one does, the next call starts a new one).
     * Tests that share it should use their own topic names.
     *
     * @return the running shared cluster
     */
    public static synchronized KafkaTestCluster shared() {
        if (shared == null || shared.isClosed()) {
            KafkaTestCluster cluster = start();
            Runtime.getRuntime().addShutdownHook(new Thread(cluster::closeQuietly, "kafka-test-cluster-shutdown"));
            shared = cluster;
        }
        return shared;
    }

    /**
     * @return the broker's bootstrap address, e.g. {@code localhost:41234}; it stays the same across
     *         {@link #stopBroker()}/{@link #restartBroker()}
     */
    public String bootstrapServers() {
        return bootstrapServers;
    }

    /**
     * Creates a new {@link Admin} client for this cluster. Each call returns a new client; the caller closes it.
     *
     * @return a new admin client
     */
    public Admin admin() {
        return Admin.create(Map.of("bootstrap.servers", bootstrapServers));
    }

    /**
     * Creates a topic with replication factor 1 and waits until every partition has a leader.
     *
     * @param name       the topic name
     * @param partitions the number of partitions (at least 1)
     * @throws IllegalStateException if the topic already exists or was not ready within 60 s
     */
    public void createTopic(String name, int partitions) {
        if (partitions < 1) {
            throw new IllegalArgumentException("partitions must be at least 1, was " + partitions);
        }
        try (Admin admin = admin()) {
            admin.createTopics(List.of(new NewTopic(name, partitions, (short) 1)))
                    .all().get(READY_TIMEOUT.toMillis(), TimeUnit.MILLISECONDS);
            Waits.until(READY_TIMEOUT, Duration.ofMillis(50), "topic " + name + " to have a leader on all " + partitions + " partitions", () -> {
                TopicDescription description = admin.describeTopics(Set.of(name)).allTopicNames()
                        .get(5, TimeUnit.SECONDS).get(name);
                return description.partitions().size() == partitions
                        && description.partitions().stream().allMatch(p -> p.leader() != null && !p.leader().isEmpty());
            });
        } catch (ExecutionException e) {
            if (e.getCause() instanceof TopicExistsException) {
                throw new IllegalStateException("Topic " + name + " already exists on " + bootstrapServers, e.getCause());
            }
            throw new IllegalStateException("Could not create topic " + name + " on " + bootstrapServers + ": " + e.getCause(), e.getCause());
        } catch (TimeoutException e) {
            throw new IllegalStateException("Could not create topic " + name + " on " + bootstrapServers + ": " + e.getMessage(), e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("Interrupted while creating topic " + name, e);
        }
    }

    /**
     * Shuts down the broker side of the node (controlled shutdown) and waits until it is down; the
     * controller keeps running. Clients then cannot connect to {@link #bootstrapServers()} until
     * {@link #restartBroker()}. Data is kept. Does nothing if the broker is already stopped.
     */
    public synchronized void stopBroker() {
        requireOpen();
        BrokerServer broker = broker();
        broker.shutdown();
        broker.awaitShutdown();
        LOG.info("Kafka test cluster broker stopped ({})", bootstrapServers);
    }

    /**
     * Starts the broker again after {@link #stopBroker()}, on the same port and with the same data,
     * and waits until the controller reports it registered and unfenced and it knows itself as alive.
     * Does nothing if the broker is running.
     *
     * <p>Takes about 8 s: the controller rejects the new registration ("Another broker is registered with
     * that broker id") until the stopped broker's session expires ({@code broker.session.timeout.ms}, default
     * 9 s, counted from the last heartbeat). The default is kept so that a busy machine cannot fence the broker.
     *
     * @throws IllegalStateException if the broker is not ready within 60 s
     */
    public synchronized void restartBroker() {
        requireOpen();
        long startNanos = System.nanoTime();
        BrokerServer broker = broker();
        broker.startup();
        long startedNanos = System.nanoTime();
        try {
            // waitForReadyBrokers checks the controller and each broker's metadata cache; then make sure
            // a client can reach the listener again.
            kit.waitForReadyBrokers();
            try (Admin admin = admin()) {
                Waits.until(READY_TIMEOUT, Duration.ofMillis(100), "the restarted broker at " + bootstrapServers + " to answer",
                        () -> !admin.describeCluster().nodes().get(5, TimeUnit.SECONDS).isEmpty());
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("Interrupted while restarting the broker", e);
        } catch (ExecutionException | TimeoutException e) {
            throw new IllegalStateException("The restarted broker at " + bootstrapServers + " did not become ready: " + e, e);
        }
        LOG.info("Kafka test cluster broker restarted ({}): startup {} ms, ready after {} ms", bootstrapServers,
                TimeUnit.NANOSECONDS.toMillis(startedNanos - startNanos), TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - startNanos));
    }

    /** @return true once {@link #close()} was called */
    public synchronized boolean isClosed() {
        return closed;
    }

    /**
     * Shuts the cluster down and deletes its data directory. Idempotent.
     *
     * @throws IllegalStateException if the test kit reports an error while closing (for example a fault
     *                               that happened while the cluster was running)
     */
    @Override
    public synchronized void close() {
        if (closed) {
            return;
        }
        closed = true;
        long startNanos = System.nanoTime();
        try {
            kit.close();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("Interrupted while closing the Kafka test cluster", e);
        } catch (Exception e) {
            throw new IllegalStateException("Error while closing the Kafka test cluster at " + bootstrapServers + ": " + e, e);
        }
        LOG.info("Kafka test cluster at {} closed in {} ms", bootstrapServers,
                TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - startNanos));
    }

    private void closeQuietly() {
        try {
            close();
        } catch (RuntimeException e) {
            LOG.warn("Error while closing the Kafka test cluster from the shutdown hook", e);
        }
    }

    private BrokerServer broker() {
        return kit.brokers().values().iterator().next();
    }

    private void requireOpen() {
        if (closed) {
            throw new IllegalStateException("The Kafka test cluster at " + bootstrapServers + " is closed");
        }
    }
}
