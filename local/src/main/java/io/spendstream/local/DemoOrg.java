package io.spendstream.local;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.SecureRandom;
import java.util.Base64;

/**
 * The local run's ready-made demo org and API key, created through the public admin API on first
 * start. A key's plaintext is shown only once by the API, so the local run keeps the demo key in
 * the data directory (owner-only file) to print it again on later starts. Local development only.
 */
public final class DemoOrg {
    public static final String ORG_ID = "demo";
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final HttpClient HTTP = HttpClient.newHttpClient();

    public record Credentials(String orgId, String apiKey) {}

    private DemoOrg() {}

    public static String newAdminToken() {
        byte[] b = new byte[24];
        new SecureRandom().nextBytes(b);
        return "adm_" + Base64.getUrlEncoder().withoutPadding().encodeToString(b);
    }

    static Credentials ensure(String apiUrl, String adminToken, Path dataDir) {
        return ensure(apiUrl, adminToken, dataDir, ORG_ID, "Demo org");
    }

    /**
     * The org (created when missing; an existing one is fine) and an API key for it, kept in
     * {@code <dataDir>/<orgId>-api-key}: read from there when present, otherwise a new key is created
     * and written there.
     */
    static Credentials ensure(String apiUrl, String adminToken, Path dataDir, String orgId, String name) {
        Path keyFile = dataDir.resolve(orgId + "-api-key");
        try {
            if (Files.isRegularFile(keyFile)) {
                return new Credentials(orgId, Files.readString(keyFile).strip());
            }
            Credentials created = create(apiUrl, adminToken, orgId, name, "local run");
            Files.writeString(keyFile, created.apiKey() + System.lineSeparator());
            Files.setPosixFilePermissions(keyFile, PosixFilePermissions.fromString("rw-------"));
            return created;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /**
     * Creates the org through the admin API (an existing one is fine) and a new API key named {@code keyName}
     * for it; the key's plaintext is in the answer only, so the caller keeps it.
     */
    public static Credentials create(String apiUrl, String adminToken, String orgId, String name, String keyName) {
        try {
            HttpResponse<String> org = post(apiUrl + "/v1/admin/orgs", adminToken,
                    JSON.createObjectNode().put("org_id", orgId).put("name", name).toString());
            if (org.statusCode() != 201 && org.statusCode() != 409) {
                throw new IllegalStateException("cannot create the org " + orgId + ": " + org.statusCode() + " "
                        + org.body());
            }
            HttpResponse<String> key = post(apiUrl + "/v1/admin/orgs/" + orgId + "/keys", adminToken,
                    JSON.createObjectNode().put("name", keyName).toString());
            if (key.statusCode() != 201) {
                throw new IllegalStateException("cannot create a key for " + orgId + ": " + key.statusCode() + " "
                        + key.body());
            }
            JsonNode body = JSON.readTree(key.body());
            return new Credentials(orgId, body.path("api_key").asText());
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }

    private static HttpResponse<String> post(String url, String token, String body)
            throws IOException, InterruptedException {
        return HTTP.send(HttpRequest.newBuilder(URI.create(url)).header("Authorization", "Bearer " + token)
                .header("Content-Type", "application/json").POST(HttpRequest.BodyPublishers.ofString(body)).build(),
                HttpResponse.BodyHandlers.ofString());
    }
}
