package io.spendstream.schemas.registry;

import io.spendstream.config.ConfigException;
import io.spendstream.config.Secret;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.KeyStore;
import java.security.cert.Certificate;
import java.security.cert.CertificateFactory;
import javax.net.ssl.SSLContext;
import javax.net.ssl.TrustManagerFactory;

/**
 * The CA certificates a registry's HTTPS certificate is checked against, for a registry behind a
 * private CA: a PEM file of one or more certificates, or a PKCS12 trust store with its password. It
 * replaces the JDK's default CAs for the registry client only.
 *
 * @param file     PEM or PKCS12 ({@code SPENDSTREAM_SCHEMA_REGISTRY_TRUSTSTORE})
 * @param password the PKCS12 password; null for PEM ({@code SPENDSTREAM_SCHEMA_REGISTRY_TRUSTSTORE_PASSWORD})
 */
public record RegistryTrustStore(Path file, Secret password) {
    public static final String FILE_KEY = "SPENDSTREAM_SCHEMA_REGISTRY_TRUSTSTORE";

    /** An SSL context trusting exactly these CAs; fails with the setting's name on an unreadable file. */
    public SSLContext sslContext() {
        try {
            TrustManagerFactory tmf = TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
            tmf.init(load());
            SSLContext context = SSLContext.getInstance("TLS");
            context.init(null, tmf.getTrustManagers(), null);
            return context;
        } catch (IOException | GeneralSecurityException | RuntimeException e) {
            throw new ConfigException(FILE_KEY, file.toString(), "a PEM file of CA certificates, or a PKCS12 trust"
                    + " store with its _PASSWORD (" + e.getClass().getSimpleName() + ": " + e.getMessage() + ")");
        }
    }

    private KeyStore load() throws IOException, GeneralSecurityException {
        byte[] bytes = Files.readAllBytes(file);
        KeyStore store = KeyStore.getInstance("PKCS12");
        if (new String(bytes, 0, Math.min(bytes.length, 200), StandardCharsets.US_ASCII).contains("-----BEGIN")) {
            store.load(null, null);
            int i = 0;
            try (InputStream in = Files.newInputStream(file)) {
                for (Certificate c : CertificateFactory.getInstance("X.509").generateCertificates(in)) {
                    store.setCertificateEntry("ca-" + i++, c);
                }
            }
            if (i == 0) {
                throw new GeneralSecurityException("no certificate in the PEM file");
            }
        } else {
            try (InputStream in = Files.newInputStream(file)) {
                store.load(in, password == null ? null : password.reveal().toCharArray());
            }
        }
        return store;
    }
}
