package io.spendstream.config;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.Properties;
import org.apache.kafka.common.config.types.Password;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class KafkaClientSettingsTest {
    private static final String JAAS = "org.apache.kafka.common.security.scram.ScramLoginModule required"
            + " username=\"u\" password=\"p4ssw0rd\";";

    @TempDir
    Path dir;

    @Test
    void shouldMapVariablesToPropertiesWithPasswordsAsSecrets() {
        KafkaClientSettings k = KafkaClientSettings.from(Settings.of(Map.of(
                "SPENDSTREAM_KAFKA_BOOTSTRAP_SERVERS", "broker:9096",
                "SPENDSTREAM_KAFKA_SECURITY_PROTOCOL", "SASL_SSL",
                "SPENDSTREAM_KAFKA_SASL_MECHANISM", "SCRAM-SHA-512",
                "SPENDSTREAM_KAFKA_SASL_JAAS_CONFIG", JAAS,
                "SPENDSTREAM_KAFKA_SSL_TRUSTSTORE_LOCATION", "/etc/ca.p12",
                "SPENDSTREAM_KAFKA_SSL_TRUSTSTORE_PASSWORD", "store-pass",
                "SPENDSTREAM_OTHER", "x")));
        assertThat(k.bootstrapServers()).isEqualTo("broker:9096");
        assertThat(k.properties()).containsOnlyKeys("security.protocol", "sasl.mechanism", "sasl.jaas.config",
                "ssl.truststore.location", "ssl.truststore.password");
        assertThat(k.properties().get("sasl.jaas.config")).isEqualTo(Secret.of(JAAS));
        assertThat(k.properties().get("ssl.truststore.password")).isInstanceOf(Secret.class);
        assertThat(k.properties().get("ssl.truststore.location")).isEqualTo("/etc/ca.p12");
        assertThat(k.toString()).doesNotContain("p4ssw0rd", "store-pass").contains("<redacted>");

        Properties p = k.clientProperties();
        assertThat(p.get("bootstrap.servers")).isEqualTo("broker:9096");
        assertThat(p.get("sasl.jaas.config")).isEqualTo(new Password(JAAS));
        assertThat(p.toString()).doesNotContain("p4ssw0rd", "store-pass");
    }

    @Test
    void shouldReadAPropertiesFileOverriddenByVariables() throws Exception {
        Path file = Files.writeString(dir.resolve("client.properties"), """
                security.protocol=SASL_SSL
                sasl.mechanism=PLAIN
                sasl.jaas.config=from-file
                client.dns.lookup=use_all_dns_ips
                """);
        KafkaClientSettings k = KafkaClientSettings.from(Settings.of(Map.of(
                "SPENDSTREAM_KAFKA_PROPERTIES_FILE", file.toString(),
                "SPENDSTREAM_KAFKA_SASL_MECHANISM", "SCRAM-SHA-256")));
        assertThat(k.properties()).containsEntry("security.protocol", "SASL_SSL")
                .containsEntry("sasl.mechanism", "SCRAM-SHA-256")
                .containsEntry("client.dns.lookup", "use_all_dns_ips")
                .containsEntry("sasl.jaas.config", Secret.of("from-file"));
        assertThatThrownBy(() -> KafkaClientSettings.from(Settings.of(Map.of(
                "SPENDSTREAM_KAFKA_PROPERTIES_FILE", dir.resolve("missing").toString()))))
                .isInstanceOf(ConfigException.class).hasMessageContaining("SPENDSTREAM_KAFKA_PROPERTIES_FILE");
    }

    @Test
    void shouldReadAPasswordPropertyFromItsFileVariable() throws Exception {
        Path jaas = Files.writeString(dir.resolve("jaas"), JAAS + "\n");
        KafkaClientSettings k = KafkaClientSettings.from(Settings.of(Map.of(
                "SPENDSTREAM_KAFKA_SASL_JAAS_CONFIG_FILE", jaas.toString())));
        assertThat(k.properties()).containsOnlyKeys("sasl.jaas.config").containsEntry("sasl.jaas.config", Secret.of(JAAS));
        assertThatThrownBy(() -> KafkaClientSettings.from(Settings.of(Map.of(
                "SPENDSTREAM_KAFKA_SASL_JAAS_CONFIG_FILE", jaas.toString(), "SPENDSTREAM_KAFKA_SASL_JAAS_CONFIG", JAAS))))
                .isInstanceOf(ConfigException.class)
                .hasMessageContaining("SPENDSTREAM_KAFKA_SASL_JAAS_CONFIG_FILE")
                .hasMessageNotContaining("p4ssw0rd");
    }

    @Test
    void shouldRefuseThePropertiesTheServicesOwn() throws Exception {
        for (String variable : new String[] {"SPENDSTREAM_KAFKA_ACKS", "SPENDSTREAM_KAFKA_ENABLE_IDEMPOTENCE",
                "SPENDSTREAM_KAFKA_ISOLATION_LEVEL", "SPENDSTREAM_KAFKA_PROCESSING_GUARANTEE",
                "SPENDSTREAM_KAFKA_TRANSACTIONAL_ID", "SPENDSTREAM_KAFKA_VALUE_SERIALIZER",
                "SPENDSTREAM_KAFKA_ENABLE_AUTO_COMMIT", "SPENDSTREAM_KAFKA_GROUP_ID"}) {
            assertThatThrownBy(() -> KafkaClientSettings.from(Settings.of(Map.of(variable, "1"))))
                    .as(variable).isInstanceOf(ConfigException.class).hasMessageContaining(variable);
        }
        Path file = Files.writeString(dir.resolve("acks.properties"), "acks=1\n");
        assertThatThrownBy(() -> KafkaClientSettings.from(Settings.of(Map.of(
                "SPENDSTREAM_KAFKA_PROPERTIES_FILE", file.toString()))))
                .isInstanceOf(ConfigException.class)
                .hasMessageContaining("SPENDSTREAM_KAFKA_PROPERTIES_FILE").hasMessageContaining("acks");
        Path bootstrap = Files.writeString(dir.resolve("b.properties"), "bootstrap.servers=elsewhere:9092\n");
        assertThatThrownBy(() -> KafkaClientSettings.from(Settings.of(Map.of(
                "SPENDSTREAM_KAFKA_PROPERTIES_FILE", bootstrap.toString()))))
                .hasMessageContaining(KafkaClientSettings.BOOTSTRAP);
    }
}
