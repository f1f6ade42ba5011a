package io.spendstream.local;

import static org.assertj.core.api.Assertions.assertThat;

import io.spendstream.http.InternalAccess;
import io.spendstream.config.KafkaClientSettings;
import io.spendstream.config.Settings;
import io.spendstream.ingest.IngestConfig;
import io.spendstream.processor.StreamProcessorConfig;
import io.spendstream.schemas.registry.SchemaRegistryConfig;
import io.spendstream.sink.SinkConfig;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Every config object of every service, rendered as the services render it (toString, which is also
 * what the start-up log lines print, e.g. ingest-api's "starting ingest-api with {}"), with every
 * secret set, contains none of the secret values.
 */
class SecretRenderingTest {
    private static final List<String> SECRETS = List.of("admin-token-0123456789", "registry-user:registry-pass",
            "clickhouse-pass", "jaas-password-42", "truststore-pass", "keystore-key-pass", "registry-store-pass",
            "service-token-0123456789abcdef0123456789");

    @TempDir
    Path dir;

    @Test
    void shouldRenderNoSecretValueInAnyConfigObject() throws Exception {
        Path jaasFile = Files.writeString(dir.resolve("jaas"), "ScramLoginModule required password=\"jaas-password-42\";");
        Settings s = Settings.of(Map.ofEntries(
                Map.entry(IngestConfig.ADMIN_TOKEN, SECRETS.get(0)),
                Map.entry(SchemaRegistryConfig.BASIC_AUTH, SECRETS.get(1)),
                Map.entry(SinkConfig.CLICKHOUSE_PASSWORD, SECRETS.get(2)),
                Map.entry("SPENDSTREAM_KAFKA_SECURITY_PROTOCOL", "SASL_SSL"),
                Map.entry("SPENDSTREAM_KAFKA_SASL_JAAS_CONFIG_FILE", jaasFile.toString()),
                Map.entry("SPENDSTREAM_KAFKA_SSL_TRUSTSTORE_PASSWORD", SECRETS.get(4)),
                Map.entry("SPENDSTREAM_KAFKA_SSL_KEY_PASSWORD", SECRETS.get(5)),
                Map.entry(SchemaRegistryConfig.TRUSTSTORE, dir.resolve("registry.p12").toString()),
                Map.entry(SchemaRegistryConfig.TRUSTSTORE_PASSWORD, SECRETS.get(6)),
                Map.entry(InternalAccess.TOKEN_KEY, SECRETS.get(7))));
        IngestConfig ingest = IngestConfig.from(s);
        StreamProcessorConfig processor = StreamProcessorConfig.from(s);
        SinkConfig sink = SinkConfig.from(s);
        KafkaClientSettings kafka = KafkaClientSettings.from(s);
        List<Object> rendered = List.of(ingest, ingest.withHttpPort(1), ingest.kafka(), ingest.schemaRegistry(),
                processor, processor.kafka(), processor.schemaRegistry(), sink, sink.withDatabase("other"),
                LocalConfig.from(s), kafka, kafka.clientProperties(), SchemaRegistryConfig.from(s),
                processor.internal(), sink.internal(), ingest.internalToken());
        for (Object o : rendered) {
            assertThat(o.toString()).as(o.getClass().getSimpleName()).doesNotContain(SECRETS)
                    .doesNotContain("registry-pass");
        }
        // the values are there for the clients that need them
        assertThat(ingest.adminToken().reveal()).isEqualTo(SECRETS.get(0));
        assertThat(sink.clickhousePassword().reveal()).isEqualTo(SECRETS.get(2));
        assertThat(processor.schemaRegistry().basicAuth().orElseThrow().reveal()).isEqualTo(SECRETS.get(1));
        assertThat(kafka.properties().get("sasl.jaas.config").toString()).isEqualTo("<redacted>");
        assertThat(sink.internal().token().reveal()).isEqualTo(SECRETS.get(7));
    }
}
