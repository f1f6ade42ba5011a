package io.spendstream.schemas.topics;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.spendstream.embedded.KafkaTestCluster;
import java.time.Duration;
import java.util.Arrays;
import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.Config;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.admin.TopicDescription;
import org.apache.kafka.common.config.ConfigResource;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * TopicCatalog against a real KRaft broker. The broker is shared by every IT of this JVM, so each test
 * works on the catalog's topics under its own prefix.
 */
class TopicCatalogIT {
    private static final int PARTITIONS = 3;
    private static final Duration TIMEOUT = Duration.ofSeconds(30);

    private final String prefix = "catalog-" + UUID.randomUUID().toString().substring(0, 8) + "-";
    private final List<TopicSpec<?, ?>> catalog = Topics.all().stream()
            .<TopicSpec<?, ?>>map(spec -> spec.withName(prefix + spec.name())).toList();
    private Admin admin;

    @BeforeEach
    void connect() {
        admin = KafkaTestCluster.shared().admin();
    }

    @AfterEach
    void disconnect() {
        admin.close();
    }

    @Test
    void shouldCreateEveryCatalogTopicWithItsCleanupPolicyAndPartitionCount() throws Exception {
        assertThat(catalog).hasSize(15).anySatisfy(t -> assertThat(t.singlePartition()).isTrue())
                .anySatisfy(t -> assertThat(t.cleanup()).isEqualTo(Cleanup.COMPACT_DELETE));

        List<String> created = TopicCatalog.ensureTopics(admin, catalog, PARTITIONS, (short) 1, TIMEOUT);

        assertThat(created).containsExactlyInAnyOrderElementsOf(names(catalog));
        Map<String, TopicDescription> descriptions = admin.describeTopics(names(catalog)).allTopicNames()
                .get(30, TimeUnit.SECONDS);
        Map<String, Config> configs = configs(catalog);
        for (TopicSpec<?, ?> spec : catalog) {
            assertThat(descriptions.get(spec.name()).partitions()).as("partitions of %s", spec.name())
                    .hasSize(spec.singlePartition() ? 1 : PARTITIONS);
            Config config = configs.get(spec.name());
            assertThat(normalize(config.get("cleanup.policy").value())).as("cleanup.policy of %s", spec.name())
                    .isEqualTo(normalize(spec.cleanup().policy()));
            if (spec.cleanup() != Cleanup.COMPACT && spec.retention() != null) {
                assertThat(config.get("retention.ms").value()).as("retention.ms of %s", spec.name())
                        .isEqualTo(Long.toString(spec.retention().toMillis()));
            }
        }
        // Spot checks against the catalog's intent, not just against itself.
        assertThat(configs.get(prefix + "budgets").get("cleanup.policy").value()).isEqualTo("compact");
        assertThat(configs.get(prefix + "usage-events").get("cleanup.policy").value()).isEqualTo("delete");
        assertThat(descriptions.get(prefix + "model-prices").partitions()).hasSize(1);
        assertThat(descriptions.get(prefix + "usage-events").partitions()).hasSize(PARTITIONS);
    }

    @Test
    void shouldCreateNothingAndNotFailWhenTheTopicsAlreadyExist() throws Exception {
        assertThat(TopicCatalog.ensureTopics(admin, catalog, PARTITIONS, (short) 1, TIMEOUT)).hasSize(catalog.size());

        // Again, even with another partition count: existing topics are left as they are.
        assertThat(TopicCatalog.ensureTopics(admin, catalog, PARTITIONS + 2, (short) 1, TIMEOUT)).isEmpty();

        assertThat(admin.describeTopics(List.of(prefix + "usage-events")).allTopicNames().get(30, TimeUnit.SECONDS)
                .get(prefix + "usage-events").partitions()).hasSize(PARTITIONS);
        assertThat(admin.listTopics().names().get(30, TimeUnit.SECONDS).stream()
                .filter(n -> n.startsWith(prefix))).containsExactlyInAnyOrderElementsOf(names(catalog));
    }

    @Test
    void shouldRefuseATopicThatExistsWithTheWrongCleanupPolicy() throws Exception {
        TopicSpec<?, ?> budgets = Topics.BUDGETS.withName("budgets-" + UUID.randomUUID());
        assertThat(budgets.cleanup()).isEqualTo(Cleanup.COMPACT);
        admin.createTopics(List.of(new NewTopic(budgets.name(), 1, (short) 1)
                .configs(Map.of("cleanup.policy", "delete")))).all().get(30, TimeUnit.SECONDS);

        assertThatThrownBy(() -> TopicCatalog.ensureTopics(admin, List.of(budgets), PARTITIONS, (short) 1, TIMEOUT))
                .isInstanceOf(IllegalStateException.class)
                .hasMessageContaining(budgets.name() + " has cleanup.policy=delete, expected compact");

        // Refusing does not change the topic: fixing it is the operator's decision.
        assertThat(configs(List.of(budgets)).get(budgets.name()).get("cleanup.policy").value()).isEqualTo("delete");
    }

    private Map<String, Config> configs(Collection<TopicSpec<?, ?>> specs) throws Exception {
        List<ConfigResource> resources = specs.stream()
                .map(s -> new ConfigResource(ConfigResource.Type.TOPIC, s.name())).toList();
        return admin.describeConfigs(resources).all().get(30, TimeUnit.SECONDS).entrySet().stream()
                .collect(Collectors.toMap(e -> e.getKey().name(), Map.Entry::getValue));
    }

    private static List<String> names(Collection<TopicSpec<?, ?>> specs) {
        return specs.stream().map(TopicSpec::name).toList();
    }

    private static String normalize(String policy) {
        return Arrays.stream(policy.split(",")).map(String::strip).sorted().collect(Collectors.joining(","));
    }
}
