package io.spendstream.embedded;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyStore;
import java.security.cert.X509Certificate;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class TestCertificatesTest {
    @TempDir
    Path dir;

    @Test
    void shouldIssueServerCertificatesThatOnlyTheirOwnAuthorityVerifies() throws Exception {
        TestCertificates ca = TestCertificates.newAuthority("spendstream test CA");
        TestCertificates.Issued server = ca.issue("localhost", List.of("localhost"), List.of("127.0.0.1"));
        X509Certificate cert = server.certificate();
        cert.verify(ca.authority().getPublicKey());
        assertThat(cert.getSubjectAlternativeNames().stream().map(l -> l.get(1).toString()).toList())
                .contains("localhost", "127.0.0.1");
        assertThat(cert.getBasicConstraints()).isEqualTo(-1); // not a CA
        TestCertificates other = TestCertificates.newAuthority("another CA");
        assertThatThrownBy(() -> cert.verify(other.authority().getPublicKey())).isInstanceOf(Exception.class);

        char[] pw = "changeit".toCharArray();
        KeyStore ks = KeyStore.getInstance("PKCS12");
        try (var in = Files.newInputStream(server.writeKeyStore(dir.resolve("server.p12"), pw))) {
            ks.load(in, pw);
        }
        assertThat(ks.getCertificateChain("server")).hasSize(2);
        assertThat(Files.readString(server.writeKeyPem(dir.resolve("key.pem")))).startsWith("-----BEGIN PRIVATE KEY-----");
        assertThat(Files.readString(server.writeCertificatePem(dir.resolve("cert.pem"))))
                .containsPattern("(?s)BEGIN CERTIFICATE.*BEGIN CERTIFICATE");
    }
}
