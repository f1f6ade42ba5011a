package io.spendstream.ingest;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.spendstream.config.ConfigException;
import io.spendstream.config.Settings;
import io.spendstream.embedded.TestCertificates;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class PublicHttpTest {
    @TempDir
    Path dir;

    @Test
    void plainHttpWithoutCorsByDefault() {
        PublicHttp p = PublicHttp.from(Settings.of(Map.of()));
        assertThat(p.tlsEnabled()).isFalse();
        assertThat(p.corsOrigins()).isEmpty();
        assertThat(IngestConfig.keys()).contains(PublicTls.CERT, PublicTls.KEY, PublicHttp.CORS_ORIGINS,
                "SPENDSTREAM_INTERNAL_TOKEN");
    }

    @Test
    void loadsAPemChainAndKey() throws Exception {
        TestCertificates.Issued server = TestCertificates.newAuthority("ca")
                .issue("localhost", List.of("localhost"), List.of("127.0.0.1"));
        PublicHttp p = PublicHttp.from(Settings.of(Map.of(
                PublicTls.CERT, server.writeCertificatePem(dir.resolve("c.pem")).toString(),
                PublicTls.KEY, server.writeKeyPem(dir.resolve("k.pem")).toString())));
        assertThat(p.tls().certChainPem()).contains("BEGIN CERTIFICATE");
        assertThat(p.tls().toString()).doesNotContain("PRIVATE KEY");
    }

    @Test
    void oneOfTheTwoFilesAloneNamesBoth() {
        assertThatThrownBy(() -> PublicHttp.from(Settings.of(Map.of(PublicTls.CERT, "/etc/chain.pem"))))
                .isInstanceOf(ConfigException.class)
                .hasMessageContaining(PublicTls.CERT).hasMessageContaining(PublicTls.KEY);
    }

    @Test
    void unreadableOrInvalidPemNamesItsKey() throws Exception {
        TestCertificates.Issued server = TestCertificates.newAuthority("ca")
                .issue("localhost", List.of("localhost"), List.of());
        String cert = server.writeCertificatePem(dir.resolve("c.pem")).toString();
        String key = server.writeKeyPem(dir.resolve("k.pem")).toString();
        String garbage = Files.writeString(dir.resolve("g.pem"), "-----BEGIN PRIVATE KEY-----\nAAAA\n"
                + "-----END PRIVATE KEY-----\n").toString();
        assertThatThrownBy(() -> PublicHttp.from(Settings.of(Map.of(PublicTls.CERT, dir.resolve("none.pem").toString(),
                PublicTls.KEY, key)))).isInstanceOf(ConfigException.class).extracting("key").isEqualTo(PublicTls.CERT);
        assertThatThrownBy(() -> PublicHttp.from(Settings.of(Map.of(PublicTls.CERT, key, PublicTls.KEY, key))))
                .isInstanceOf(ConfigException.class).extracting("key").isEqualTo(PublicTls.CERT);
        assertThatThrownBy(() -> PublicHttp.from(Settings.of(Map.of(PublicTls.CERT, cert, PublicTls.KEY, garbage))))
                .isInstanceOf(ConfigException.class).extracting("key").isEqualTo(PublicTls.KEY);
        assertThatThrownBy(() -> PublicHttp.from(Settings.of(Map.of(PublicTls.CERT, cert, PublicTls.KEY, cert))))
                .isInstanceOf(ConfigException.class).extracting("key").isEqualTo(PublicTls.KEY);
    }

    @Test
    void corsOriginsAreExactOrigins() {
        assertThat(PublicHttp.from(Settings.of(Map.of(PublicHttp.CORS_ORIGINS,
                "https://app.example.com, http://localhost:3000"))).corsOrigins())
                .containsExactlyInAnyOrder("https://app.example.com", "http://localhost:3000");
        for (String bad : List.of("*", "https://*.example.com", "https://app.example.com/", "app.example.com")) {
            assertThatThrownBy(() -> PublicHttp.from(Settings.of(Map.of(PublicHttp.CORS_ORIGINS, bad))))
                    .as(bad).isInstanceOf(ConfigException.class).hasMessageContaining(PublicHttp.CORS_ORIGINS);
        }
    }
}
