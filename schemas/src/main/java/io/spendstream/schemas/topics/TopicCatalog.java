package io.spendstream.schemas.topics;

import java.time.Duration;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.stream.Collectors;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.Config;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.common.config.ConfigResource;
import org.apache.kafka.common.errors.TopicExistsException;
import org.apache.kafka.common.errors.UnknownTopicOrPartitionException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** Creates the catalog's topics where missing, and refuses to run on a topic with the wrong cleanup policy. */
public final class TopicCatalog {
    private static final Logger LOG = LoggerFactory.getLogger(TopicCatalog.class);

    private TopicCatalog() {}

    /**
     * Creates every missing topic of {@code topics} with {@code dataPartitions} partitions (1 for
     * single-partition tables) and {@code replicationFactor}; checks that existing ones have the
     * expected cleanup policy.
     *
     * @return the names of the topics created
     * @throws IllegalStateException when an existing topic's cleanup.policy differs from the catalog
     */
    public static List<String> ensureTopics(Admin admin, Collection<TopicSpec<?, ?>> topics, int dataPartitions,
                                            short replicationFactor, Duration timeout) {
        if (dataPartitions < 1) {
            throw new IllegalArgumentException("partitions must be >= 1, was " + dataPartitions);
        }
        try {
            Set<String> existing = admin.listTopics().names().get(timeout.toMillis(), TimeUnit.MILLISECONDS);
            List<NewTopic> missing = new ArrayList<>();
            for (TopicSpec<?, ?> t : topics) {
                if (!existing.contains(t.name())) {
                    missing.add(new NewTopic(t.name(), t.partitions(dataPartitions), replicationFactor)
                            .configs(t.configs(replicationFactor)));
                }
            }
            List<String> created = new ArrayList<>();
            for (var e : admin.createTopics(missing).values().entrySet()) {
                try {
                    e.getValue().get(timeout.toMillis(), TimeUnit.MILLISECONDS);
                    created.add(e.getKey());
                } catch (ExecutionException ex) {
                    if (!(ex.getCause() instanceof TopicExistsException)) { // another instance won the race
                        throw ex;
                    }
                }
            }
            if (!created.isEmpty()) {
                LOG.info("created topics {}", created);
            }
            checkCleanupPolicies(admin, topics, timeout);
            return created;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted while creating topics", e);
        } catch (ExecutionException | TimeoutException e) {
            Throwable cause = e.getCause() != null ? e.getCause() : e;
            throw new IllegalStateException("cannot create or check the pipeline's topics within " + timeout
                    + " (is Kafka reachable at the configured bootstrap servers?): " + cause, e);
        }
    }

    private static void checkCleanupPolicies(Admin admin, Collection<TopicSpec<?, ?>> topics, Duration timeout)
            throws InterruptedException, ExecutionException, TimeoutException {
        List<ConfigResource> resources = topics.stream()
                .map(t -> new ConfigResource(ConfigResource.Type.TOPIC, t.name())).toList();
        Map<ConfigResource, Config> configs;
        long deadline = System.nanoTime() + timeout.toNanos();
        while (true) {
            try {
                configs = admin.describeConfigs(resources).all().get(timeout.toMillis(), TimeUnit.MILLISECONDS);
                break;
            } catch (ExecutionException e) {
                // A topic created a moment ago may not have reached every broker's metadata yet.
                if (!(e.getCause() instanceof UnknownTopicOrPartitionException) || System.nanoTime() > deadline) {
                    throw e;
                }
                Thread.sleep(100);
            }
        }
        List<String> wrong = new ArrayList<>();
        for (TopicSpec<?, ?> t : topics) {
            Config c = configs.get(new ConfigResource(ConfigResource.Type.TOPIC, t.name()));
            String actual = c == null || c.get("cleanup.policy") == null ? "?" : c.get("cleanup.policy").value();
            if (!normalize(actual).equals(normalize(t.cleanup().policy()))) {
                wrong.add(t.name() + " has cleanup.policy=" + actual + ", expected " + t.cleanup().policy());
            }
        }
        if (!wrong.isEmpty()) {
            throw new IllegalStateException("topics exist with the wrong cleanup policy (fix them with kafka-configs"
                    + " before starting): " + String.join("; ", wrong));
        }
    }

    private static String normalize(String policy) {
        return java.util.Arrays.stream(policy.split(",")).map(String::strip).sorted().collect(Collectors.joining(","));
    }
}
