package io.spendstream.ingest;

/**
 * The stable problem types of the API (RFC 9457 {@code type} URIs). Clients branch on {@link #uri()};
 * titles are for humans.
 */
public enum ProblemType {
    INVALID_BODY("invalid-body", "Request body is not valid JSON or NDJSON", 400),
    VALIDATION_FAILED("validation-failed", "The request did not pass validation", 400),
    INVALID_REQUEST("invalid-request", "Invalid request", 400),
    UNAUTHORIZED("unauthorized", "Missing, unknown or revoked credentials", 401),
    KEY_EXPIRED("key-expired", "The API key expired", 401),
    FORBIDDEN("forbidden", "Not allowed", 403),
    NOT_FOUND("not-found", "Not found", 404),
    METHOD_NOT_ALLOWED("method-not-allowed", "Method not allowed", 405),
    CONFLICT("conflict", "Conflicts with the current state", 409),
    PAYLOAD_TOO_LARGE("payload-too-large", "Request too large", 413),
    UNSUPPORTED_MEDIA_TYPE("unsupported-media-type", "Unsupported content type", 415),
    RATE_LIMITED("rate-limited", "Rate limit exceeded", 429),
    INTERNAL("internal", "Internal error", 500),
    UNAVAILABLE("unavailable", "Service temporarily unavailable", 503);

    public static final String BASE = "https://spendstream.dev/problems/";

    private final String slug;
    private final String title;
    private final int status;

    ProblemType(String slug, String title, int status) {
        this.slug = slug;
        this.title = title;
        this.status = status;
    }

    public String slug() {
        return slug;
    }

    public String uri() {
        return BASE + slug;
    }

    public String title() {
        return title;
    }

    public int status() {
        return status;
    }
}
