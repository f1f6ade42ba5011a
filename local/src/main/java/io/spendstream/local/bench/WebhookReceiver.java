package io.spendstream.local.bench;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.sun.net.httpserver.Headers;
import com.sun.net.httpserver.HttpServer;
import io.spendstream.embedded.LoopbackPorts;
import io.spendstream.notifier.payload.StandardWebhooks;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.concurrent.Executor;

/**
 * One channel's webhook endpoint on loopback: checks each request's Standard Webhooks signature with the
 * channel's key, tallies produce -> arrival (the produce time is the alert's {@code triggered_at} in the
 * body), answers 204 after a fixed delay and tallies produce -> answer.
 */
final class WebhookReceiver implements AutoCloseable {
    private static final ObjectMapper JSON = new ObjectMapper();

    private final HttpServer server;

    WebhookReceiver(byte[] key, int answerAfterMs, DeliveryTally tally, Executor handlers) {
        try {
            server = HttpServer.create(new InetSocketAddress(LoopbackPorts.LOOPBACK, 0), 0);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        server.setExecutor(handlers); // virtual threads: a slow answer holds no platform thread
        server.createContext("/hook", exchange -> {
            try {
                String body = new String(exchange.getRequestBody().readAllBytes(), StandardCharsets.UTF_8);
                long arrivedAt = System.currentTimeMillis();
                Headers h = exchange.getRequestHeaders();
                String id = h.getFirst("webhook-id");
                boolean signed = StandardWebhooks.verifies(id, h.getFirst("webhook-timestamp"),
                        h.getFirst("webhook-signature"), body, key);
                long producedAt = Instant.parse(JSON.readTree(body).at("/data/triggered_at").asText()).toEpochMilli();
                tally.arrived(id, arrivedAt - producedAt, signed);
                if (answerAfterMs > 0) {
                    Thread.sleep(answerAfterMs);
                }
                exchange.sendResponseHeaders(204, -1);
                tally.answered(System.currentTimeMillis() - producedAt);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt(); // closing: the request goes unanswered
            } finally {
                exchange.close();
            }
        });
        server.start();
    }

    String url() {
        return "http://127.0.0.1:" + server.getAddress().getPort() + "/hook";
    }

    @Override
    public void close() {
        server.stop(0);
    }
}
