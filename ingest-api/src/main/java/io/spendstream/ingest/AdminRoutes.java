package io.spendstream.ingest;

import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.StreamReadConstraints;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.spendstream.schema.ApiKey;
import io.spendstream.schema.ApiKeyState;
import io.spendstream.schema.Org;
import io.spendstream.schema.Sha256;
import io.vertx.ext.web.Router;
import io.vertx.ext.web.RoutingContext;
import io.vertx.ext.web.handler.BodyHandler;
import java.io.IOException;
import java.time.Instant;
import java.time.InstantSource;
import java.time.temporal.ChronoUnit;
import java.util.Iterator;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.function.Consumer;
import java.util.regex.Pattern;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The admin API under {@code Authorization: Bearer <admin token>} (any of {@link AdminTokens}; the token's name is
 * logged with every admin request): create and delete orgs, create API keys (the plaintext key is returned once;
 * only its SHA-256 and 8-character prefix are stored), list and revoke them. Every write goes to a compacted topic
 * and is answered after Kafka acknowledged it; it is then applied to this instance's {@link KeyTable} at once, and
 * reaches the other instances through the topic.
 *
 * <p>Deleting an org marks it deleted ({@code Org.deleted_at}) rather than writing a tombstone: the one record
 * stops every key of the org on every instance at once (the {@link Authenticator} checks the org), the keys stay
 * listable, and since compaction keeps the marker, the org_id can never be created again and revive them.
 */
final class AdminRoutes {
    static final Pattern ORG_ID = Pattern.compile("[a-z0-9][a-z0-9_-]{0,63}");
    private static final int MAX_NAME = 256;
    private static final ObjectMapper JSON = new ObjectMapper()
            .enable(DeserializationFeature.FAIL_ON_TRAILING_TOKENS)
            .enable(JsonParser.Feature.STRICT_DUPLICATE_DETECTION);

    static {
        JSON.getFactory().setStreamReadConstraints(StreamReadConstraints.builder().maxNestingDepth(8).build());
    }

    private static final Logger LOG = LoggerFactory.getLogger(AdminRoutes.class);

    private final IngestConfig config;
    private final AdminTokens tokens;
    private final KeyTable table;
    private final KeyUsageTable usage;
    private final EventPublisher publisher;
    private final InstantSource clock;

    AdminRoutes(IngestConfig config, AdminTokens tokens, KeyTable table, KeyUsageTable usage,
                EventPublisher publisher, InstantSource clock) {
        this.config = config;
        this.tokens = tokens;
        this.table = table;
        this.usage = usage;
        this.publisher = publisher;
        this.clock = clock;
    }

    void mount(Router router) {
        BodyHandler body = BodyHandler.create(false).setBodyLimit(64 * 1024);
        router.route("/v1/admin/*").handler(this::requireAdmin);
        router.post("/v1/admin/orgs").handler(body).handler(this::createOrg);
        router.delete("/v1/admin/orgs/:org").handler(this::deleteOrg);
        router.post("/v1/admin/orgs/:org/keys").handler(body).handler(this::createKey);
        router.get("/v1/admin/orgs/:org/keys").handler(this::listKeys);
        router.delete("/v1/admin/orgs/:org/keys/:key_id").handler(this::revokeKey);
    }

    private void requireAdmin(RoutingContext ctx) {
        if (!tokens.enabled()) {
            Problem.of(ProblemType.UNAUTHORIZED, "the admin API is disabled (no admin token configured)").send(ctx);
            return;
        }
        String method = ctx.request().method().name();
        String path = clip(ctx.request().path());
        Optional<String> name = tokens.nameOf(Authenticator.bearerToken(ctx.request().getHeader("Authorization")));
        if (name.isEmpty()) {
            LOG.warn("admin {} {} refused: no valid admin token", method, path);
            Problem.of(ProblemType.UNAUTHORIZED, "send the admin token as 'Authorization: Bearer <admin token>'")
                    .send(ctx);
            return;
        }
        // Who did what: the token's name (never the token) with the outcome of every admin request.
        ctx.addEndHandler(v -> LOG.info("admin {} {} -> {} by admin token '{}'", method, path,
                ctx.response().getStatusCode(), name.get()));
        ctx.next();
    }

