package io.spendstream.processor.pricing;

import static org.assertj.core.api.Assertions.assertThat;

import io.spendstream.config.KafkaClientSettings;
import io.spendstream.config.Settings;
import io.spendstream.embedded.EmbeddedSchemaRegistry;
import io.spendstream.embedded.KafkaTestCluster;
import io.spendstream.pricing.CatalogDiff;
import io.spendstream.processor.StreamProcessorConfig;
import io.spendstream.schema.ModelPrice;
import io.spendstream.schemas.registry.SchemaRegistryClient;
import io.spendstream.schemas.registry.SchemaRegistryConfig;
import io.spendstream.schemas.topics.TopicCatalog;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/** bin/price import against a real KRaft broker and schema registry: dry run, apply, then nothing left to do. */
@Timeout(value = 3, unit = TimeUnit.MINUTES)
class PriceImportIT {
    private static final KafkaTestCluster KAFKA = KafkaTestCluster.shared();
    private static final EmbeddedSchemaRegistry REGISTRY = EmbeddedSchemaRegistry.shared();

    @TempDir
    Path dir;

    private static final String CATALOG = """
            {"format": "spendstream-prices/2", "providers": [], "prices": [
              {"provider": "openai", "model": "gpt-4o", "effective_from": "2020-01-01T00:00:00Z",
               "match": {"starts_with": "gpt-4o"}, "match_order": 0,
               "input_per_mtok": "2.5", "output_per_mtok": "10",
               "tiers": [{"input_tokens_above": 200000, "input_per_mtok": "5", "output_per_mtok": "20"}]},
              {"provider": "deepseek", "model": "deepseek-chat", "effective_from": "2020-01-01T00:00:00Z",
               "input_per_mtok": "0.135", "output_per_mtok": "0.55",
               "daily_windows": [{"start_utc": "00:30:00", "end_utc": "16:30:00", "input_per_mtok": "0.27", "output_per_mtok": "1.1"}]},
              {"provider": "deepseek", "model": "deepseek-chat", "effective_from": "2099-01-01T00:00:00Z",
               "input_per_mtok": "0.1", "output_per_mtok": "0.5"}]}""";

    private record Run(PriceImport.Outcome outcome, String out, String err) {}

    private static Run run(StreamProcessorConfig config, Path file, Instant now, String... args) {
        var out = new ByteArrayOutputStream();
        var err = new ByteArrayOutputStream();
        List<String> all = new java.util.ArrayList<>(List.of(file.toString()));
        all.addAll(List.of(args));
        var outcome = PriceImport.run(PriceImport.parse(all), config, now,
                new PrintStream(out, true, StandardCharsets.UTF_8), new PrintStream(err, true, StandardCharsets.UTF_8));
        return new Run(outcome, out.toString(StandardCharsets.UTF_8), err.toString(StandardCharsets.UTF_8));
    }

    @Test
    void shouldImportApplyAndThenFindNothingToChange() throws Exception {
        String prefix = "price-import-" + UUID.randomUUID() + "-";
        StreamProcessorConfig config = StreamProcessorConfig.from(Settings.of(Map.of(
                StreamProcessorConfig.BOOTSTRAP, KAFKA.bootstrapServers(),
                StreamProcessorConfig.REGISTRY_URL, REGISTRY.confluentApiUrl(),
                StreamProcessorConfig.TOPIC_PRICES, prefix + "model-prices")));
        var topic = config.topology().modelPrices();
        Properties admin = new Properties();
        admin.put(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, KAFKA.bootstrapServers());
        try (Admin a = Admin.create(admin)) {
            TopicCatalog.ensureTopics(a, List.of(topic), 1, (short) 1, Duration.ofSeconds(60));
        }
        var registry = new SchemaRegistryClient(SchemaRegistryConfig.of(REGISTRY.confluentApiUrl()));
        // A model already on the topic that the file no longer has: reported, left alone.
        PriceCatalogSeeder.publish(KafkaClientSettings.plaintext(KAFKA.bootstrapServers()), registry, topic, List.of(Prices.builder("openai",
                "gpt-3", Instant.parse("2020-01-01T00:00:00Z")).setInputPerMtokNanos(1).setOutputPerMtokNanos(2).build()));

        Path file = dir.resolve("catalog.json");
        Files.writeString(file, CATALOG);
        Instant now = Instant.now();

        Run dry = run(config, file, now);
        assertThat(dry.outcome().exitCode()).isZero();
        assertThat(dry.out()).contains("+ added   openai/gpt-4o", "+ added   deepseek/deepseek-chat",
                "- removed openai/gpt-3", "2 added, 0 changed, 1 removed, 0 unchanged", "dry run: nothing published");
        assertThat(PriceCatalogSeeder.latestOnTopic(KafkaClientSettings.plaintext(KAFKA.bootstrapServers()), registry, topic, Duration.ofSeconds(30)))
                .hasSize(1);

        Run applied = run(config, file, now, "--apply");
        assertThat(applied.out()).contains("published 3 entries");
        Map<String, ModelPrice> onTopic = PriceCatalogSeeder.latestOnTopic(KafkaClientSettings.plaintext(KAFKA.bootstrapServers()), registry, topic,
                Duration.ofSeconds(30));
        assertThat(onTopic).hasSize(4);
        ModelPrice gpt4o = onTopic.values().stream().filter(p -> p.getModel().equals("gpt-4o")).findFirst().orElseThrow();
        assertThat(gpt4o.getEffectiveFrom()).isEqualTo(now.truncatedTo(java.time.temporal.ChronoUnit.MILLIS));
        assertThat(gpt4o.getTiers()).singleElement().satisfies(t -> assertThat(t.getInputTokensAbove()).isEqualTo(200_000));
        assertThat(onTopic.values()).filteredOn(p -> p.getModel().equals("deepseek-chat"))
                .extracting(ModelPrice::getEffectiveFrom).contains(Instant.parse("2099-01-01T00:00:00Z"));

        Run again = run(config, file, now.plusSeconds(5), "--apply");
        CatalogDiff.Result second = again.outcome().diff();
        assertThat(second.of(CatalogDiff.Kind.ADDED)).isEmpty();
        assertThat(second.of(CatalogDiff.Kind.CHANGED)).isEmpty();
        assertThat(second.toPublish()).isEmpty();
        assertThat(second.unchanged()).isEqualTo(2);
        assertThat(again.out()).contains("nothing to publish");

        // An invalid file: a clear error naming the entry, exit 2, nothing published.
        Files.writeString(file, CATALOG.replace("\"0.135\"", "\"-0.135\""));
        Run invalid = run(config, file, now.plusSeconds(10), "--apply");
        assertThat(invalid.outcome().exitCode()).isEqualTo(2);
        assertThat(invalid.err()).contains("prices[1] (deepseek/deepseek-chat 2020-01-01T00:00:00Z)",
                "\"input_per_mtok\" must not be negative", "nothing published");
        assertThat(PriceCatalogSeeder.latestOnTopic(KafkaClientSettings.plaintext(KAFKA.bootstrapServers()), registry, topic, Duration.ofSeconds(30)))
                .hasSize(4);
    }
}
