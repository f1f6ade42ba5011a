package io.spendstream.schemas.registry;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.sun.net.httpserver.HttpsConfigurator;
import com.sun.net.httpserver.HttpsServer;
import io.spendstream.config.ConfigException;
import io.spendstream.config.Secret;
import io.spendstream.embedded.TestCertificates;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyStore;
import java.util.List;
import javax.net.ssl.KeyManagerFactory;
import javax.net.ssl.SSLContext;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** A registry behind a private CA: the client trusts it through a PEM or PKCS12 trust store, and only then. */
class RegistryTrustStoreTest {
    @TempDir
    Path dir;

    @Test
    void shouldReachAnHttpsRegistryOfAPrivateCaWithAPemOrPkcs12TrustStore() throws Exception {
        TestCertificates ca = TestCertificates.newAuthority("registry CA");
        Path keyStore = ca.issue("localhost", List.of("localhost"), List.of("127.0.0.1"))
                .writeKeyStore(dir.resolve("server.p12"), "pw".toCharArray());
        HttpsServer server = HttpsServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
        server.setHttpsConfigurator(new HttpsConfigurator(serverContext(keyStore)));
        server.createContext("/schemas/ids/1", ex -> {
            byte[] body = "{\"schema\":\"\\\"string\\\"\"}".getBytes(StandardCharsets.UTF_8);
            ex.sendResponseHeaders(200, body.length);
            ex.getResponseBody().write(body);
            ex.close();
        });
        server.start();
        try {
            String url = "https://127.0.0.1:" + server.getAddress().getPort();
            Path pem = ca.writeAuthorityPem(dir.resolve("ca.pem"));
            Path p12 = ca.writeTrustStore(dir.resolve("ca.p12"), "store".toCharArray());
            for (RegistryTrustStore trust : List.of(new RegistryTrustStore(pem, null),
                    new RegistryTrustStore(p12, Secret.of("store")))) {
                var client = new SchemaRegistryClient(SchemaRegistryConfig.of(url).withRetries(0,
                        java.time.Duration.ofMillis(1)).withTrustStore(trust));
                assertThat(client.getById(1).getType()).isEqualTo(org.apache.avro.Schema.Type.STRING);
            }
            var untrusting = new SchemaRegistryClient(SchemaRegistryConfig.of(url).withRetries(0,
                    java.time.Duration.ofMillis(1)));
            assertThatThrownBy(() -> untrusting.getById(1)).isInstanceOf(SchemaRegistryException.class);
        } finally {
            server.stop(0);
        }
    }

    @Test
    void shouldNameTheSettingOfAnUnreadableTrustStore() throws Exception {
        Path junk = Files.writeString(dir.resolve("junk"), "not a trust store");
        assertThatThrownBy(() -> new RegistryTrustStore(junk, null).sslContext())
                .isInstanceOf(ConfigException.class).hasMessageContaining(RegistryTrustStore.FILE_KEY);
    }

    private static SSLContext serverContext(Path keyStore) throws Exception {
        KeyStore ks = KeyStore.getInstance("PKCS12");
        try (var in = Files.newInputStream(keyStore)) {
            ks.load(in, "pw".toCharArray());
        }
        KeyManagerFactory kmf = KeyManagerFactory.getInstance(KeyManagerFactory.getDefaultAlgorithm());
        kmf.init(ks, "pw".toCharArray());
        SSLContext c = SSLContext.getInstance("TLS");
        c.init(kmf.getKeyManagers(), null, null);
        return c;
    }
}
