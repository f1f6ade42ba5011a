package io.spendstream.ingest;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.spendstream.notifier.channel.AlertChannel;
import io.spendstream.notifier.channel.ChannelCodec;
import io.spendstream.notifier.channel.ChannelTable;
import io.spendstream.notifier.channel.UrlPolicy;
import io.spendstream.schema.Channel;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpMethod;
import io.vertx.ext.web.Router;
import io.vertx.ext.web.RoutingContext;
import io.vertx.ext.web.handler.BodyHandler;
import java.net.URI;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.Comparator;
import java.util.Locale;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.function.Consumer;
import org.apache.kafka.common.serialization.Serializer;

/**
 * The channel API of an org under its API key (the org is always the key's; another org's channels are
 * simply not found): {@code POST /v1/channels}, {@code GET /v1/channels}, {@code GET}, {@code PATCH} and
 * {@code DELETE /v1/channels/{id}}, {@code POST /v1/channels/{id}/rotate-secret}, and, forwarded to the
 * notifier, {@code GET /v1/channels/{id}/deliveries} and {@code POST /v1/channels/{id}/test}.
 *
 * <p>A channel's URL is checked with the {@link UrlPolicy} (https, every resolved address public) on a
 * worker thread, since resolving blocks; a refused URL is a 400 that says why. Writes go to the compacted
 * channels topic and are answered after Kafka acknowledged them, then applied to this instance's table.
 * A webhook's secret is in the 201 of its creation and in the answer of a rotation, never again.
 */
final class ChannelRoutes {
    static final int MAX_BODY_BYTES = 16 * 1024;

    private final ChannelConfig config;
    private final int retryAfterSeconds;
    private final Authenticator authenticator;
    private final ChannelTable table;
    private final EventPublisher publisher;
    private final Serializer<Channel> serializer;
    private final UpstreamProxy notifier;

    ChannelRoutes(ChannelConfig config, int retryAfterSeconds, Authenticator authenticator, ChannelTable table,
                  EventPublisher publisher, Serializer<Channel> serializer, UpstreamProxy notifier) {
        this.config = config;
        this.retryAfterSeconds = retryAfterSeconds;
        this.authenticator = authenticator;
        this.table = table;
        this.publisher = publisher;
        this.serializer = serializer;
        this.notifier = notifier;
    }

    void mount(Router router) {
        // Authentication first, on every channel path and method, before a body is read.
        router.route("/v1/channels").handler(authenticator.handler());
        router.route("/v1/channels/*").handler(authenticator.handler());
        BodyHandler body = BodyHandler.create(false).setBodyLimit(MAX_BODY_BYTES);
        router.get("/v1/channels").handler(this::list);
        router.post("/v1/channels").handler(body).handler(this::create);
        router.get("/v1/channels/:channel_id").handler(this::get);
        router.patch("/v1/channels/:channel_id").handler(body).handler(this::patch);
        router.delete("/v1/channels/:channel_id").handler(this::delete);
        router.post("/v1/channels/:channel_id/rotate-secret").handler(this::rotate);
        router.get("/v1/channels/:channel_id/deliveries").handler(ctx -> forward(ctx, HttpMethod.GET, "deliveries"));
        router.post("/v1/channels/:channel_id/test").handler(ctx -> forward(ctx, HttpMethod.POST, "test"));
    }

    private void list(RoutingContext ctx) {
        if (notLoaded(ctx)) {
            return;
        }
        ObjectNode out = Problem.JSON.createObjectNode();
        ArrayNode channels = out.putArray("channels");
        table.list(orgOf(ctx)).stream().sorted(Comparator.comparing(AlertChannel::createdAt))
                .forEach(c -> channels.add(json(c)));
        send(ctx, 200, out);
    }

    private void get(RoutingContext ctx) {
        Optional<AlertChannel> c = existing(ctx);
        c.ifPresent(channel -> send(ctx, 200, json(channel)));
    }

