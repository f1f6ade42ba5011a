package io.spendstream.sink.query;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.vertx.core.http.HttpHeaders;
import io.vertx.ext.web.Router;
import io.vertx.ext.web.RoutingContext;
import java.io.IOException;
import java.time.Duration;
import java.time.Instant;
import java.time.LocalDate;
import java.time.YearMonth;
import java.time.ZoneOffset;
import java.time.format.DateTimeParseException;
import java.util.Optional;
import java.util.Set;
import java.util.function.Function;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The spend query API as Vert.x routes. The org always comes from the Authorization header through
 * the given function (the public API's API-key authenticator), never from a parameter.
 *
 * <ul>
 *   <li>GET /v1/spend?from=&amp;to=&amp;granularity=minute|hour|day&amp;group_by=feature,model,provider</li>
 *   <li>GET /v1/alerts?since=</li>
 *   <li>GET /v1/unpriced?since=</li>
 *   <li>GET /v1/reports/spend.csv?month=YYYY-MM</li>
 * </ul>
 * Times are ISO-8601 instants (2026-11-01T00:00:00Z) or dates (2026-11-01, meaning UTC midnight).
 * Errors are RFC 9457 problem+json: 401 without a valid key, 400 for bad parameters.
 */
public final class QueryRoutes {
    private static final Logger LOG = LoggerFactory.getLogger(QueryRoutes.class);
    private static final ObjectMapper JSON = new ObjectMapper();
    private final SpendQueries queries;

    public QueryRoutes(SpendQueries queries) {
        this.queries = queries;
    }

    /** Adds the routes to {@code router}; {@code orgForAuthorizationHeader} gets the header value (or null). */
    public void mount(Router router, Function<String, Optional<String>> orgForAuthorizationHeader) {
        mount(router, "", ctx -> orgForAuthorizationHeader.apply(ctx.request().getHeader(HttpHeaders.AUTHORIZATION)));
    }

    /**
     * Adds the routes under {@value #INTERNAL_PREFIX}{@code {org_id}}, for ingest-api, which
     * authenticates the caller on the public port and forwards with the caller's org in the path. For the
     * service network: the org in the path is trusted, so SinkApp puts InternalAuth in front.
     */
    public void mountInternal(Router router) {
        mount(router, INTERNAL_PREFIX + ":org", ctx -> Optional.ofNullable(ctx.pathParam("org")).filter(o -> !o.isBlank()));
    }

    public static final String INTERNAL_PREFIX = "/internal/query/";

    private void mount(Router router, String prefix, Function<RoutingContext, Optional<String>> orgOf) {
        router.get(prefix + "/v1/spend").blockingHandler(ctx -> handle(ctx, orgOf, this::spend), false);
        router.get(prefix + "/v1/alerts").blockingHandler(ctx -> handle(ctx, orgOf, this::alerts), false);
        router.get(prefix + "/v1/unpriced").blockingHandler(ctx -> handle(ctx, orgOf, this::unpriced), false);
        router.get(prefix + "/v1/reports/spend.csv").blockingHandler(ctx -> handle(ctx, orgOf, this::csv), false);
    }

    private interface OrgHandler {
        void handle(RoutingContext ctx, String org) throws Exception;
    }

    private static void handle(RoutingContext ctx, Function<RoutingContext, Optional<String>> auth,
                               OrgHandler handler) {
        Optional<String> org;
        try {
            org = auth.apply(ctx);
        } catch (RuntimeException e) {
            org = Optional.empty();
        }
        if (org.isEmpty()) {
            problem(ctx, 401, "Unauthorized", "a valid API key is required in the Authorization header");
            return;
        }
        try {
            handler.handle(ctx, org.get());
        } catch (IllegalArgumentException | DateTimeParseException e) {
            problem(ctx, 400, "Bad Request", e.getMessage());
        } catch (Exception e) {
            LOG.error("query failed", e);
            problem(ctx, 503, "Service Unavailable", "the spend store cannot answer now");
        }
    }

    private void spend(RoutingContext ctx, String org) throws Exception {
        Instant from = instant(required(ctx, "from"), "from");
        Instant to = instant(required(ctx, "to"), "to");
        String g = ctx.queryParams().get("granularity");
        SpendQueries.Granularity granularity = SpendQueries.Granularity.parse(g == null ? "hour" : g);
        Set<SpendQueries.GroupBy> groupBy = SpendQueries.GroupBy.parseList(ctx.queryParams().get("group_by"));
        var rows = queries.spend(org, from, to, granularity, groupBy);
        ObjectNode body = JSON.createObjectNode();
        body.put("org_id", org).put("from", from.toString()).put("to", to.toString())
                .put("granularity", granularity.name().toLowerCase(java.util.Locale.ROOT));
        ArrayNode gb = body.putArray("group_by");
        groupBy.stream().sorted().forEach(x -> gb.add(x.column()));
        ArrayNode arr = body.putArray("rows");
        for (var r : rows) {
            ObjectNode n = arr.addObject();
            n.put("window_start", r.windowStart().toString());
            r.group().forEach(n::put);
            n.put("cost_usd", r.costUsd()).put("events", r.events()).put("errors", r.errors())
                    .put("unpriced_events", r.unpricedEvents());
            ObjectNode t = n.putObject("tokens");
            t.put("input", r.tokens().input()).put("output", r.tokens().output())
                    .put("cached_input", r.tokens().cachedInput()).put("cache_write", r.tokens().cacheWrite())
                    .put("reasoning", r.tokens().reasoning());
        }
        json(ctx, body);
    }

    private void alerts(RoutingContext ctx, String org) throws Exception {
        Instant since = since(ctx);
        ObjectNode body = JSON.createObjectNode();
        body.put("org_id", org).put("since", since.toString());
        ArrayNode arr = body.putArray("alerts");
        for (var a : queries.alerts(org, since)) {
            ObjectNode n = arr.addObject();
            n.put("alert_id", a.alertId()).put("budget_id", a.budgetId()).put("scope", a.scope())
                    .put("scope_value", a.scopeValue()).put("period_start", a.periodStart().toString())
                    .put("period_end", a.periodEnd().toString()).put("threshold_percent", a.thresholdPercent())
                    .put("kind", a.kind()).put("spend_usd", a.spendUsd()).put("limit_usd", a.limitUsd())
                    .put("projected_usd", a.projectedUsd()).put("triggered_at", a.triggeredAt().toString())
                    .put("trigger_event_id", a.triggerEventId());
        }
        json(ctx, body);
    }

    private void unpriced(RoutingContext ctx, String org) throws Exception {
        Instant since = since(ctx);
        ObjectNode body = JSON.createObjectNode();
        body.put("org_id", org).put("since", since.toString());
        ArrayNode arr = body.putArray("models");
        for (var u : queries.unpriced(org, since)) {
            ObjectNode n = arr.addObject();
            n.put("provider", u.provider()).put("model", u.model()).put("events", u.events());
            n.putObject("tokens").put("input", u.inputTokens()).put("output", u.outputTokens())
                    .put("total", u.totalTokens());
            n.put("first_seen", u.firstSeen().toString()).put("last_seen", u.lastSeen().toString());
        }
        json(ctx, body);
    }

    /** The {@code since} parameter; 30 days ago when absent. */
    private static Instant since(RoutingContext ctx) {
        String s = ctx.queryParams().get("since");
        return s == null ? Instant.now().minus(Duration.ofDays(30)) : instant(s, "since");
    }

    private void csv(RoutingContext ctx, String org) throws IOException {
        String m = required(ctx, "month");
        YearMonth month;
        try {
            month = YearMonth.parse(m);
        } catch (DateTimeParseException e) {
            throw new IllegalArgumentException("month must be YYYY-MM, not '" + m + "'");
        }
        String safeOrg = org.replaceAll("[^A-Za-z0-9._-]", "_");
        ctx.response().putHeader(HttpHeaders.CONTENT_TYPE, "text/csv; charset=utf-8")
                .putHeader("Content-Disposition", "attachment; filename=\"spend-" + safeOrg + "-" + month + ".csv\"");
        ChunkedResponseWriter out = new ChunkedResponseWriter(ctx.response(), CSV_CHUNK_CHARS, CLIENT_STALL_TIMEOUT);
        try {
            queries.monthlyCsv(org, month, out);
            out.close();
        } catch (IOException | RuntimeException e) {
            if (!ctx.response().headWritten()) {
                throw e; // nothing sent yet: answered as a problem like any other failure
            }
            LOG.warn("CSV export for org {} month {} stopped after the first bytes: {}", org, month, e.toString());
            out.abort();
        }
    }

    /** Chunks of about 32 KiB: few enough writes for throughput, small enough to bound memory per export. */
    static final int CSV_CHUNK_CHARS = 32 * 1024;
    /** A client that reads nothing for this long loses its export (and frees the query and its file). */
    static final Duration CLIENT_STALL_TIMEOUT = Duration.ofSeconds(60);

    private static String required(RoutingContext ctx, String name) {
        String v = ctx.queryParams().get(name);
        if (v == null || v.isBlank()) {
            throw new IllegalArgumentException("query parameter '" + name + "' is required");
        }
        return v.strip();
    }

    static Instant instant(String v, String name) {
        try {
            if (v.length() == 10) {
                return LocalDate.parse(v).atStartOfDay(ZoneOffset.UTC).toInstant();
            }
            return Instant.parse(v);
        } catch (DateTimeParseException e) {
            throw new IllegalArgumentException(name + " must be an ISO-8601 instant (2026-11-01T00:00:00Z) or a date"
                    + " (2026-11-01), not '" + v + "'");
        }
    }

    private static void json(RoutingContext ctx, ObjectNode body) throws Exception {
        ctx.response().putHeader(HttpHeaders.CONTENT_TYPE, "application/json").end(JSON.writeValueAsString(body));
    }

    private static void problem(RoutingContext ctx, int status, String title, String detail) {
        ObjectNode p = JSON.createObjectNode();
        p.put("type", "about:blank").put("title", title).put("status", status).put("detail", detail)
                .put("instance", ctx.request().path());
        ctx.response().setStatusCode(status).putHeader(HttpHeaders.CONTENT_TYPE, "application/problem+json")
                .end(p.toString());
    }
}
