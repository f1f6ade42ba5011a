package io.spendstream.ingest;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.vertx.core.Context;
import io.vertx.core.Vertx;
import io.vertx.core.http.HttpServerResponse;
import io.vertx.ext.web.RoutingContext;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.CompletableFuture;
import java.util.function.Consumer;
import java.util.regex.Pattern;

/**
 * An RFC 9457 problem: {@code type}, {@code title}, {@code status}, {@code detail}, plus extension
 * members (e.g. {@code rejected}), and optionally a Retry-After in seconds. Sent as
 * {@code application/problem+json}.
 */
public record Problem(ProblemType type, String detail, Integer retryAfterSeconds, ObjectNode extensions) {
    public static final String CONTENT_TYPE = "application/problem+json";
    static final ObjectMapper JSON = new ObjectMapper();
    private static final Pattern WHITESPACE = Pattern.compile("\\s+");

    public Problem {
        Objects.requireNonNull(type);
    }

    public static Problem of(ProblemType type, String detail) {
        return new Problem(type, detail, null, null);
    }

    /** Client text quoted in a detail: whitespace runs as one space, at most {@code max} characters then "...". */
    static String clip(String s, int max) {
        String line = WHITESPACE.matcher(s).replaceAll(" ");
        return line.length() <= max ? line : line.substring(0, max) + "...";
    }

    /**
     * Answers once {@code write} (a Kafka write) is acknowledged, on the request's event loop: {@code onSuccess}
     * with its result, or 503 with Retry-After and the failure's message followed by {@code failureAdvice}.
     */
    static <T> void respondAfter(RoutingContext ctx, CompletableFuture<T> write, int retryAfterSeconds,
                                 String failureAdvice, Consumer<T> onSuccess) {
        Context context = Vertx.currentContext();
        write.whenComplete((v, failure) -> context.runOnContext(x -> {
            if (failure != null) {
                of(ProblemType.UNAVAILABLE, failure.getMessage() + failureAdvice).retryAfter(retryAfterSeconds).send(ctx);
            } else {
                onSuccess.accept(v);
            }
        }));
    }

    public Problem retryAfter(int seconds) {
        return new Problem(type, detail, Math.max(1, seconds), extensions);
    }

    /** A copy with extension members merged in (never overriding the standard ones). */
    public Problem with(Map<String, ?> members) {
        ObjectNode ext = extensions == null ? JSON.createObjectNode() : extensions.deepCopy();
        members.forEach((k, v) -> ext.set(k, JSON.valueToTree(v)));
        return new Problem(type, detail, retryAfterSeconds, ext);
    }

    public Problem with(ObjectNode members) {
        ObjectNode ext = extensions == null ? JSON.createObjectNode() : extensions.deepCopy();
        ext.setAll(members);
        return new Problem(type, detail, retryAfterSeconds, ext);
    }

    public int status() {
        return type.status();
    }

    public ObjectNode toJson() {
        ObjectNode n = JSON.createObjectNode();
        n.put("type", type.uri());
        n.put("title", type.title());
        n.put("status", type.status());
        if (detail != null) {
            n.put("detail", detail);
        }
        if (extensions != null) {
            extensions.properties().forEach(e -> {
                if (!n.has(e.getKey())) {
                    n.set(e.getKey(), e.getValue());
                }
            });
        }
        return n;
    }

    public String body() {
        return toJson().toString();
    }

    /** Ends the response with this problem (status, content type, Retry-After, body). */
    public void send(HttpServerResponse response) {
        if (response.ended() || response.closed()) {
            return;
        }
        response.setStatusCode(type.status()).putHeader("Content-Type", CONTENT_TYPE);
        if (retryAfterSeconds != null) {
            response.putHeader("Retry-After", Integer.toString(retryAfterSeconds));
        }
        if (type.status() == 401) {
            response.putHeader("WWW-Authenticate", "Bearer realm=\"spendstream\"");
        }
        response.end(body());
    }

    public void send(RoutingContext ctx) {
        send(ctx.response());
    }
}