    private void createOrg(RoutingContext ctx) {
        Optional<ObjectNode> body = jsonBody(ctx, Set.of("org_id", "name"), true);
        if (body.isEmpty()) {
            return;
        }
        String orgId = text(body.get(), "org_id");
        String name = text(body.get(), "name");
        if (orgId == null || !ORG_ID.matcher(orgId).matches()) {
            invalid(ctx, "org_id must be 1 to 64 lower-case letters, digits, '-' and '_', starting with a letter or digit");
            return;
        }
        if (name == null || name.isBlank() || name.length() > MAX_NAME) {
            invalid(ctx, "name must be a non-empty string of at most " + MAX_NAME + " characters");
            return;
        }
        if (table.org(orgId).isPresent()) {
            // A deleted org's id stays taken: a new org under it would revive the old org's keys.
            Problem.of(ProblemType.CONFLICT, "org " + orgId + " already exists"
                    + (table.org(orgId).get().getDeletedAt() == null ? "" : " (deleted; org ids are never reused)"))
                    .send(ctx);
            return;
        }
        Org org = new Org(orgId, name, now(), null);
        respondAfter(ctx, publisher.write(org), offset -> {
            table.apply(org, offset);
            ObjectNode out = JSON.createObjectNode().put("org_id", orgId).put("name", name)
                    .put("created_at", org.getCreatedAt().toString());
            ctx.response().setStatusCode(201).putHeader("Content-Type", IngestApi.JSON_TYPE)
                    .putHeader("Location", "/v1/admin/orgs/" + orgId).end(out.toString());
        });
    }

    private void deleteOrg(RoutingContext ctx) {
        String orgId = ctx.pathParam("org");
        Optional<Org> existing = table.org(orgId);
        if (existing.isEmpty()) {
            Problem.of(ProblemType.NOT_FOUND, "no org " + clip(orgId)).send(ctx);
            return;
        }
        if (existing.get().getDeletedAt() != null) {
            ctx.response().setStatusCode(204).end(); // deleting twice is fine
            return;
        }
        Org deleted = Org.newBuilder(existing.get()).setDeletedAt(now()).build();
        respondAfter(ctx, publisher.write(deleted), offset -> {
            table.apply(deleted, offset);
            ctx.response().setStatusCode(204).end();
        });
    }

    private void createKey(RoutingContext ctx) {
        String orgId = ctx.pathParam("org");
        Optional<Org> org = table.org(orgId);
        if (org.isEmpty()) {
            Problem.of(ProblemType.NOT_FOUND, "no org " + clip(orgId)).send(ctx);
            return;
        }
        if (org.get().getDeletedAt() != null) {
            Problem.of(ProblemType.CONFLICT, "org " + orgId + " is deleted; its keys cannot be created").send(ctx);
            return;
        }
        Optional<ObjectNode> body = jsonBody(ctx, KeyRequest.FIELDS, false);
        if (body.isEmpty()) {
            return;
        }
        Instant now = now();
        KeyRequest request;
        try {
            request = KeyRequest.parse(body.get(), now);
        } catch (KeyRequest.Invalid e) {
            invalid(ctx, e.getMessage());
            return;
        }
        String plaintext = ApiKeys.newKey();
        ApiKey key = ApiKey.newBuilder().setKeyId(ApiKeys.newKeyId()).setOrgId(orgId)
                .setPrefix(ApiKeys.prefix(plaintext)).setSha256(new Sha256(ApiKeys.sha256(plaintext)))
                .setState(ApiKeyState.ACTIVE).setName(request.name()).setCreatedAt(now).setRevokedAt(null)
                .setExpiresAt(request.expiresAt()).setScopes(request.scopeIds()).build();
        respondAfter(ctx, publisher.write(key), offset -> {
            table.apply(key, offset);
            ObjectNode out = JSON.createObjectNode().put("key_id", key.getKeyId()).put("prefix", key.getPrefix())
                    .put("api_key", plaintext).put("org_id", orgId);
            if (request.name() != null) {
                out.put("name", request.name());
            }
            out.put("created_at", key.getCreatedAt().toString());
            request.scopeIds().forEach(out.putArray("scopes")::add);
            out.put("expires_at", request.expiresAt() == null ? null : request.expiresAt().toString());
            ctx.response().setStatusCode(201).putHeader("Content-Type", IngestApi.JSON_TYPE)
                    .putHeader("Cache-Control", "no-store").end(out.toString());
        });
    }

