package io.spendstream.notifier.payload;

import java.nio.charset.StandardCharsets;
import java.security.InvalidKeyException;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Instant;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.StringJoiner;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;

/**
 * The Standard Webhooks signature headers: {@code webhook-id}, {@code webhook-timestamp} (Unix seconds of
 * the attempt) and {@code webhook-signature}, one {@code v1,<base64 HMAC-SHA256 of "id.timestamp.body">}
 * per key, separated by spaces (the current secret, and the previous one during a rotation); and the
 * receiver's check of them, for the local demo's and the benchmark's loopback receivers.
 */
public final class StandardWebhooks {
    private StandardWebhooks() {}

    public static Map<String, String> headers(String id, Instant at, String body, List<byte[]> keys) {
        long timestamp = at.getEpochSecond();
        byte[] content = (id + "." + timestamp + "." + body).getBytes(StandardCharsets.UTF_8);
        StringJoiner signatures = new StringJoiner(" ");
        for (byte[] key : keys) {
            signatures.add("v1," + Base64.getEncoder().encodeToString(hmac(key, content)));
        }
        Map<String, String> h = new LinkedHashMap<>();
        h.put("webhook-id", id);
        h.put("webhook-timestamp", Long.toString(timestamp));
        h.put("webhook-signature", signatures.toString());
        return h;
    }

    /**
     * True when one of the {@code v1} signatures of a {@code webhook-signature} header is the HMAC of
     * {@code key} over "id.timestamp.body" (compared in constant time). Missing or malformed headers are
     * false. It does not judge the timestamp's age: that tolerance is the receiver's policy.
     */
    public static boolean verifies(String id, String timestamp, String signatureHeader, String body, byte[] key) {
        if (id == null || timestamp == null || signatureHeader == null || !timestamp.matches("\\d{1,12}")) {
            return false;
        }
        byte[] expected = hmac(key, (id + "." + timestamp + "." + body).getBytes(StandardCharsets.UTF_8));
        for (String signature : signatureHeader.split(" ")) {
            if (signature.startsWith("v1,") && MessageDigest.isEqual(expected, decode(signature.substring(3)))) {
                return true;
            }
        }
        return false;
    }

    private static byte[] decode(String base64) {
        try {
            return Base64.getDecoder().decode(base64);
        } catch (IllegalArgumentException e) {
            return new byte[0]; // not base64: matches no HMAC
        }
    }

    private static byte[] hmac(byte[] key, byte[] content) {
        try {
            Mac mac = Mac.getInstance("HmacSHA256");
            mac.init(new SecretKeySpec(key, "HmacSHA256"));
            return mac.doFinal(content);
        } catch (NoSuchAlgorithmException | InvalidKeyException e) {
            throw new IllegalStateException("HmacSHA256 is part of every JDK", e);
        }
    }
}
