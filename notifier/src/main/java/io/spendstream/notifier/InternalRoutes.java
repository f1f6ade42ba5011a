package io.spendstream.notifier;

import com.fasterxml.jackson.databind.node.ObjectNode;
import io.spendstream.notifier.channel.AlertChannel;
import io.spendstream.notifier.channel.ChannelTable;
import io.spendstream.notifier.delivery.DeliveryLog;
import io.spendstream.notifier.delivery.TestDelivery;
import io.vertx.core.Context;
import io.vertx.core.Vertx;
import io.vertx.ext.web.Router;
import io.vertx.ext.web.RoutingContext;
import java.util.Optional;

/**
 * The routes ingest-api forwards the delivery log and the test button to, with the caller's org in the
 * path (it authenticated the API key): {@code GET /internal/channels/{org}/{channel}/deliveries?limit=&cursor=}
 * and {@code POST /internal/channels/{org}/{channel}/test}. For the service network only, like the other
 * services' internal routes. Errors are problem+json like the public API's.
 */
final class InternalRoutes {
    static final int DEFAULT_PAGE = 20;
    static final int MAX_PAGE = 100;

    private final ChannelTable channels;
    private final DeliveryLog log;
    private final TestDelivery test;

    InternalRoutes(ChannelTable channels, DeliveryLog log, TestDelivery test) {
        this.channels = channels;
        this.log = log;
        this.test = test;
    }

    void mount(Router router) {
        router.get("/internal/channels/:org/:channel/deliveries").handler(this::deliveries);
        router.post("/internal/channels/:org/:channel/test").handler(this::test);
    }

    private void deliveries(RoutingContext ctx) {
        if (channel(ctx).isEmpty()) {
            return;
        }
        int limit;
        try {
            String l = ctx.request().getParam("limit");
            limit = l == null ? DEFAULT_PAGE : Integer.parseInt(l);
        } catch (NumberFormatException e) {
            limit = -1;
        }
        if (limit < 1 || limit > MAX_PAGE) {
            problem(ctx, 400, "invalid-request", "limit must be an integer from 1 to " + MAX_PAGE);
            return;
        }
        DeliveryLog.Page page;
        try {
            page = log.page(ctx.pathParam("org"), ctx.pathParam("channel"), limit, ctx.request().getParam("cursor"));
        } catch (IllegalArgumentException e) {
            problem(ctx, 400, "invalid-request", e.getMessage());
            return;
        }
        ObjectNode out = DeliveryJson.JSON.createObjectNode();
        page.deliveries().forEach(d -> out.withArray("deliveries").add(DeliveryJson.of(d)));
        out.withArray("deliveries");
        out.put("next_cursor", page.nextCursor());
        json(ctx, 200, out);
    }

    private void test(RoutingContext ctx) {
        Optional<AlertChannel> channel = channel(ctx);
        if (channel.isEmpty()) {
            return;
        }
        Context context = Vertx.currentContext();
        test.send(channel.get()).whenComplete((d, err) -> context.runOnContext(v -> {
            if (err != null) {
                ctx.response().putHeader("Retry-After", "1");
                problem(ctx, 503, "unavailable", "the test was sent but could not be recorded; retry");
            } else {
                json(ctx, 200, DeliveryJson.of(d));
            }
        }));
    }

    private Optional<AlertChannel> channel(RoutingContext ctx) {
        if (!channels.loaded() || !log.loaded()) {
            ctx.response().putHeader("Retry-After", "1");
            problem(ctx, 503, "unavailable", "the notifier is still loading; retry later");
            return Optional.empty();
        }
        Optional<AlertChannel> c = channels.get(ctx.pathParam("org"), ctx.pathParam("channel"));
        if (c.isEmpty()) {
            problem(ctx, 404, "not-found", "no channel " + clip(ctx.pathParam("channel")));
        }
        return c;
    }

    static void problem(RoutingContext ctx, int status, String type, String detail) {
        ObjectNode p = DeliveryJson.JSON.createObjectNode();
        p.put("type", "https://spendstream.dev/problems/" + type);
        p.put("title", type.replace('-', ' '));
        p.put("status", status);
        p.put("detail", detail);
        ctx.response().setStatusCode(status).putHeader("Content-Type", "application/problem+json").end(p.toString());
    }

    private static void json(RoutingContext ctx, int status, ObjectNode body) {
        ctx.response().setStatusCode(status).putHeader("Content-Type", "application/json").end(body.toString());
    }

    private static String clip(String s) {
        return s.length() <= 128 ? s : s.substring(0, 128) + "...";
    }
}
