package io.spendstream.config;

import java.time.Duration;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.DescribeClusterOptions;
import org.apache.kafka.common.errors.AuthenticationException;
import org.apache.kafka.common.errors.SaslAuthenticationException;
import org.apache.kafka.common.errors.SslAuthenticationException;

/**
 * The start-up check that a service can reach Kafka with its credentials. Without it, a wrong password
 * or an untrusted broker certificate shows up as clients retrying and logging in a loop; with it the
 * service stops at once with the name of the setting to fix. Kafka's exception messages name the
 * mechanism and the broker, never the credentials, so they are kept.
 */
public final class KafkaAccess {
    /** Long enough for a broker that is still starting next to the service, short enough to fail visibly. */
    public static final Duration TIMEOUT = Duration.ofSeconds(30);

    private KafkaAccess() {}

    /**
     * Asks the cluster to describe itself with {@code admin} (built from {@code kafka}).
     *
     * @throws ConfigException       when the broker refuses the credentials or the TLS handshake fails
     * @throws IllegalStateException when the cluster does not answer within {@code timeout}
     */
    public static void verify(Admin admin, KafkaClientSettings kafka, Duration timeout) {
        try {
            admin.describeCluster(new DescribeClusterOptions().timeoutMs((int) timeout.toMillis()))
                    .clusterId().get(timeout.toMillis() + 1000, TimeUnit.MILLISECONDS);
        } catch (ExecutionException e) {
            throw failure(e.getCause(), kafka, timeout);
        } catch (TimeoutException e) {
            throw failure(e, kafka, timeout);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted while checking the connection to Kafka", e);
        }
    }

    private static RuntimeException failure(Throwable cause, KafkaClientSettings kafka, Duration timeout) {
        String protocol = String.valueOf(kafka.properties().getOrDefault("security.protocol", "PLAINTEXT"));
        if (cause instanceof SaslAuthenticationException) {
            return new ConfigException(KafkaClientSettings.SASL_JAAS_CONFIG, "<redacted>",
                    "credentials the broker at " + kafka.bootstrapServers() + " accepts (check also "
                            + KafkaClientSettings.SASL_MECHANISM + "); the broker said: " + cause.getMessage());
        }
        if (cause instanceof SslAuthenticationException) {
            return new ConfigException(KafkaClientSettings.SSL_TRUSTSTORE_LOCATION,
                    String.valueOf(kafka.properties().get("ssl.truststore.location")),
                    "a trust store holding the CA of the broker at " + kafka.bootstrapServers()
                            + " (or SPENDSTREAM_KAFKA_SSL_TRUSTSTORE_CERTIFICATES); the TLS handshake failed: "
                            + cause.getMessage());
        }
        if (cause instanceof AuthenticationException) {
            return new ConfigException(KafkaClientSettings.SECURITY_PROTOCOL, protocol, "the security setup of the"
                    + " broker at " + kafka.bootstrapServers() + "; authentication failed: " + cause.getMessage());
        }
        return new IllegalStateException("cannot reach Kafka at " + kafka.bootstrapServers() + " (" + protocol
                + ") within " + timeout + ": check " + KafkaClientSettings.BOOTSTRAP + " and "
                + KafkaClientSettings.SECURITY_PROTOCOL + " (" + cause + ")", cause);
    }
}
