package io.spendstream.ingest;

import io.vertx.core.http.HttpMethod;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.regex.Pattern;

/**
 * The one table of which API key route needs which {@link Scope}. {@link Authenticator} consults it for every
 * request it authenticates, by method and normalized path, so a route mounted anywhere on the port is covered
 * without repeating its scope at the mount. A route missing here needs only a valid key: add a line when adding
 * an API key route (OpenApiDocumentTest fails for a documented API key route that has no line).
 */
final class RouteScopes {
    private record Rule(Set<HttpMethod> methods, Pattern path, Scope scope) {
        Rule(HttpMethod method, String path, Scope scope) {
            this(Set.of(method), Pattern.compile(path), scope);
        }
    }

    private static final String SEGMENT = "[^/]+";
    private static final List<Rule> RULES = List.of(
            new Rule(HttpMethod.POST, "/v1/events", Scope.EVENTS_WRITE),
            new Rule(HttpMethod.GET, "/v1/spend", Scope.SPEND_READ),
            new Rule(HttpMethod.GET, "/v1/alerts", Scope.SPEND_READ),
            new Rule(HttpMethod.GET, "/v1/unpriced", Scope.SPEND_READ),
            new Rule(HttpMethod.GET, "/v1/reports/spend\\.csv", Scope.SPEND_READ),
            // Budgets: the list, one budget, and the status routes (/v1/budgets/status, /v1/budgets/{id}/status).
            new Rule(HttpMethod.GET, "/v1/budgets(/" + SEGMENT + "(/status)?)?", Scope.SPEND_READ),
            new Rule(HttpMethod.PUT, "/v1/budgets/" + SEGMENT, Scope.BUDGETS_WRITE),
            new Rule(HttpMethod.DELETE, "/v1/budgets/" + SEGMENT, Scope.BUDGETS_WRITE),
            // Alert channels, reads included: a channel's listing shows where an org's alerts go, and its
            // delivery log what the receivers answered.
            new Rule(Set.of(HttpMethod.GET, HttpMethod.POST, HttpMethod.PUT, HttpMethod.PATCH, HttpMethod.DELETE),
                    Pattern.compile("/v1/channels(/.*)?"), Scope.CHANNELS_WRITE));

    private RouteScopes() {}

    /** The scope a request needs, or empty when the route needs only a valid key. */
    static Optional<Scope> required(HttpMethod method, String path) {
        for (Rule r : RULES) {
            if (r.methods().contains(method) && r.path().matcher(path).matches()) {
                return Optional.of(r.scope());
            }
        }
        return Optional.empty();
    }
}
