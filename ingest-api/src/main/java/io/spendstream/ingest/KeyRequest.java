package io.spendstream.ingest;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.time.format.DateTimeParseException;
import java.time.temporal.ChronoUnit;
import java.util.EnumSet;
import java.util.List;
import java.util.Set;

/**
 * The body of {@code POST /v1/admin/orgs/{org}/keys}, validated: an optional {@code name}, the {@code scopes}
 * (default: every scope, so a client that sends none gets a key that works everywhere, as before scopes), and an
 * optional {@code expires_at} (RFC 3339, in the future, at most {@link #MAX_LIFETIME_YEARS} years ahead).
 *
 * @param name      null when absent
 * @param scopes    at least one, in {@link Scope} order
 * @param expiresAt null: the key never expires
 */
record KeyRequest(String name, List<Scope> scopes, Instant expiresAt) {
    static final Set<String> FIELDS = Set.of("name", "scopes", "expires_at");
    static final int MAX_NAME = 256;
    /** A bound on a key's life, so a forgotten key cannot be made to last for ever by a typo in the year. */
    static final int MAX_LIFETIME_YEARS = 2;

    /** A field is invalid; the message is the problem's detail. */
    static final class Invalid extends Exception {
        Invalid(String message) {
            super(message, null, false, false);
        }
    }

    /** @param body an object with only {@link #FIELDS} (checked by the caller) */
    static KeyRequest parse(ObjectNode body, Instant now) throws Invalid {
        return new KeyRequest(name(body.get("name")), scopes(body.get("scopes")), expiresAt(body.get("expires_at"), now));
    }

    private static String name(JsonNode n) throws Invalid {
        if (n == null) {
            return null;
        }
        if (!n.isTextual() || n.textValue().length() > MAX_NAME) {
            throw new Invalid("name must be a string of at most " + MAX_NAME + " characters");
        }
        return n.textValue();
    }

    private static List<Scope> scopes(JsonNode n) throws Invalid {
        if (n == null) {
            return List.of(Scope.values());
        }
        String expected = "scopes must be a non-empty array of " + String.join(", ", Scope.ids());
        if (!n.isArray() || n.isEmpty()) {
            throw new Invalid(expected);
        }
        EnumSet<Scope> out = EnumSet.noneOf(Scope.class);
        for (JsonNode s : n) {
            if (!s.isTextual()) {
                throw new Invalid(expected);
            }
            out.add(Scope.parse(s.textValue()).orElseThrow(() -> new Invalid("unknown scope "
                    + Problem.clip(s.textValue(), 64) + "; " + expected)));
        }
        return List.copyOf(out);
    }

    private static Instant expiresAt(JsonNode n, Instant now) throws Invalid {
        if (n == null || n.isNull()) {
            return null;
        }
        String expected = "expires_at must be an RFC 3339 date-time with an offset (e.g. 2027-01-31T00:00:00Z),"
                + " in the future and at most " + MAX_LIFETIME_YEARS + " years ahead";
        if (!n.isTextual()) {
            throw new Invalid(expected);
        }
        Instant at;
        try {
            at = OffsetDateTime.parse(n.textValue(), DateTimeFormatter.ISO_OFFSET_DATE_TIME).toInstant()
                    .truncatedTo(ChronoUnit.MILLIS);
        } catch (DateTimeParseException e) {
            throw new Invalid(expected);
        }
        if (!at.isAfter(now) || at.isAfter(now.atOffset(ZoneOffset.UTC).plusYears(MAX_LIFETIME_YEARS).toInstant())) {
            throw new Invalid(expected);
        }
        return at;
    }

    /** The scopes as stored on the key. */
    List<String> scopeIds() {
        return scopes.stream().map(Scope::id).toList();
    }
}
