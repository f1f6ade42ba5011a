package io.spendstream.notifier.channel;

import io.spendstream.config.Settings;
import java.net.Inet4Address;
import java.net.Inet6Address;
import java.net.InetAddress;
import java.net.URI;
import java.net.URISyntaxException;
import java.net.UnknownHostException;
import java.util.List;
import java.util.Locale;

/**
 * Which channel URLs spendstream may send requests to (the SSRF guard). A URL must be https with a host,
 * no user info and no fragment, and every address its host resolves to must be public: loopback,
 * link-local (which holds the cloud metadata address 169.254.169.254), private, carrier-grade NAT,
 * unique-local, multicast and reserved ranges are refused. The same check runs when a channel is created
 * and before every connection ({@link #resolve}), and the connection goes to the address that was checked,
 * so a DNS answer that changes in between (rebinding) cannot reach an internal address.
 *
 * <p>{@code SPENDSTREAM_CHANNELS_ALLOW_LOOPBACK=true} (the local run) lets loopback addresses through, over
 * plain http too, since TLS to the same machine protects nothing; {@code SPENDSTREAM_CHANNELS_ALLOW_PRIVATE=true}
 * lets private and unique-local ranges through (a receiver on the company network). Link-local and
 * metadata addresses are never allowed.
 */
public record UrlPolicy(boolean allowLoopback, boolean allowPrivate) {
    public static final String ALLOW_LOOPBACK = "SPENDSTREAM_CHANNELS_ALLOW_LOOPBACK";
    public static final String ALLOW_PRIVATE = "SPENDSTREAM_CHANNELS_ALLOW_PRIVATE";
    public static final UrlPolicy STRICT = new UrlPolicy(false, false);

    public static UrlPolicy from(Settings s) {
        return new UrlPolicy(s.bool(ALLOW_LOOPBACK, false), s.bool(ALLOW_PRIVATE, false));
    }

    /** A URL or address the policy refuses, with the reason in words an API client can act on. */
    public static final class Refused extends Exception {
        public Refused(String reason) {
            super(reason);
        }
    }

    /** Parses and checks a URL's form (not its addresses). */
    public URI parse(String url) throws Refused {
        URI u;
        try {
            u = new URI(url);
        } catch (URISyntaxException e) {
            throw new Refused("url is not a valid URL: " + e.getReason());
        }
        if (!u.isAbsolute() || u.getHost() == null || u.getRawAuthority() == null) {
            throw new Refused("url must be an absolute https URL with a host");
        }
        String scheme = u.getScheme().toLowerCase(Locale.ROOT);
        if (!scheme.equals("https") && !(scheme.equals("http") && allowLoopback)) {
            throw new Refused("url must use https");
        }
        if (u.getRawUserInfo() != null) {
            throw new Refused("url must not contain user info");
        }
        if (u.getRawFragment() != null) {
            throw new Refused("url must not contain a fragment");
        }
        return u;
    }

    /**
     * Resolves the URL's host and checks every address; returns the first, to connect to. Plain http is
     * accepted only when every address is loopback (and loopback is allowed). Blocking (DNS).
     */
    public InetAddress resolve(URI url) throws Refused {
        InetAddress[] addresses;
        try {
            addresses = InetAddress.getAllByName(url.getHost());
        } catch (UnknownHostException e) {
            throw new Refused("the host " + url.getHost() + " of url does not resolve");
        }
        for (InetAddress a : addresses) {
            String why = refusal(a);
            if (why != null) {
                throw new Refused("url's host " + url.getHost() + " resolves to " + a.getHostAddress() + ", " + why
                        + "; channels must point to public addresses");
            }
            if ("http".equalsIgnoreCase(url.getScheme()) && !a.isLoopbackAddress()) {
                throw new Refused("url must use https (plain http is allowed for loopback receivers only)");
            }
        }
        return addresses[0];
    }

    /** Parses, checks and resolves: what the API does at creation. */
    public URI check(String url) throws Refused {
        URI u = parse(url);
        resolve(u);
        return u;
    }

    /** Why an address is refused, or null when it is allowed. */
    public String refusal(InetAddress a) {
        if (a.isLoopbackAddress()) {
            return allowLoopback ? null : "a loopback address";
        }
        if (a.isLinkLocalAddress()) {
            return "a link-local address (this range holds cloud metadata services)";
        }
        if (a.isAnyLocalAddress()) {
            return "the unspecified address";
        }
        if (a.isMulticastAddress()) {
            return "a multicast address";
        }
        byte[] b = a.getAddress();
        if (a instanceof Inet4Address) {
            int first = b[0] & 0xff;
            int second = b[1] & 0xff;
            if (first == 0 || first >= 240 || (first == 192 && second == 0 && (b[2] & 0xff) == 0)
                    || (first == 198 && (second == 18 || second == 19))) {
                return "a reserved address";
            }
            if (a.isSiteLocalAddress() || (first == 100 && second >= 64 && second < 128)) {
                return allowPrivate ? null : "a private address";
            }
        } else if (a instanceof Inet6Address) {
            if ((b[0] & 0xfe) == 0xfc || a.isSiteLocalAddress()) { // fc00::/7 unique-local (holds fd00:ec2::254)
                return allowPrivate ? null : "a private (unique-local) address";
            }
            if (isEmbeddedIpv4(b)) {
                try {
                    return refusal(InetAddress.getByAddress(new byte[] {b[12], b[13], b[14], b[15]}));
                } catch (UnknownHostException e) {
                    return "an unreadable address";
                }
            }
        }
        return null;
    }

    /** IPv4-compatible (::a.b.c.d) and NAT64 (64:ff9b::/96) forms carry an IPv4 address to check too. */
    private static boolean isEmbeddedIpv4(byte[] b) {
        boolean zeros = true;
        for (int i = 0; i < 12; i++) {
            zeros &= b[i] == 0;
        }
        boolean nat64 = b[0] == 0 && b[1] == 0x64 && (b[2] & 0xff) == 0xff && (b[3] & 0xff) == 0x9b
                && List.of(b[4], b[5], b[6], b[7], b[8], b[9], b[10], b[11]).stream().allMatch(x -> x == 0);
        return zeros || nat64;
    }
}
