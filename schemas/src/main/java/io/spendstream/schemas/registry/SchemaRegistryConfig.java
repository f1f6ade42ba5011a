package io.spendstream.schemas.registry;

import io.spendstream.config.Secret;
import io.spendstream.config.Settings;
import java.net.URI;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Arrays;
import java.util.List;
import java.util.Optional;

/**
 * How to reach a schema registry that speaks the Confluent REST API (Confluent Schema Registry,
 * Apicurio's /apis/ccompat/v7, Karapace, Redpanda).
 *
 * @param urls         base URLs tried in turn (failover on connection errors and 5xx)
 * @param basicAuth    optional "user:password" for HTTP basic auth
 * @param timeout      per-request timeout
 * @param maxRetries   retries of a transient failure (no answer, 5xx, 429) before giving up
 * @param retryBackoff first backoff, doubled each retry
 * @param trustStore   the CAs an https registry is trusted by; empty: the JDK's default CAs
 */
public record SchemaRegistryConfig(List<URI> urls, Optional<Secret> basicAuth, Duration timeout, int maxRetries,
                                   Duration retryBackoff, Optional<RegistryTrustStore> trustStore) {
    public static final String URL = "SPENDSTREAM_SCHEMA_REGISTRY_URL";
    public static final String BASIC_AUTH = "SPENDSTREAM_SCHEMA_REGISTRY_BASIC_AUTH";
    public static final String TRUSTSTORE = RegistryTrustStore.FILE_KEY;
    public static final String TRUSTSTORE_PASSWORD = TRUSTSTORE + "_PASSWORD";
    public static final String DEFAULT_URL = "http://127.0.0.1:8081/apis/ccompat/v7";

    public SchemaRegistryConfig {
        if (urls.isEmpty()) {
            throw new IllegalArgumentException("schema registry url must not be empty");
        }
        urls = List.copyOf(urls);
        if (maxRetries < 0) {
            throw new IllegalArgumentException("maxRetries must be >= 0");
        }
    }

    /** Comma-separated URLs, no auth, 10 s timeout, 3 retries from 100 ms. */
    public static SchemaRegistryConfig of(String commaSeparatedUrls) {
        return new SchemaRegistryConfig(parseUrls(commaSeparatedUrls), Optional.empty(), Duration.ofSeconds(10), 3,
                Duration.ofMillis(100), Optional.empty());
    }

    /** The registry settings every service and tool shares: URL(s), basic auth and trust store. */
    public static SchemaRegistryConfig from(Settings s) {
        Path trustStore = s.path(TRUSTSTORE, null);
        Secret trustStorePassword = s.secret(TRUSTSTORE_PASSWORD);
        return of(s.string(URL, DEFAULT_URL))
                .withBasicAuth(s.secret(BASIC_AUTH))
                .withTrustStore(trustStore == null ? null : new RegistryTrustStore(trustStore, trustStorePassword));
    }

    public SchemaRegistryConfig withBasicAuth(Secret userInfo) {
        return new SchemaRegistryConfig(urls, Optional.ofNullable(userInfo).filter(s -> !s.reveal().isBlank()),
                timeout, maxRetries, retryBackoff, trustStore);
    }

    public SchemaRegistryConfig withTrustStore(RegistryTrustStore store) {
        return new SchemaRegistryConfig(urls, basicAuth, timeout, maxRetries, retryBackoff, Optional.ofNullable(store));
    }

    public SchemaRegistryConfig withRetries(int retries, Duration backoff) {
        return new SchemaRegistryConfig(urls, basicAuth, timeout, retries, backoff, trustStore);
    }

    public SchemaRegistryConfig withTimeout(Duration requestTimeout) {
        return new SchemaRegistryConfig(urls, basicAuth, requestTimeout, maxRetries, retryBackoff, trustStore);
    }

    static List<URI> parseUrls(String s) {
        return Arrays.stream(s.split(","))
                .map(String::strip)
                .filter(u -> !u.isEmpty())
                .map(u -> URI.create(u.endsWith("/") ? u.substring(0, u.length() - 1) : u))
                .toList();
    }
}
