package io.spendstream.http;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.spendstream.config.ConfigException;
import io.spendstream.config.Secret;
import io.vertx.core.Vertx;
import io.vertx.ext.web.Router;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

class InternalAccessTest {
    static final String TOKEN = "0123456789abcdef0123456789abcdef";

    @Test
    void loopbackBindNeedsNoToken() {
        assertThat(InternalAccess.of("X_HOST", "127.0.0.1", null).token()).isNull();
        assertThat(InternalAccess.of("X_HOST", "::1", null).token()).isNull();
        assertThat(InternalAccess.of("X_HOST", "localhost", null).token()).isNull();
    }

    @Test
    void nonLoopbackBindWithoutTokenNamesBothSettings() {
        assertThatThrownBy(() -> InternalAccess.of("X_HOST", "0.0.0.0", null))
                .isInstanceOf(ConfigException.class)
                .hasMessageContaining(InternalAccess.TOKEN_KEY).hasMessageContaining("X_HOST=0.0.0.0");
        assertThat(InternalAccess.of("X_HOST", "0.0.0.0", Secret.of(TOKEN)).token().reveal()).isEqualTo(TOKEN);
    }

    @Test
    void shortTokenIsRefusedWithoutShowingIt() {
        assertThatThrownBy(() -> InternalAccess.of("X_HOST", "127.0.0.1", Secret.of("short-token")))
                .isInstanceOf(ConfigException.class)
                .hasMessageContaining(InternalAccess.TOKEN_KEY).hasMessageNotContaining("short-token");
        assertThat(new InternalAccess(Secret.of(TOKEN)).toString()).doesNotContain(TOKEN);
    }

    @Test
    void guardRefusesMissingAndWrongTokensOnInternalRoutesOnly() throws Exception {
        Vertx vertx = Vertx.vertx();
        try {
            Router router = Router.router(vertx);
            InternalAuth.guard(router, new InternalAccess(Secret.of(TOKEN)));
            router.get("/internal/data").handler(ctx -> ctx.end("secret data"));
            router.get("/health/live").handler(ctx -> ctx.end("UP"));
            int port = vertx.createHttpServer().requestHandler(router).listen(0, "127.0.0.1")
                    .toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS).actualPort();
            HttpClient http = HttpClient.newHttpClient();
            HttpResponse<String> none = get(http, port, "/internal/data", null);
            HttpResponse<String> wrong = get(http, port, "/internal/data", TOKEN.replace('0', 'x'));
            for (HttpResponse<String> r : new HttpResponse[] {none, wrong}) {
                assertThat(r.statusCode()).isEqualTo(401);
                assertThat(r.body()).doesNotContain("secret").doesNotContain("/internal/");
            }
            assertThat(get(http, port, "/internal/data", TOKEN).body()).isEqualTo("secret data");
            assertThat(get(http, port, "/health/live", null).statusCode()).isEqualTo(200);
        } finally {
            vertx.close().toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS);
        }
    }

    private static HttpResponse<String> get(HttpClient http, int port, String path, String token) throws Exception {
        HttpRequest.Builder b = HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + path));
        if (token != null) {
            b.header(InternalAccess.HEADER, token);
        }
        return http.send(b.build(), HttpResponse.BodyHandlers.ofString());
    }
}
