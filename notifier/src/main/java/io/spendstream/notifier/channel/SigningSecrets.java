package io.spendstream.notifier.channel;

import java.security.SecureRandom;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.Objects;

/**
 * The signing secrets of a webhook channel: the current one and, for a day after a rotation, the previous
 * one, which the Standard Webhooks specification lets a sender keep signing with so receivers can switch
 * without dropping a request. {@link #toString()} never shows a secret.
 *
 * @param current           {@code whsec_} + base64 of 32 random bytes
 * @param previous          the secret before the last rotation, or null
 * @param previousExpiresAt when {@code previous} stops signing, or null
 */
public record SigningSecrets(String current, String previous, Instant previousExpiresAt) {
    public static final String PREFIX = "whsec_";
    /** How long the previous secret keeps signing after a rotation. */
    public static final Duration OVERLAP = Duration.ofHours(24);
    private static final SecureRandom RANDOM = new SecureRandom();

    public SigningSecrets {
        Objects.requireNonNull(current);
        if ((previous == null) != (previousExpiresAt == null)) {
            throw new IllegalArgumentException("a previous secret needs its expiry and only then");
        }
    }

    public static SigningSecrets generate() {
        return new SigningSecrets(newSecret(), null, null);
    }

    /** A new current secret; the current one keeps signing until {@code now} + 24 h. */
    public SigningSecrets rotate(Instant now) {
        return new SigningSecrets(newSecret(), current, now.plus(OVERLAP));
    }

    /** The HMAC keys that sign at {@code now}: the current one first, then the previous one while it lasts. */
    public List<byte[]> keys(Instant now) {
        List<byte[]> keys = new ArrayList<>(2);
        keys.add(key(current));
        if (previous != null && now.isBefore(previousExpiresAt)) {
            keys.add(key(previous));
        }
        return keys;
    }

    /** The HMAC key of a secret: the base64 after the prefix, as the reference libraries decode it. */
    public static byte[] key(String secret) {
        String b64 = secret.startsWith(PREFIX) ? secret.substring(PREFIX.length()) : secret;
        return Base64.getDecoder().decode(b64);
    }

    private static String newSecret() {
        byte[] bytes = new byte[32];
        RANDOM.nextBytes(bytes);
        return PREFIX + Base64.getEncoder().encodeToString(bytes);
    }

    @Override
    public String toString() {
        return "SigningSecrets[current=whsec_***, previous=" + (previous == null ? "none" : "whsec_*** until "
                + previousExpiresAt) + "]";
    }
}
