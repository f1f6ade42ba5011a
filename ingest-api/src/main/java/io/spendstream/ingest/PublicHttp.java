package io.spendstream.ingest;

import io.spendstream.config.ConfigException;
import io.spendstream.config.Settings;
import java.net.URI;
import java.net.URISyntaxException;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.Set;

/**
 * How the public port faces browsers and the network: TLS, and the origins allowed to call it from a web
 * page (CORS).
 *
 * @param tls         certificate chain and key; null: plain HTTP (TLS terminated in front, or a local run)
 * @param corsOrigins exact origins ({@code https://app.example.com}) that may call the API from a browser;
 *                    empty: no CORS headers at all, so browsers keep other sites' pages out
 */
public record PublicHttp(PublicTls tls, Set<String> corsOrigins) {
    public static final String CORS_ORIGINS = "SPENDSTREAM_HTTP_CORS_ORIGINS";

    public PublicHttp {
        corsOrigins = Set.copyOf(corsOrigins);
    }

    static PublicHttp from(Settings s) {
        Path cert = s.path(PublicTls.CERT, null);
        Path key = s.path(PublicTls.KEY, null);
        String origins = s.string(CORS_ORIGINS, "");
        if ((cert == null) != (key == null)) {
            String missing = cert == null ? PublicTls.CERT : PublicTls.KEY;
            throw new ConfigException(missing, null, "set both " + PublicTls.CERT + " and " + PublicTls.KEY
                    + " (TLS on the public port) or neither");
        }
        List<String> list = Arrays.stream(origins.split(",")).map(String::strip).filter(o -> !o.isEmpty()).toList();
        for (String o : list) {
            if (!isOrigin(o)) {
                throw new ConfigException(CORS_ORIGINS, o, "comma-separated exact origins such as"
                        + " https://app.example.com (scheme, host and optional port; no path, no wildcard)");
            }
        }
        return new PublicHttp(cert == null ? null : PublicTls.load(cert, key), Set.copyOf(list));
    }

    private static boolean isOrigin(String o) {
        try {
            URI u = new URI(o);
            return ("https".equals(u.getScheme()) || "http".equals(u.getScheme())) && u.getHost() != null
                    && !u.getHost().contains("*") && u.getRawUserInfo() == null && u.getRawPath().isEmpty()
                    && u.getRawQuery() == null && u.getRawFragment() == null;
        } catch (URISyntaxException e) {
            return false;
        }
    }

    public boolean tlsEnabled() {
        return tls != null;
    }
}
