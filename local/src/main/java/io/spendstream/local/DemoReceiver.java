package io.spendstream.local;

import com.sun.net.httpserver.HttpServer;
import io.spendstream.notifier.channel.SigningSecrets;
import io.spendstream.notifier.payload.StandardWebhooks;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;

/**
 * The demo's webhook receiver: a small HTTP server on loopback that answers 204 and keeps what it got,
 * checking each request's Standard Webhooks signature with the channel's secret once it is known.
 */
public final class DemoReceiver implements AutoCloseable {
    /** One request the receiver got: the alert id ({@code webhook-id}), the body's type, the signature check. */
    public record Delivery(Instant receivedAt, String webhookId, String type, boolean signatureValid) {}

    private final HttpServer server;
    private final List<Delivery> deliveries = new CopyOnWriteArrayList<>();
    private volatile String secret;

    DemoReceiver() {
        try {
            server = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        server.createContext("/demo-webhook", exchange -> {
            String body = new String(exchange.getRequestBody().readAllBytes(), StandardCharsets.UTF_8);
            String id = exchange.getRequestHeaders().getFirst("webhook-id");
            String ts = exchange.getRequestHeaders().getFirst("webhook-timestamp");
            String sig = exchange.getRequestHeaders().getFirst("webhook-signature");
            deliveries.add(new Delivery(Instant.now(), id, type(body), valid(id, ts, sig, body)));
            exchange.sendResponseHeaders(204, -1);
            exchange.close();
        });
        server.start();
    }

    void secret(String whsec) {
        this.secret = whsec;
    }

    String url() {
        return "http://127.0.0.1:" + server.getAddress().getPort() + "/demo-webhook";
    }

    List<Delivery> deliveries() {
        return List.copyOf(deliveries);
    }

    private boolean valid(String id, String ts, String signature, String body) {
        String s = secret;
        return s != null && StandardWebhooks.verifies(id, ts, signature, body, SigningSecrets.key(s));
    }

    private static String type(String body) {
        int i = body.indexOf("\"type\":\"");
        return i < 0 ? "?" : body.substring(i + 8, body.indexOf('"', i + 8));
    }

    @Override
    public void close() {
        server.stop(0);
    }
}
