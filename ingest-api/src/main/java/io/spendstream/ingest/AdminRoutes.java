package io.spendstream.ingest;

import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.StreamReadConstraints;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
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
import java.time.temporal.ChronoUnit;
import java.util.Iterator;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.function.Consumer;
import java.util.regex.Pattern;

/**
 * The admin API under {@code Authorization: Bearer <SPENDSTREAM_ADMIN_TOKEN>}: create orgs, create API
 * keys (the plaintext key is returned once; only its SHA-256 and 8-character prefix are stored) and
 * revoke them. Every write goes to a compacted topic and is answered after Kafka acknowledged it; it is
 * then applied to this instance's {@link KeyTable} at once, and reaches the other instances through
 * the topic.
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

    private final IngestConfig config;
    private final KeyTable table;
    private final EventPublisher publisher;

    AdminRoutes(IngestConfig config, KeyTable table, EventPublisher publisher) {
        this.config = config;
        this.table = table;
        this.publisher = publisher;
    }

    void mount(Router router) {
        BodyHandler body = BodyHandler.create(false).setBodyLimit(64 * 1024);
        router.route("/v1/admin/*").handler(this::requireAdmin);
        router.post("/v1/admin/orgs").handler(body).handler(this::createOrg);
        router.post("/v1/admin/orgs/:org/keys").handler(body).handler(this::createKey);
        router.delete("/v1/admin/orgs/:org/keys/:key_id").handler(this::revokeKey);
    }

    private void requireAdmin(RoutingContext ctx) {
        String token = Authenticator.bearerToken(ctx.request().getHeader("Authorization"));
        if (config.adminToken() == null) {
            Problem.of(ProblemType.UNAUTHORIZED, "the admin API is disabled (no admin token configured)").send(ctx);
            return;
        }
        if (token == null || !ApiKeys.constantTimeEquals(token, config.adminToken().reveal())) {
            Problem.of(ProblemType.UNAUTHORIZED, "send the admin token as 'Authorization: Bearer <admin token>'")
                    .send(ctx);
            return;
        }
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
            Problem.of(ProblemType.CONFLICT, "org " + orgId + " already exists").send(ctx);
            return;
        }
        Org org = new Org(orgId, name, Instant.now().truncatedTo(ChronoUnit.MILLIS));
        respondAfter(ctx, publisher.write(org), offset -> {
            table.apply(org);
            ObjectNode out = JSON.createObjectNode().put("org_id", orgId).put("name", name)
                    .put("created_at", org.getCreatedAt().toString());
            ctx.response().setStatusCode(201).putHeader("Content-Type", IngestApi.JSON_TYPE)
                    .putHeader("Location", "/v1/admin/orgs/" + orgId).end(out.toString());
        });
    }

    private void createKey(RoutingContext ctx) {
        String orgId = ctx.pathParam("org");
        if (table.org(orgId).isEmpty()) {
            Problem.of(ProblemType.NOT_FOUND, "no org " + clip(orgId)).send(ctx);
            return;
        }
        Optional<ObjectNode> body = jsonBody(ctx, Set.of("name"), false);
        if (body.isEmpty()) {
            return;
        }
        String name = text(body.get(), "name");
        if (body.get().has("name") && (name == null || name.length() > MAX_NAME)) {
            invalid(ctx, "name must be a string of at most " + MAX_NAME + " characters");
            return;
        }
        String plaintext = ApiKeys.newKey();
        ApiKey key = new ApiKey(ApiKeys.newKeyId(), orgId, ApiKeys.prefix(plaintext),
                new Sha256(ApiKeys.sha256(plaintext)), ApiKeyState.ACTIVE, name,
                Instant.now().truncatedTo(ChronoUnit.MILLIS), null);
        respondAfter(ctx, publisher.write(key), offset -> {
            table.apply(key, offset);
            ObjectNode out = JSON.createObjectNode().put("key_id", key.getKeyId()).put("prefix", key.getPrefix())
                    .put("api_key", plaintext).put("org_id", orgId);
            if (name != null) {
                out.put("name", name);
            }
            out.put("created_at", key.getCreatedAt().toString());
            ctx.response().setStatusCode(201).putHeader("Content-Type", IngestApi.JSON_TYPE)
                    .putHeader("Cache-Control", "no-store").end(out.toString());
        });
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
        ApiKey k = existing.get();
        ApiKey revoked = new ApiKey(k.getKeyId(), k.getOrgId(), k.getPrefix(), k.getSha256(), ApiKeyState.REVOKED,
                k.getName(), k.getCreatedAt(), Instant.now().truncatedTo(ChronoUnit.MILLIS));
        respondAfter(ctx, publisher.write(revoked), offset -> {
            table.apply(revoked, offset);
            ctx.response().setStatusCode(204).end();
        });
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
