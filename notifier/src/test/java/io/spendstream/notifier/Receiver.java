package io.spendstream.notifier;

import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.Executors;
import java.util.function.Function;

/**
 * A real HTTP receiver on loopback (the JDK's HttpServer) that records every request and answers with
 * what {@code behaviour} says for it (status, headers, delay).
 */
final class Receiver implements AutoCloseable {
    record Request(long receivedAtMillis, Map<String, String> headers, String body) {
        String header(String name) {
            return headers.get(name.toLowerCase(java.util.Locale.ROOT));
        }
    }

    record Answer(int status, Map<String, String> headers, long delayMillis) {
        static Answer ok() {
            return new Answer(200, Map.of(), 0);
        }
    }

    private final HttpServer server;
    private final List<Request> requests = new CopyOnWriteArrayList<>();

    Receiver(Function<Request, Answer> behaviour) {
        try {
            server = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        server.setExecutor(Executors.newVirtualThreadPerTaskExecutor());
        server.createContext("/", exchange -> {
            Map<String, String> headers = new java.util.HashMap<>();
            exchange.getRequestHeaders().forEach((k, v) -> headers.put(k.toLowerCase(java.util.Locale.ROOT), v.getFirst()));
            Request r = new Request(System.currentTimeMillis(), headers,
                    new String(exchange.getRequestBody().readAllBytes(), StandardCharsets.UTF_8));
            requests.add(r);
            Answer a = behaviour.apply(r);
            try {
                Thread.sleep(a.delayMillis());
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
            a.headers().forEach((k, v) -> exchange.getResponseHeaders().add(k, v));
            byte[] body = ("answer " + a.status()).getBytes(StandardCharsets.UTF_8);
            try {
                exchange.sendResponseHeaders(a.status(), body.length);
                exchange.getResponseBody().write(body);
            } catch (IOException closedByClient) {
                // the notifier gave up (timeout): nothing to answer
            }
            exchange.close();
        });
        server.start();
    }

    String url(String path) {
        return "http://127.0.0.1:" + server.getAddress().getPort() + path;
    }

    List<Request> requests() {
        return List.copyOf(requests);
    }

    List<Request> requestsFor(String webhookId) {
        return requests.stream().filter(r -> webhookId.equals(r.header("webhook-id"))).toList();
    }

    @Override
    public void close() {
        server.stop(0);
    }
}
