package io.spendstream.ingest;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.spendstream.schema.Budget;
import io.spendstream.schemas.money.Usd;
import io.vertx.core.buffer.Buffer;
import io.vertx.ext.web.Router;
import io.vertx.ext.web.RoutingContext;
import io.vertx.ext.web.handler.BodyHandler;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.Locale;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.function.Consumer;

/**
 * The budget API of an org under its API key ({@code Authorization: Bearer <api key>}; the org is always
 * the key's, so one org never sees or changes another's budgets, which are simply not found):
 * {@code PUT}, {@code GET} and {@code DELETE /v1/budgets/{budget_id}}, {@code GET /v1/budgets}, and the
 * budget status routes forwarded to the stream processor ({@link BudgetStatusProxy}).
 *
 * <p>A write is answered after Kafka acknowledged it, then applied to this instance's {@link BudgetTable}
 * at once (a read right after it here sees it); other instances get it through the topic. The per-org cap
 * is checked against this instance's table, so creates racing on several instances can exceed it by a few.
 * Until the table is loaded the routes answer 503: they would otherwise miss existing budgets.
 */
final class BudgetRoutes {
    /** A budget body is small; the same bound as the admin API. */
    static final int MAX_BODY_BYTES = 64 * 1024;

    private final IngestConfig config;
    private final Authenticator authenticator;
    private final BudgetTable table;
    private final EventPublisher publisher;
    private final BudgetStatusProxy status;

    BudgetRoutes(IngestConfig config, Authenticator authenticator, BudgetTable table, EventPublisher publisher,
                 BudgetStatusProxy status) {
        this.config = config;
        this.authenticator = authenticator;
        this.table = table;
        this.publisher = publisher;
        this.status = status;
    }

    void mount(Router router) {
        // Authentication first, on every budget path and method (before the body is read on PUT).
        router.route("/v1/budgets/*").handler(authenticator.handler()); // also matches /v1/budgets itself
        // The status routes come before GET /v1/budgets/{budget_id}, which would take "status" for an id.
        router.get("/v1/budgets/status").handler(status::orgStatus);
        router.get("/v1/budgets/:budget_id/status").handler(status::budgetStatus);
        router.get("/v1/budgets").handler(this::list);
        router.get("/v1/budgets/:budget_id").handler(this::get);
        router.put("/v1/budgets/:budget_id").handler(BodyHandler.create(false).setBodyLimit(MAX_BODY_BYTES))
                .handler(this::put);
        router.delete("/v1/budgets/:budget_id").handler(this::delete);
    }

    private void list(RoutingContext ctx) {
        if (notLoaded(ctx)) {
            return;
        }
        ObjectNode out = Problem.JSON.createObjectNode();
        ArrayNode budgets = out.putArray("budgets");
        table.list(orgOf(ctx)).forEach(b -> budgets.add(json(b)));
        sendJson(ctx, 200, out);
    }

    private void get(RoutingContext ctx) {
        if (notLoaded(ctx)) {
            return;
        }
        String budgetId = ctx.pathParam("budget_id");
        Optional<Budget> budget = table.get(orgOf(ctx), budgetId);
        if (budget.isEmpty()) {
            notFound(ctx, budgetId);
            return;
        }
        sendJson(ctx, 200, json(budget.get()));
    }

