package io.spendstream.http;

import io.spendstream.config.ConfigException;
import io.spendstream.config.Secret;
import java.net.InetAddress;
import java.net.UnknownHostException;

/**
 * Who may call a service's {@code /internal/...} routes, decided from its ops bind address and the shared
 * service token ({@value #TOKEN_KEY}). On a loopback address only processes on the same machine can reach
 * the port, so the token is optional there; anywhere else it is required, because those routes answer any
 * org's budget status or spend to whoever asks.
 *
 * @param token the service token, or null: the internal routes are open (loopback binds only)
 */
public record InternalAccess(Secret token) {
    public static final String TOKEN_KEY = "SPENDSTREAM_INTERNAL_TOKEN";
    /** The header a caller of the internal routes sends the token in. */
    public static final String HEADER = "X-Spendstream-Service-Token";
    /** Long enough that guessing is hopeless at any request rate (e.g. {@code openssl rand -base64 32}). */
    public static final int MIN_TOKEN_LENGTH = 32;

    /**
     * Validates a service's setting pair.
     *
     * @param hostKey the service's bind host setting, named in the error
     * @param host    its value
     * @param token   the value of {@value #TOKEN_KEY}, or null
     */
    public static InternalAccess of(String hostKey, String host, Secret token) {
        if (token != null && token.reveal().length() < MIN_TOKEN_LENGTH) {
            throw new ConfigException(TOKEN_KEY, "<hidden>", "at least " + MIN_TOKEN_LENGTH + " characters");
        }
        if (token == null && !isLoopback(host)) {
            throw new ConfigException(TOKEN_KEY, null, "a service token of at least " + MIN_TOKEN_LENGTH
                    + " characters when " + hostKey + "=" + host + " is not a loopback address: the /internal/"
                    + " routes on that port answer for every org; set the same token on ingest-api, or bind "
                    + hostKey + " to 127.0.0.1");
        }
        return new InternalAccess(token);
    }

    /** True for 127.0.0.0/8, ::1 and names resolving to them; 0.0.0.0 (every interface) is not loopback. */
    static boolean isLoopback(String host) {
        try {
            return InetAddress.getByName(host).isLoopbackAddress();
        } catch (UnknownHostException e) {
            return false; // the bind fails later with its own message; without a token it is refused here
        }
    }

    @Override
    public String toString() { // never print the token
        return "InternalAccess[token=" + (token == null ? "unset" : "set") + "]";
    }
}
