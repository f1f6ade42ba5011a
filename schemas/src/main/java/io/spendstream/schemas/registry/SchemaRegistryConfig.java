package io.spendstream.schemas.registry;

import java.net.URI;
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
 */
public record SchemaRegistryConfig(List<URI> urls, Optional<String> basicAuth, Duration timeout, int maxRetries,
                                   Duration retryBackoff) {
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
                Duration.ofMillis(100));
    }

    public SchemaRegistryConfig withBasicAuth(String userInfo) {
        return new SchemaRegistryConfig(urls, Optional.ofNullable(userInfo).filter(s -> !s.isBlank()), timeout,
                maxRetries, retryBackoff);
    }

    public SchemaRegistryConfig withRetries(int retries, Duration backoff) {
        return new SchemaRegistryConfig(urls, basicAuth, timeout, retries, backoff);
    }

    static List<URI> parseUrls(String s) {
        return Arrays.stream(s.split(","))
                .map(String::strip)
                .filter(u -> !u.isEmpty())
                .map(u -> URI.create(u.endsWith("/") ? u.substring(0, u.length() - 1) : u))
                .toList();
    }
}