    private void put(RoutingContext ctx) {
        if (notLoaded(ctx)) {
            return;
        }
        if (IngestApi.format(ctx.request().getHeader("Content-Type")) != EventParser.Format.JSON) {
            Problem.of(ProblemType.UNSUPPORTED_MEDIA_TYPE, "Content-Type must be application/json").send(ctx);
            return;
        }
        String orgId = orgOf(ctx);
        String budgetId = ctx.pathParam("budget_id");
        Buffer body = ctx.body().buffer();
        BudgetRequest request;
        try {
            request = BudgetRequest.parse(budgetId, body == null ? null : body.getBytes(), Instant.now());
        } catch (BudgetRequest.Invalid e) {
            e.problem().send(ctx);
            return;
        }
        Optional<Budget> existing = table.get(orgId, budgetId);
        int count = table.count(orgId);
        if (existing.isEmpty() && count >= config.maxBudgetsPerOrg()) {
            Problem.of(ProblemType.CONFLICT, "the org has " + count + " budgets, the most allowed;"
                    + " delete one before creating another").send(ctx);
            return;
        }
        Instant now = Instant.now().truncatedTo(ChronoUnit.MILLIS);
        Budget budget = request.toBudget(orgId, budgetId, existing.map(Budget::getCreatedAt).orElse(now), now);
        respondAfter(ctx, publisher.write(budget), offset -> {
            table.apply(budget, offset);
            if (existing.isPresent()) {
                sendJson(ctx, 200, json(budget));
            } else if (open(ctx)) {
                ctx.response().putHeader("Location", "/v1/budgets/" + budgetId);
                sendJson(ctx, 201, json(budget));
            }
        });
    }

    private void delete(RoutingContext ctx) {
        if (notLoaded(ctx)) {
            return;
        }
        String orgId = orgOf(ctx);
        String budgetId = ctx.pathParam("budget_id");
        if (table.get(orgId, budgetId).isEmpty()) {
            notFound(ctx, budgetId);
            return;
        }
        respondAfter(ctx, publisher.deleteBudget(orgId, budgetId), offset -> {
            table.remove(orgId, budgetId, offset);
            if (open(ctx)) {
                ctx.response().setStatusCode(204).end();
            }
        });
    }

    /** The API's budget JSON: lower-case enums, limit as an exact 9-decimal string, ISO-8601 instants. */
    static ObjectNode json(Budget b) {
        ObjectNode n = Problem.JSON.createObjectNode();
        n.put("budget_id", b.getBudgetId());
        n.put("org_id", b.getOrgId());
        n.put("scope", b.getScope().name().toLowerCase(Locale.ROOT));
        n.put("scope_value", b.getScopeValue());
        n.put("period", b.getPeriod().name().toLowerCase(Locale.ROOT));
        n.put("time_zone", b.getTimeZone());
        n.put("limit_usd", Usd.format(b.getLimitUsdNanos()));
        ArrayNode thresholds = n.putArray("thresholds_percent");
        b.getThresholdsPercent().forEach(thresholds::add);
        n.put("enabled", b.getEnabled());
        n.put("created_at", b.getCreatedAt().toString());
        n.put("updated_at", b.getUpdatedAt().toString());
        return n;
    }

    private boolean notLoaded(RoutingContext ctx) {
        if (table.loaded()) {
            return false;
        }
        Problem.of(ProblemType.UNAVAILABLE, "this instance is still loading the budgets; retry later")
                .retryAfter(config.retryAfterSeconds()).send(ctx);
        return true;
    }

    /** Answers once the write is acknowledged, on the request's event loop; 503 when it is not. */
    private void respondAfter(RoutingContext ctx, CompletableFuture<Long> write, Consumer<Long> onSuccess) {
        // onSuccess applies the write to the table even when the client has gone
        Problem.respondAfter(ctx, write, config.retryAfterSeconds(), "; the change may not have been made,"
                + " retry the request (PUT and DELETE are idempotent)", onSuccess);
    }

    private static String orgOf(RoutingContext ctx) {
        return Authenticator.principal(ctx).orgId();
    }

    private static boolean open(RoutingContext ctx) {
        return !ctx.response().ended() && !ctx.response().closed();
    }

    private static void sendJson(RoutingContext ctx, int status, ObjectNode body) {
        if (!open(ctx)) {
            return;
        }
        ctx.response().setStatusCode(status).putHeader("Content-Type", IngestApi.JSON_TYPE).end(body.toString());
    }

    private static void notFound(RoutingContext ctx, String budgetId) {
        String id = budgetId.length() <= 128 ? budgetId : budgetId.substring(0, 128) + "...";
        Problem.of(ProblemType.NOT_FOUND, "no budget " + id).send(ctx);
    }
}
