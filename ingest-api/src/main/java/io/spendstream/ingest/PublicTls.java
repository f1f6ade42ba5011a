package io.spendstream.ingest;

import io.spendstream.config.ConfigException;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.KeyFactory;
import java.security.cert.CertificateFactory;
import java.security.spec.PKCS8EncodedKeySpec;
import java.util.Base64;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The public port's certificate chain and private key, read from PEM files and checked when the service
 * starts, so that a wrong path or a truncated file stops start-up with the setting's name rather than
 * failing each handshake later.
 *
 * @param certFile      the chain's file ({@value #CERT}): the server certificate first, then intermediates
 * @param keyFile       the key's file ({@value #KEY}): PKCS#8 ({@code PRIVATE KEY}), or RSA / EC PEM
 * @param certChainPem  the chain as read
 * @param keyPem        the key as read
 */
public record PublicTls(Path certFile, Path keyFile, String certChainPem, String keyPem) {
    public static final String CERT = "SPENDSTREAM_HTTP_TLS_CERT";
    public static final String KEY = "SPENDSTREAM_HTTP_TLS_KEY";
    private static final Pattern PEM_BLOCK = Pattern.compile(
            "-----BEGIN ([A-Z0-9 ]+)-----\\s*([A-Za-z0-9+/=\\s]+?)\\s*-----END \\1-----");
    private static final List<String> KEY_ALGORITHMS = List.of("EC", "RSA", "Ed25519", "Ed448");

    /** Reads and checks both files; a problem with either is a ConfigException naming its key. */
    static PublicTls load(Path certFile, Path keyFile) {
        String chain = read(CERT, certFile);
        String key = read(KEY, keyFile);
        try {
            if (CertificateFactory.getInstance("X.509")
                    .generateCertificates(new ByteArrayInputStream(chain.getBytes(StandardCharsets.US_ASCII)))
                    .isEmpty()) {
                throw new ConfigException(CERT, certFile.toString(), "a PEM file with at least one certificate");
            }
        } catch (GeneralSecurityException e) {
            throw new ConfigException(CERT, certFile.toString(), "a PEM certificate chain (" + e.getMessage() + ")");
        }
        checkKey(keyFile, key);
        return new PublicTls(certFile, keyFile, chain, key);
    }

    private static String read(String key, Path file) {
        try {
            return Files.readString(file, StandardCharsets.US_ASCII);
        } catch (IOException | RuntimeException e) {
            throw new ConfigException(key, file.toString(), "a readable PEM file (" + e + ")");
        }
    }

    private static void checkKey(Path keyFile, String pem) {
        Matcher m = PEM_BLOCK.matcher(pem);
        while (m.find()) {
            String type = m.group(1);
            if (!type.endsWith("PRIVATE KEY")) {
                continue; // e.g. the "EC PARAMETERS" block openssl writes before an EC key
            }
            byte[] der;
            try {
                der = Base64.getMimeDecoder().decode(m.group(2));
            } catch (IllegalArgumentException e) {
                break;
            }
            if (type.equals("RSA PRIVATE KEY") || type.equals("EC PRIVATE KEY")) {
                return; // PKCS#1 / SEC1: Netty parses them when the port opens; the JDK has no parser for them
            }
            if (type.equals("PRIVATE KEY") && parsesAsPkcs8(der)) {
                return;
            }
            break;
        }
        throw new ConfigException(KEY, keyFile.toString(), "an unencrypted PEM private key (PRIVATE KEY, RSA"
                + " PRIVATE KEY or EC PRIVATE KEY) of type " + String.join(", ", KEY_ALGORITHMS));
    }

    private static boolean parsesAsPkcs8(byte[] der) {
        for (String algorithm : KEY_ALGORITHMS) {
            try {
                KeyFactory.getInstance(algorithm).generatePrivate(new PKCS8EncodedKeySpec(der));
                return true;
            } catch (GeneralSecurityException e) {
                // another algorithm
            }
        }
        return false;
    }

    @Override
    public String toString() { // never print the key
        return "PublicTls[cert=" + certFile + ", key=" + keyFile + "]";
    }
}