    private void create(RoutingContext ctx) {
        if (notLoaded(ctx) || notJson(ctx)) {
            return;
        }
        String orgId = orgOf(ctx);
        ChannelRequest request;
        try {
            request = ChannelRequest.parse(bytes(ctx), true);
        } catch (ChannelRequest.Invalid e) {
            e.problem().send(ctx);
            return;
        }
        if (table.count(orgId) >= config.maxChannelsPerOrg()) {
            Problem.of(ProblemType.CONFLICT, "the org has " + table.count(orgId) + " channels, the most allowed;"
                    + " delete one before creating another").send(ctx);
            return;
        }
        checkUrl(ctx, request.url(), url -> {
            AlertChannel channel = request.create(orgId, url, now());
            write(ctx, channel, () -> {
                ObjectNode body = json(channel);
                if (channel.secrets() != null) {
                    body.put("secret", channel.secrets().current()); // the only time it is shown
                }
                ctx.response().putHeader("Location", "/v1/channels/" + channel.id());
                send(ctx, 201, body);
            });
        });
    }

    private void patch(RoutingContext ctx) {
        if (notJson(ctx)) {
            return;
        }
        Optional<AlertChannel> old = existing(ctx);
        if (old.isEmpty()) {
            return;
        }
        ChannelRequest request;
        try {
            request = ChannelRequest.parse(bytes(ctx), false);
        } catch (ChannelRequest.Invalid e) {
            e.problem().send(ctx);
            return;
        }
        Consumer<URI> apply = url -> {
            AlertChannel changed;
            try {
                changed = request.patch(old.get(), url, now());
            } catch (ChannelRequest.Invalid e) {
                e.problem().send(ctx);
                return;
            }
            write(ctx, changed, () -> send(ctx, 200, json(changed)));
        };
        if (request.url() == null) {
            apply.accept(null);
        } else {
            checkUrl(ctx, request.url(), apply);
        }
    }

    private void delete(RoutingContext ctx) {
        Optional<AlertChannel> c = existing(ctx);
        if (c.isEmpty()) {
            return;
        }
        String key = ChannelCodec.key(c.get().orgId(), c.get().id());
        respondAfter(ctx, publisher.writeTableRecord(config.channelsTopic(), key, null), offset -> {
            table.remove(c.get().orgId(), c.get().id(), offset);
            if (open(ctx)) {
                ctx.response().setStatusCode(204).end();
            }
        });
    }

    private void rotate(RoutingContext ctx) {
        Optional<AlertChannel> c = existing(ctx);
        if (c.isEmpty()) {
            return;
        }
        if (c.get().secrets() == null) {
            Problem.of(ProblemType.CONFLICT, "only webhook channels have a signing secret").send(ctx);
            return;
        }
        Instant now = now();
        AlertChannel rotated = c.get().withSecrets(c.get().secrets().rotate(now), now);
        write(ctx, rotated, () -> {
            ObjectNode body = Problem.JSON.createObjectNode();
            body.put("channel_id", rotated.id());
            body.put("secret", rotated.secrets().current());
            body.put("previous_secret_expires_at", rotated.secrets().previousExpiresAt().toString());
            send(ctx, 200, body);
        });
    }

    private void forward(RoutingContext ctx, HttpMethod method, String what) {
        if (existing(ctx).isEmpty()) {
            return;
        }
        String query = ctx.request().query();
        notifier.forward(ctx, method, "/internal/channels/" + UpstreamProxy.encodeSegment(orgOf(ctx)) + "/"
                + UpstreamProxy.encodeSegment(ctx.pathParam("channel_id")) + "/" + what
                + (query == null || query.isEmpty() ? "" : "?" + query));
    }

    /** Checks the URL's form and addresses on a worker thread, then continues on the event loop. */
    private void checkUrl(RoutingContext ctx, String url, Consumer<URI> then) {
        UrlPolicy policy = config.urlPolicy();
        ctx.vertx().executeBlocking(() -> {
            try {
                return policy.check(url);
            } catch (UrlPolicy.Refused e) {
                throw new RefusedUrl(e.getMessage());
            }
        }, false).onComplete(ar -> {
            if (ar.succeeded()) {
                then.accept(ar.result());
            } else if (ar.cause() instanceof RefusedUrl r) {
                Problem.of(ProblemType.VALIDATION_FAILED, r.getMessage()).send(ctx);
            } else {
                Problem.of(ProblemType.UNAVAILABLE, "cannot check url right now").retryAfter(retryAfterSeconds).send(ctx);
            }
        });
    }

