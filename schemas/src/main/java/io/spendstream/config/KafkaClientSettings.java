package io.spendstream.config;

import java.io.IOException;
import java.io.Reader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.Locale;
import java.util.Map;
import java.util.Properties;
import java.util.Set;
import java.util.TreeMap;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.common.config.ConfigDef;
import org.apache.kafka.common.config.types.Password;

/**
 * The Kafka connection of a service or tool: the bootstrap servers and the client properties passed
 * through from the environment, Strimzi / Kafka Connect style, so any security setup Kafka supports
 * (SASL_SSL with SCRAM or PLAIN, mTLS, OAuth) needs no code here. {@code SPENDSTREAM_KAFKA_<NAME>}
 * becomes the property {@code <name>} with underscores as dots ({@code SPENDSTREAM_KAFKA_SASL_MECHANISM}
 * → {@code sasl.mechanism}); {@code SPENDSTREAM_KAFKA_PROPERTIES_FILE} names a Java properties file
 * read first, the variables win over it. Properties Kafka types as passwords (sasl.jaas.config,
 * ssl.*.password, ...) are {@link Secret}s, also from {@code <variable>_FILE}, and reach the clients
 * as Kafka {@link Password}s, which the clients' own config dumps print as {@code [hidden]}.
 *
 * @param bootstrapServers {@code SPENDSTREAM_KAFKA_BOOTSTRAP_SERVERS}
 * @param properties       the passed-through properties, values String or Secret, sorted by name
 */
public record KafkaClientSettings(String bootstrapServers, Map<String, Object> properties) {
    public static final String PREFIX = "SPENDSTREAM_KAFKA_";
    public static final String BOOTSTRAP = PREFIX + "BOOTSTRAP_SERVERS";
    public static final String PROPERTIES_FILE = PREFIX + "PROPERTIES_FILE";
    public static final String SECURITY_PROTOCOL = PREFIX + "SECURITY_PROTOCOL";
    public static final String SASL_MECHANISM = PREFIX + "SASL_MECHANISM";
    public static final String SASL_JAAS_CONFIG = PREFIX + "SASL_JAAS_CONFIG";
    public static final String SSL_TRUSTSTORE_LOCATION = PREFIX + "SSL_TRUSTSTORE_LOCATION";

    /**
     * Properties the services set themselves because their guarantees depend on them (acks=all and
     * idempotence for the 202 contract, read_committed and exactly_once_v2 for the pipeline's outputs,
     * manual commits for the sink, serdes for the wire format) or because a SPENDSTREAM_ setting of
     * their own names them; passing one through would silently weaken or split that setting.
     */
    static final Set<String> OWNED = Set.of("bootstrap.servers", "acks", "enable.idempotence", "isolation.level",
            "processing.guarantee", "transactional.id", "enable.auto.commit", "group.id", "application.id",
            "key.serializer", "value.serializer", "key.deserializer", "value.deserializer",
            "default.key.serde", "default.value.serde");

    private static final Set<String> PASSWORDS = Stream.of(ProducerConfig.configDef(), ConsumerConfig.configDef(),
                    AdminClientConfig.configDef())
            .flatMap(d -> d.configKeys().values().stream())
            .filter(k -> k.type == ConfigDef.Type.PASSWORD)
            .map(k -> k.name)
            .collect(Collectors.toUnmodifiableSet());

    public KafkaClientSettings {
        properties = java.util.Collections.unmodifiableMap(new TreeMap<>(properties));
    }

    /** No pass-through: a plaintext connection to {@code bootstrapServers} (tests, the embedded broker). */
    public static KafkaClientSettings plaintext(String bootstrapServers) {
        return new KafkaClientSettings(bootstrapServers, Map.of());
    }

    public static KafkaClientSettings from(Settings s) {
        String bootstrap = s.string(BOOTSTRAP, "127.0.0.1:9092");
        Map<String, Object> props = new HashMap<>(fromFile(s.path(PROPERTIES_FILE, null)));
        for (String variable : s.keysWithPrefix(PREFIX)) {
            if (variable.equals(BOOTSTRAP) || variable.equals(PROPERTIES_FILE)) {
                continue;
            }
            String name = variable.substring(PREFIX.length());
            if (name.endsWith("_FILE") && PASSWORDS.contains(propertyName(name.substring(0, name.length() - 5)))) {
                name = name.substring(0, name.length() - 5); // the _FILE form of a password property
            }
            String property = propertyName(name);
            if (OWNED.contains(property)) {
                throw new ConfigException(variable, PASSWORDS.contains(property) ? "<redacted>" : s.string(variable, ""),
                        refusal(property));
            }
            props.put(property, PASSWORDS.contains(property) ? s.secret(PREFIX + name) : s.string(variable, null));
        }
        return new KafkaClientSettings(bootstrap, props);
    }

    private static Map<String, Object> fromFile(Path file) {
        if (file == null) {
            return Map.of();
        }
        Properties loaded = new Properties();
        try (Reader r = Files.newBufferedReader(file, StandardCharsets.UTF_8)) {
            loaded.load(r);
        } catch (IOException | RuntimeException e) {
            throw new ConfigException(PROPERTIES_FILE, file.toString(), "a readable Java properties file ("
                    + e.getClass().getSimpleName() + ")");
        }
        Map<String, Object> props = new HashMap<>();
        for (String property : loaded.stringPropertyNames()) {
            if (OWNED.contains(property)) {
                throw new ConfigException(PROPERTIES_FILE, file.toString(), "no " + property + ": " + refusal(property));
            }
            String value = loaded.getProperty(property).strip();
            props.put(property, PASSWORDS.contains(property) ? Secret.of(value) : value);
        }
        return props;
    }

    private static String propertyName(String variableSuffix) {
        return variableSuffix.toLowerCase(Locale.ROOT).replace('_', '.');
    }

    private static String refusal(String property) {
        return property.equals("bootstrap.servers") ? "set " + BOOTSTRAP + " instead"
                : property + " is set by spendstream itself (its delivery guarantees or its own setting depend on it)"
                        + " and cannot be passed through";
    }

    /**
     * A new property set for one client: the bootstrap servers and every passed-through property, secrets
     * as Kafka {@link Password}s. The caller adds its own (owned) properties after this.
     */
    public Properties clientProperties() {
        Properties p = new Properties();
        p.put("bootstrap.servers", bootstrapServers);
        properties.forEach((k, v) -> p.put(k, v instanceof Secret secret ? new Password(secret.reveal()) : v));
        return p;
    }
}
