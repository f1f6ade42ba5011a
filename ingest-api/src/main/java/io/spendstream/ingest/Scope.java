package io.spendstream.ingest;

import java.util.Arrays;
import java.util.Collection;
import java.util.EnumSet;
import java.util.List;
import java.util.Optional;
import java.util.Set;

/**
 * What an API key may do. Stored on the key as strings ({@code ApiKey.scopes}); a key stored without
 * scopes (before scopes existed) has every scope, so existing keys and clients keep working. Which route
 * needs which scope is {@link RouteScopes}.
 */
public enum Scope {
    /** {@code POST /v1/events}. */
    EVENTS_WRITE("events:write"),
    /** The spend queries, the alerts, the unpriced models, and reading budgets and their status. */
    SPEND_READ("spend:read"),
    /** Creating, changing and deleting budgets. */
    BUDGETS_WRITE("budgets:write"),
    /** Reserved for the alert channel routes (not built yet): granted and stored now so keys need no re-issue. */
    CHANNELS_WRITE("channels:write");

    private final String id;

    Scope(String id) {
        this.id = id;
    }

    /** The scope as the API and the stored key spell it, e.g. {@code spend:read}. */
    public String id() {
        return id;
    }

    public static Optional<Scope> parse(String id) {
        return Arrays.stream(values()).filter(s -> s.id.equals(id)).findFirst();
    }

    /** Every scope's id, in declaration order. */
    public static List<String> ids() {
        return Arrays.stream(values()).map(Scope::id).toList();
    }

    /**
     * The scopes a stored key grants: all of them when it has none recorded (null); scopes this version does
     * not know (written by a newer one) grant nothing here.
     */
    public static Set<Scope> granted(Collection<String> stored) {
        if (stored == null) {
            return EnumSet.allOf(Scope.class);
        }
        EnumSet<Scope> out = EnumSet.noneOf(Scope.class);
        stored.forEach(s -> parse(s).ifPresent(out::add));
        return out;
    }
}
