package io.spendstream.schemas.registry;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.spendstream.schemas.registry.SchemaRegistryException.IncompatibleSchemaException;
import io.spendstream.schemas.registry.SchemaRegistryException.SchemaNotRegisteredException;
import io.spendstream.schemas.registry.SchemaRegistryException.UnknownSchemaIdException;
import java.io.IOException;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.util.Base64;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;
import org.apache.avro.Schema;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A client of the Confluent Schema Registry REST API, the subset a serde needs: register, look up,
 * fetch by id, compatibility. Works with any server of that API (Confluent, Apicurio's
 * /apis/ccompat/v7, Karapace, Redpanda).
 *
 * <p>Written by hand because Confluent's own client (io.confluent:kafka-schema-registry-client) is
 * not published on Maven Central, and Apicurio's serdes speak only Apicurio's native API.
 *
 * <p>Thread-safe. Ids are cached per (subject, schema) and schemas per id, so the registry is asked
 * once per schema and process. Transient failures (no answer, 5xx, 429) are retried with
 * exponential backoff, rotating through the configured URLs.
 */
public final class SchemaRegistryClient implements SchemaRegistry {
    private static final Logger LOG = LoggerFactory.getLogger(SchemaRegistryClient.class);
    private static final String CONTENT_TYPE = "application/vnd.schemaregistry.v1+json";
    private static final String ACCEPT =
            "application/vnd.schemaregistry.v1+json, application/vnd.schemaregistry+json; qs=0.9, application/json; qs=0.5";
    private static final ObjectMapper JSON = new ObjectMapper();

    private final SchemaRegistryConfig config;
    private final HttpClient http;
    private final Optional<String> authorization;
    private final AtomicInteger urlIndex = new AtomicInteger();
    private final Map<SubjectSchema, Integer> idsBySubjectSchema = new ConcurrentHashMap<>();
    private final Map<Integer, Schema> schemasById = new ConcurrentHashMap<>();

    private record SubjectSchema(String subject, Schema schema) {}

    public SchemaRegistryClient(SchemaRegistryConfig config) {
        this.config = config;
        HttpClient.Builder builder = HttpClient.newBuilder().connectTimeout(config.timeout());
        config.trustStore().ifPresent(t -> builder.sslContext(t.sslContext()));
        this.http = builder.build();
        this.authorization = config.basicAuth().map(u -> "Basic "
                + Base64.getEncoder().encodeToString(u.reveal().getBytes(StandardCharsets.UTF_8)));
    }

    public SchemaRegistryConfig config() {
        return config;
    }

    /**
     * Registers {@code schema} under {@code subject} (or finds it already registered) and returns its id.
     *
     * @throws IncompatibleSchemaException when the subject's compatibility level rejects it
     */
    @Override
    public int register(String subject, Schema schema) {
        return idsBySubjectSchema.computeIfAbsent(new SubjectSchema(subject, schema), k -> registerNow(subject, schema));
    }

    /**
     * Apicurio answers 409 "already exists" to the loser of two concurrent first registrations of a
     * subject (two stream threads or two instances writing a new topic's first record at once). That
     * is a race, not an incompatibility: by then the schema is there, so it is looked up (or
     * registered again) instead of failing the record.
     */
    private int registerNow(String subject, Schema schema) {
        for (int attempt = 1; ; attempt++) {
            try {
                JsonNode body = send("POST", "/subjects/" + encode(subject) + "/versions", schemaBody(schema), subject);
                int id = body.path("id").asInt(-1);
                if (id < 0) {
                    throw new SchemaRegistryException("registry answered without an id for subject " + subject + ": "
                            + body, 200, 0, null);
                }
                schemasById.putIfAbsent(id, schema);
                return id;
            } catch (IncompatibleSchemaException e) {
                if (attempt >= 3 || e.getMessage() == null || !e.getMessage().contains("already exists")) {
                    throw e;
                }
                try {
                    return lookupNow(subject, schema);
                } catch (SchemaNotRegisteredException notYet) {
                    // the other writer's version is not visible yet: register again
                }
            }
        }
    }

    /**
     * Returns the id of {@code schema} already registered under {@code subject}, without registering.
     *
     * @throws SchemaNotRegisteredException when it is not registered there
     */
    @Override
    public int lookup(String subject, Schema schema) {
        return idsBySubjectSchema.computeIfAbsent(new SubjectSchema(subject, schema), k -> lookupNow(subject, schema));
    }

    private int lookupNow(String subject, Schema schema) {
        JsonNode body = send("POST", "/subjects/" + encode(subject), schemaBody(schema), subject);
        int id = body.path("id").asInt(-1);
        schemasById.putIfAbsent(id, schema);
        return id;
    }