    private static final class RefusedUrl extends RuntimeException {
        RefusedUrl(String message) {
            super(message, null, false, false);
        }
    }

    private void write(RoutingContext ctx, AlertChannel channel, Runnable answer) {
        byte[] value = serializer.serialize(config.channelsTopic(), ChannelCodec.toAvro(channel));
        respondAfter(ctx, publisher.writeTableRecord(config.channelsTopic(),
                ChannelCodec.key(channel.orgId(), channel.id()), value), offset -> {
            table.apply(channel, offset);
            if (open(ctx)) {
                answer.run();
            }
        });
    }

    /** The API's channel JSON: never the secret; Slack and Teams URLs only up to the host (they are credentials). */
    static ObjectNode json(AlertChannel c) {
        ObjectNode n = Problem.JSON.createObjectNode();
        n.put("channel_id", c.id());
        n.put("kind", c.kind().name().toLowerCase(Locale.ROOT));
        n.put("name", c.name());
        n.put("url", c.displayUrl());
        n.put("enabled", c.enabled());
        ObjectNode f = n.putObject("filter");
        ArrayNode budgets = f.putArray("budget_ids");
        c.filter().budgetIds().stream().sorted().forEach(budgets::add);
        ArrayNode scopes = f.putArray("scopes");
        c.filter().scopes().stream().map(s -> s.name().toLowerCase(Locale.ROOT)).sorted().forEach(scopes::add);
        ArrayNode kinds = f.putArray("alert_kinds");
        c.filter().kinds().stream().map(k -> k.name().toLowerCase(Locale.ROOT)).sorted().forEach(kinds::add);
        f.put("min_threshold_percent", c.filter().minThresholdPercent());
        if (c.secrets() != null && c.secrets().previousExpiresAt() != null) {
            n.put("previous_secret_expires_at", c.secrets().previousExpiresAt().toString());
        }
        n.put("created_at", c.createdAt().toString());
        n.put("updated_at", c.updatedAt().toString());
        return n;
    }

    private Optional<AlertChannel> existing(RoutingContext ctx) {
        if (notLoaded(ctx)) {
            return Optional.empty();
        }
        String id = ctx.pathParam("channel_id");
        Optional<AlertChannel> c = table.get(orgOf(ctx), id);
        if (c.isEmpty()) {
            Problem.of(ProblemType.NOT_FOUND, "no channel " + Problem.clip(id, 128)).send(ctx);
        }
        return c;
    }

    private boolean notLoaded(RoutingContext ctx) {
        if (table.loaded()) {
            return false;
        }
        Problem.of(ProblemType.UNAVAILABLE, "this instance is still loading the channels; retry later")
                .retryAfter(retryAfterSeconds).send(ctx);
        return true;
    }

    private static boolean notJson(RoutingContext ctx) {
        if (IngestApi.format(ctx.request().getHeader("Content-Type")) == EventParser.Format.JSON) {
            return false;
        }
        Problem.of(ProblemType.UNSUPPORTED_MEDIA_TYPE, "Content-Type must be application/json").send(ctx);
        return true;
    }

    private void respondAfter(RoutingContext ctx, CompletableFuture<Long> write, Consumer<Long> onSuccess) {
        Problem.respondAfter(ctx, write, retryAfterSeconds, "; the change may not have been made, check with GET"
                + " and retry", onSuccess);
    }

    private static byte[] bytes(RoutingContext ctx) {
        Buffer b = ctx.body().buffer();
        return b == null ? null : b.getBytes();
    }

    private static Instant now() {
        return Instant.now().truncatedTo(ChronoUnit.MILLIS);
    }

    private static String orgOf(RoutingContext ctx) {
        return Authenticator.principal(ctx).orgId();
    }

    private static boolean open(RoutingContext ctx) {
        return !ctx.response().ended() && !ctx.response().closed();
    }

    private static void send(RoutingContext ctx, int status, ObjectNode body) {
        if (open(ctx)) {
            ctx.response().setStatusCode(status).putHeader("Content-Type", IngestApi.JSON_TYPE).end(body.toString());
        }
    }
}
