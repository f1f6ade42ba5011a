package io.spendstream.ingest;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.security.SecureRandom;
import java.util.Base64;
import java.util.HexFormat;

/**
 * API key material: keys are {@code sk_} followed by 32 random bytes in unpadded base64url (46
 * characters); the stored prefix is the key's first 8 characters ({@code sk_} plus 5 random ones, enough
 * to recognise a key in a list). Only the SHA-256 of the whole key is stored.
 */
public final class ApiKeys {
    public static final String KEY_PREFIX = "sk_";
    public static final int PREFIX_LENGTH = 8;
    private static final SecureRandom RANDOM = new SecureRandom();
    private static final Base64.Encoder B64 = Base64.getUrlEncoder().withoutPadding();

    private ApiKeys() {}

    /** A new random API key (plaintext; shown to the caller once). */
    public static String newKey() {
        byte[] b = new byte[32];
        RANDOM.nextBytes(b);
        return KEY_PREFIX + B64.encodeToString(b);
    }

    /** A new public key id, e.g. key_3f9c0a1b2c4d5e6f. */
    public static String newKeyId() {
        byte[] b = new byte[8];
        RANDOM.nextBytes(b);
        return "key_" + HexFormat.of().formatHex(b);
    }

    public static String prefix(String key) {
        return key.substring(0, Math.min(PREFIX_LENGTH, key.length()));
    }

    public static byte[] sha256(String key) {
        return sha256(key.getBytes(StandardCharsets.UTF_8));
    }

    public static byte[] sha256(byte[] bytes) {
        try {
            return MessageDigest.getInstance("SHA-256").digest(bytes);
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("SHA-256 missing from the JDK", e);
        }
    }

    /** Constant-time comparison of two secrets' bytes (length leaks, content does not). */
    public static boolean constantTimeEquals(byte[] a, byte[] b) {
        return MessageDigest.isEqual(a, b);
    }

    /** Constant-time comparison of two strings: compares their SHA-256 so neither length nor content leaks. */
    public static boolean constantTimeEquals(String presented, String expected) {
        if (presented == null || expected == null) {
            return false;
        }
        return MessageDigest.isEqual(sha256(presented), sha256(expected));
    }
}