    /**
     * The schema with the given id.
     *
     * @throws UnknownSchemaIdException when the registry does not know the id
     */
    @Override
    public Schema getById(int id) {
        return schemasById.computeIfAbsent(id, k -> {
            JsonNode body = send("GET", "/schemas/ids/" + id, null, null);
            String text = body.path("schema").asText(null);
            if (text == null) {
                throw new SchemaRegistryException("registry answered without a schema for id " + id, 200, 0, null);
            }
            String type = body.path("schemaType").asText("AVRO");
            if (!"AVRO".equalsIgnoreCase(type)) {
                throw new SchemaRegistryException("schema id " + id + " is of type " + type + ", not AVRO", 200, 0, null);
            }
            return new Schema.Parser().parse(text);
        });
    }

    /** Whether {@code schema} is compatible with the latest version of {@code subject} under its level. */
    public boolean isCompatible(String subject, Schema schema) {
        try {
            JsonNode body = send("POST", "/compatibility/subjects/" + encode(subject) + "/versions/latest",
                    schemaBody(schema), subject);
            return body.path("is_compatible").asBoolean(false);
        } catch (SchemaRegistryException e) {
            if (e.status() == 404) {
                return true; // no version yet: anything is compatible
            }
            throw e;
        }
    }

    /** Sets the compatibility level (BACKWARD, FULL, NONE, ...) of a subject, or the global one when subject is null. */
    public void setCompatibility(String subject, String level) {
        ObjectNode body = JSON.createObjectNode().put("compatibility", level);
        send("PUT", subject == null ? "/config" : "/config/" + encode(subject), body.toString(), subject);
    }

    private static String schemaBody(Schema schema) {
        return JSON.createObjectNode().put("schema", schema.toString()).toString();
    }

    private static String encode(String s) {
        return URLEncoder.encode(s, StandardCharsets.UTF_8).replace("+", "%20");
    }

    private JsonNode send(String method, String path, String body, String subject) {
        SchemaRegistryException last = null;
        long backoff = config.retryBackoff().toMillis();
        for (int attempt = 0; attempt <= config.maxRetries(); attempt++) {
            if (attempt > 0) {
                sleep(backoff);
                backoff *= 2;
            }
            URI base = config.urls().get(Math.floorMod(urlIndex.get(), config.urls().size()));
            try {
                return sendOnce(base, method, path, body, subject);
            } catch (SchemaRegistryException e) {
                if (!e.isTransient()) {
                    throw e;
                }
                last = e;
                urlIndex.incrementAndGet(); // fail over to the next URL, if any
                LOG.warn("schema registry {} {}{} failed (attempt {} of {}): {}", method, base, path, attempt + 1,
                        config.maxRetries() + 1, e.getMessage());
            }
        }
        throw last;
    }

    private JsonNode sendOnce(URI base, String method, String path, String body, String subject) {
        HttpRequest.Builder req = HttpRequest.newBuilder(URI.create(base + path))
                .timeout(config.timeout())
                .header("Accept", ACCEPT)
                .method(method, body == null ? HttpRequest.BodyPublishers.noBody()
                        : HttpRequest.BodyPublishers.ofString(body, StandardCharsets.UTF_8));
        if (body != null) {
            req.header("Content-Type", CONTENT_TYPE);
        }
        authorization.ifPresent(a -> req.header("Authorization", a));
        HttpResponse<String> resp;
        try {
            resp = http.send(req.build(), HttpResponse.BodyHandlers.ofString(StandardCharsets.UTF_8));
        } catch (IOException e) {
            throw new SchemaRegistryException("schema registry at " + base + " did not answer " + method + " " + path
                    + ": " + e, 0, 0, e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new SchemaRegistryException("interrupted while calling the schema registry", 0, 0, e);
        }
        JsonNode json = parse(resp.body());
        int status = resp.statusCode();
        if (status >= 200 && status < 300) {
            return json;
        }
        int errorCode = json.path("error_code").asInt(0);
        String message = json.path("message").asText(resp.body());
        if (status == 409) {
            throw new IncompatibleSchemaException(subject, message, errorCode);
        }
        if (status == 404 && path.startsWith("/schemas/ids/")) {
            throw new UnknownSchemaIdException(Integer.parseInt(path.substring("/schemas/ids/".length())), message);
        }
        if (status == 404 && subject != null && "POST".equals(method) && path.equals("/subjects/" + encode(subject))) {
            throw new SchemaNotRegisteredException(subject, message, errorCode);
        }
        if (status == 401 || status == 403) {
            throw new SchemaRegistryException("schema registry refused " + method + " " + path + " with " + status
                    + ": check the registry credentials (basic auth user info)", status, errorCode, null);
        }
        throw new SchemaRegistryException("schema registry answered " + status + " to " + method + " " + path
                + (errorCode != 0 ? " (error_code " + errorCode + ")" : "") + ": " + message, status, errorCode, null);
    }

    private static JsonNode parse(String body) {
        if (body == null || body.isBlank()) {
            return JSON.createObjectNode();
        }
        try {
            return JSON.readTree(body);
        } catch (IOException e) {
            return JSON.createObjectNode().put("message", body);
        }
    }

    private static void sleep(long millis) {
        try {
            Thread.sleep(millis);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new SchemaRegistryException("interrupted while waiting to retry the schema registry", 0, 0, e);
        }
    }
}