    private void listKeys(RoutingContext ctx) {
        String orgId = ctx.pathParam("org");
        Optional<Org> org = table.org(orgId);
        if (org.isEmpty()) {
            Problem.of(ProblemType.NOT_FOUND, "no org " + clip(orgId)).send(ctx);
            return;
        }
        Instant now = clock.instant();
        ObjectNode out = JSON.createObjectNode().put("org_id", orgId);
        out.put("org_deleted_at", org.get().getDeletedAt() == null ? null : org.get().getDeletedAt().toString());
        ArrayNode keys = out.putArray("keys");
        table.keysOf(orgId).forEach(k -> keys.add(ApiKeyView.json(k, usage.lastUsed(k.getKeyId()), now)));
        ctx.response().setStatusCode(200).putHeader("Content-Type", IngestApi.JSON_TYPE)
                .putHeader("Cache-Control", "no-store").end(out.toString());
    }

    private void revokeKey(RoutingContext ctx) {
        String orgId = ctx.pathParam("org");
        String keyId = ctx.pathParam("key_id");
        Optional<ApiKey> existing = table.byId(keyId).filter(k -> k.getOrgId().equals(orgId));
        if (existing.isEmpty()) {
            Problem.of(ProblemType.NOT_FOUND, "no key " + clip(keyId) + " in org " + clip(orgId)).send(ctx);
            return;
        }
        if (existing.get().getState() == ApiKeyState.REVOKED) {
            ctx.response().setStatusCode(204).end(); // revoking twice is fine
            return;
        }
        ApiKey revoked = ApiKey.newBuilder(existing.get()).setState(ApiKeyState.REVOKED).setRevokedAt(now()).build();
        respondAfter(ctx, publisher.write(revoked), offset -> {
            table.apply(revoked, offset);
            ctx.response().setStatusCode(204).end();
        });
    }

    private Instant now() {
        return clock.instant().truncatedTo(ChronoUnit.MILLIS);
    }

    private <T> void respondAfter(RoutingContext ctx, CompletableFuture<T> write, Consumer<T> onSuccess) {
        Problem.respondAfter(ctx, write, config.retryAfterSeconds(), "; nothing was changed, retry later", onSuccess);
    }

    /** The JSON object body with only {@code allowed} fields, or empty after answering 400/415. */
    private static Optional<ObjectNode> jsonBody(RoutingContext ctx, Set<String> allowed, boolean required) {
        var buffer = ctx.body().buffer();
        if (buffer == null || buffer.length() == 0) {
            if (required) {
                invalid(ctx, "a JSON object body is required");
                return Optional.empty();
            }
            return Optional.of(JSON.createObjectNode());
        }
        String ct = ctx.request().getHeader("Content-Type");
        if (IngestApi.format(ct) != EventParser.Format.JSON) {
            Problem.of(ProblemType.UNSUPPORTED_MEDIA_TYPE, "Content-Type must be application/json").send(ctx);
            return Optional.empty();
        }
        byte[] bytes = buffer.getBytes();
        if (Utf8.firstInvalid(bytes, 0, bytes.length) >= 0) {
            Problem.of(ProblemType.INVALID_BODY, "body is not valid UTF-8").send(ctx);
            return Optional.empty();
        }
        JsonNode node;
        try {
            node = JSON.readTree(bytes);
        } catch (IOException e) {
            Problem.of(ProblemType.INVALID_BODY, "invalid JSON: " + clip(String.valueOf(e.getMessage()))).send(ctx);
            return Optional.empty();
        }
        if (!(node instanceof ObjectNode obj)) {
            invalid(ctx, "the body must be a JSON object");
            return Optional.empty();
        }
        for (Iterator<String> it = obj.fieldNames(); it.hasNext(); ) {
            String f = it.next();
            if (!allowed.contains(f)) {
                invalid(ctx, "unknown field " + clip(f) + " (allowed: " + String.join(", ", allowed) + ")");
                return Optional.empty();
            }
        }
        return Optional.of(obj);
    }

    private static String text(ObjectNode body, String field) {
        JsonNode n = body.get(field);
        return n != null && n.isTextual() ? n.textValue() : null;
    }

    private static void invalid(RoutingContext ctx, String detail) {
        Problem.of(ProblemType.INVALID_REQUEST, detail).send(ctx);
    }

    private static String clip(String s) {
        return Problem.clip(s, 128);
    }
}
